"""Who is told that an incident was handed to them (Purpose.INCIDENT_HANDED): the taking
unit's 24-hour duty phone and its accounts (notify's recipient rules decide the
channels)."""

from __future__ import annotations

from command.models import Incident, IncidentHandover
from command.selectors import HANDLING_ROLES
from core.models import User
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import Recipient


def _accounts(organisation_id: int) -> list[Recipient]:
    users = (
        User.objects.filter(
            is_active=True, organisation_id=organisation_id, groups__name__in=list(HANDLING_ROLES)
        )
        .distinct()
        .order_by("pk")
        .only("pk", "username", "display_name", "phone", "email")
    )
    return [
        Recipient(label=str(u), user_id=u.pk, phone=u.phone or "", email=u.email or "")
        for u in users
    ]


def notify_incident_handed(incident: Incident, handover: IncidentHandover) -> None:
    unit = handover.to_unit
    audiences: dict[str, list[Recipient]] = {Audience.ORG_USERS: _accounts(unit.pk)}
    if unit.duty_phone:
        audiences[Audience.ORG_DUTY_PHONE] = [
            Recipient(label=f"{unit.short_name or unit.name}值班电话", phone=unit.duty_phone)
        ]
    place = incident.address or ""
    notify_services.notify(
        purpose=Purpose.INCIDENT_HANDED,
        subject=incident,
        jurisdiction=incident.jurisdiction,
        audiences=audiences,
        title=f"移交 · {incident.title}",
        body=(
            f"{handover.from_unit.name}将“{incident.title}”移交贵单位处置。"
            f"{place}{'。' if place else ''}{handover.note}"
        ).strip(),
        link=incident.get_absolute_url(),
        organisation=unit,
    )
