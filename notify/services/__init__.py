"""The notify services (DESIGN10 "Services"): keyword-only, transactional. Split by
concern; every name is importable from ``notify.services``."""

from notify.services.outbox import (
    acknowledged,
    close,
    notify,
    notify_many,
    retry_delivery,
    send_pending,
)

__all__ = [
    "acknowledged",
    "close",
    "notify",
    "notify_many",
    "retry_delivery",
    "send_pending",
]
