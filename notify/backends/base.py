"""The interface every channel backend implements, chosen in settings the way Django
chooses an email backend (``NOTIFY_SMS_BACKEND`` …)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutboundMessage:
    key: str  # idempotency key: the same key is the same message, however often handed over
    channel: str
    to: str  # phone number, e-mail address or user id (in-app)
    body: str


@dataclass(frozen=True)
class SendResult:
    key: str
    accepted: bool
    gateway_id: str = ""
    error: str = ""
    permanent: bool = False  # a rejected message is not retried


class TemporaryFailure(Exception):
    """The whole batch failed for now (gateway down, timeout, 5xx): retry later."""


class BaseBackend:
    max_batch = 100

    def __init__(self, **options) -> None:
        self.options = options

    @property
    def name(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}"

    def send_messages(self, messages: list[OutboundMessage]) -> list[SendResult]:
        """Hand the messages over; one result per message (by key). Raise
        ``TemporaryFailure`` when nothing could be handed over."""
        raise NotImplementedError
