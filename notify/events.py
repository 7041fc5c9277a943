"""The event types of notifications, recorded on the notification's SUBJECT (the order,
notice, plan or roll-call target), so they appear on its timeline."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class NotifyEvent(StrEnum):
    ESCALATED = "notify.escalated"
    FAILED = "notify.failed"
