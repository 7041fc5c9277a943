"""Who may see the notification machinery of a jurisdiction (gateway health, retry
queues, the simulator outbox). Everyone reads their own in-app notifications."""

from __future__ import annotations

from typing import Any

from core.roles import Role

NOTIFY_MANAGERS = frozenset({Role.ADMINISTRATOR, Role.DUTY_OFFICER})


def can_manage_notifications(user: Any) -> bool:
    """Gateway health, failures, "retry now" and the simulator outbox."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*NOTIFY_MANAGERS)
    )
