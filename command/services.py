"""Writes to incidents (SPEC §3). Duty officers, fire dispatchers and administrators of
the incident's jurisdiction record and update incidents."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command import reports
from command.choices import IncidentStatus
from command.events import IncidentEvent
from command.models import Incident
from core.events import record_event
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import User
from core.permissions import in_jurisdiction
from core.roles import Role
from core.saving import validated

# Who closes incidents: the centre's own roles.
INCIDENT_CLOSERS = (Role.DUTY_OFFICER, Role.FIRE_DISPATCHER, Role.ADMINISTRATOR)
# Who records and changes them: those, and the provincial platform handing incidents
# down to its jurisdiction and below (it never closes a county's incident).
INCIDENT_ROLES = (*INCIDENT_CLOSERS, Role.SYNC_CLIENT)


def can_record_incidents(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*INCIDENT_ROLES)
    )


def can_close_incidents(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*INCIDENT_CLOSERS)
    )


def _event_payload(incident: Incident, **extra: Any) -> dict[str, Any]:
    return {
        "incident_id": incident.pk,
        "title": incident.title,
        "level": incident.level,
        "status": incident.status,
        "latitude": float(incident.latitude),
        "longitude": float(incident.longitude),
        **extra,
    }


@transaction.atomic
def create_incident(*, actor: User, data: dict[str, Any]) -> Incident:
    """Record an incoming incident (SPEC §3: received time, source, GB/T 35561 type,
    level, location, jurisdiction)."""
    if not can_record_incidents(actor):
        raise PermissionDeniedError(_("Your role may not record incidents."))
    incident = Incident(reported_by=actor, **data)
    if incident.received_at is None:
        incident.received_at = timezone.now()
    if incident.jurisdiction_id is None:
        incident.jurisdiction = actor.jurisdiction
    if not in_jurisdiction(actor, incident.jurisdiction):
        raise ValidationFailed(
            _("The incident's jurisdiction is outside yours."),
            errors={"jurisdiction": [_("Outside your jurisdiction.")]},
        )
    validated(incident)
    incident._history_user = actor
    incident.save()
    record_event(
        type=IncidentEvent.CREATED,
        jurisdiction=incident.jurisdiction,
        subject=incident,
        actor=actor,
        payload=_event_payload(incident, source=incident.source),
    )
    reports.ensure_reports(incident=incident, actor=actor)
    return incident


def _load_for_update(actor: Any, incident_id: int, *, closing: bool = False) -> Incident:
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None or not in_jurisdiction(actor, incident.jurisdiction):
        raise NotFoundError(_("No such incident in your jurisdiction."))
    if not can_record_incidents(actor):
        raise PermissionDeniedError(_("Your role may not change incidents."))
    if closing and not can_close_incidents(actor):
        raise PermissionDeniedError(_("Your role may not close incidents."))
    return incident


@transaction.atomic
def update_incident(*, actor: User, incident_id: int, data: dict[str, Any]) -> Incident:
    """Change an open incident; a level change is a re-assessment and says so. Nothing
    to change (an identical upsert, a form saved as it was) saves and records nothing,
    even on a closed incident."""
    incident = _load_for_update(actor, incident_id)
    old_level = incident.level
    changed = []
    for name, value in data.items():
        if name in {"status", "reported_by", "closed_at"}:
            continue
        if getattr(incident, name) != value:
            setattr(incident, name, value)
            changed.append(name)
    if not changed:
        return incident
    if incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("A closed incident cannot be changed."), code="incident_closed")
    if "jurisdiction" in changed and not in_jurisdiction(actor, incident.jurisdiction):
        raise ValidationFailed(
            _("The incident's jurisdiction is outside yours."),
            errors={"jurisdiction": [_("Outside your jurisdiction.")]},
        )
    validated(incident)
    incident._history_user = actor
    incident.save(update_fields=[*changed, "updated_at"])
    event_type = IncidentEvent.REASSESSED if "level" in changed else IncidentEvent.UPDATED
    record_event(
        type=event_type,
        jurisdiction=incident.jurisdiction,
        subject=incident,
        actor=actor,
        payload=_event_payload(incident, changed=changed, old_level=old_level),
    )
    reports.ensure_reports(incident=incident, actor=actor)
    return incident


@transaction.atomic
def close_incident(*, actor: User, incident_id: int) -> Incident:
    incident = _load_for_update(actor, incident_id, closing=True)
    if incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("The incident is already closed."), code="incident_closed")
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = timezone.now()
    incident._history_user = actor
    incident.save(update_fields=["status", "closed_at", "updated_at"])
    record_event(
        type=IncidentEvent.CLOSED,
        jurisdiction=incident.jurisdiction,
        subject=incident,
        actor=actor,
        payload=_event_payload(incident),
    )
    reports.require_final_report(incident=incident, actor=actor)
    return incident
