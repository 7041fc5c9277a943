"""Who may see the notification machinery of a jurisdiction (gateway health, retry
queues, the simulator outbox). Everyone reads their own in-app notifications."""

from __future__ import annotations

import re
from typing import Any

from django.utils.module_loading import import_string

from core.masking import mask_phone
from core.permissions import can_see_personal_data
from core.roles import Role
from notify.backends import backend_path

NOTIFY_MANAGERS = frozenset({Role.ADMINISTRATOR, Role.DUTY_OFFICER})


def can_manage_notifications(user: Any) -> bool:
    """Gateway health, failures, "retry now" and the simulator outbox."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*NOTIFY_MANAGERS)
    )


# --- the pages (notify/views) ---------------------------------------------------------------

SIMULATOR = "notify.backends.simulator.SimulatorBackend"
# The channels that reach a phone, whose messages the simulator may hold.
PHONE_CHANNELS = ("sms", "voice")


def may_read_inbox(user: Any) -> bool:
    """Every signed-in person may receive in-app notifications, whatever the role."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_simulator(dotted: str) -> bool:
    try:
        backend = import_string(dotted)
    except ImportError:
        return False
    return isinstance(backend, type) and issubclass(backend, import_string(SIMULATOR))


def simulated_channels() -> list[str]:
    """The phone channels whose configured backend is the embedded simulator."""
    return [channel for channel in PHONE_CHANNELS if is_simulator(backend_path(channel))]


def may_use_simulator(user: Any) -> bool:
    """The outbox exists only while a phone channel goes to the simulator: with a real
    gateway there is nothing to show, and nobody may fake a phone's reply."""
    return can_manage_notifications(user) and bool(simulated_channels())


def shown_address(user: Any, address: str, organisation_id: int | None) -> str:
    """A recipient's number (or e-mail address) as this user may see it: in full for
    administrators and the organisation the recipient answers for (a force's own people),
    masked for the rest."""
    if not address or can_see_personal_data(user, organisation_id):
        return address
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(address)


_MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


def shown_text(user: Any, text: str, organisation_id: int | None = None) -> str:
    """A gateway's error message as this user may see it: a gateway may quote the number
    it refused ("invalid number 13812345678"), so mobile numbers in it are masked too."""
    if not text or can_see_personal_data(user, organisation_id):
        return text
    return _MOBILE.sub(lambda found: mask_phone(found.group(0)), text)
