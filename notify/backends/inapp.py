"""In-app: the Delivery row is the message (the bell and the notifications page read
it), so handing it over always succeeds."""

from __future__ import annotations

from notify.backends.base import BaseBackend, OutboundMessage, SendResult


class InAppBackend(BaseBackend):
    max_batch = 1000

    def send_messages(self, messages: list[OutboundMessage]) -> list[SendResult]:
        return [SendResult(key=m.key, accepted=True) for m in messages]
