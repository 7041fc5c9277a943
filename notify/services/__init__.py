"""The notify services (DESIGN10 "Services"): keyword-only, transactional. Split by
concern; every name is importable from ``notify.services``."""

from notify.services.escalation import escalate, expire, tick
from notify.services.inbound import (
    receive_keypress,
    receive_reply,
    record_receipt,
    redeem_link,
)
from notify.services.outbox import (
    acknowledged,
    close,
    close_many,
    mark_read,
    notify,
    notify_many,
    retry_delivery,
    send_pending,
)

__all__ = [
    "acknowledged",
    "close",
    "close_many",
    "escalate",
    "expire",
    "mark_read",
    "notify",
    "notify_many",
    "receive_keypress",
    "receive_reply",
    "record_receipt",
    "redeem_link",
    "retry_delivery",
    "send_pending",
    "tick",
]
