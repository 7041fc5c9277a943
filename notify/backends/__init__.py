"""Channel backends: ``get_backend(channel)`` builds the one configured for a channel."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from notify.backends.base import (
    BaseBackend,
    OutboundMessage,
    SendResult,
    TemporaryFailure,
)
from notify.choices import Channel

__all__ = [
    "BaseBackend",
    "OutboundMessage",
    "SendResult",
    "TemporaryFailure",
    "backend_path",
    "get_backend",
]

_DEFAULTS = {
    Channel.IN_APP: "notify.backends.inapp.InAppBackend",
    Channel.SMS: "notify.backends.simulator.SimulatorBackend",
    Channel.VOICE: "notify.backends.simulator.SimulatorBackend",
    Channel.EMAIL: "notify.backends.email.EmailBackend",
}


def backend_path(channel: str) -> str:
    configured = getattr(settings, "NOTIFY_BACKENDS", {}) or {}
    return configured.get(str(channel)) or _DEFAULTS[Channel(channel)]


def get_backend(channel: str) -> BaseBackend:
    """A new instance of the backend configured for ``channel``
    (``settings.NOTIFY_BACKENDS[channel]``)."""
    options = (getattr(settings, "NOTIFY_BACKEND_OPTIONS", {}) or {}).get(str(channel), {})
    return import_string(backend_path(channel))(**options)
