"""Writes to incidents (SPEC §3; issue 13 intake). Duty officers, fire dispatchers and
administrators of the incident's jurisdiction record and update incidents; the centre
(the same roles) transfers a non-emergency call to 12345, hands a sea incident to the
maritime SAR centre, hands a case over under 首接负责制, re-assesses the level with a
reason and closes the incident. The unit an incident was handed to reports back with
notes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command import closing, reports, selectors
from command.choices import Disposition, HandoverKind, IncidentLevel, IncidentStatus
from command.events import IncidentEvent
from command.models import (
    HotlineTransfer,
    Incident,
    IncidentAssessment,
    IncidentHandover,
    IncidentNote,
)
from core import visibility
from core.choices import OrganisationKind
from core.events import record_event
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Organisation, User
from core.permissions import in_jurisdiction
from core.roles import Role
from core.saving import validated

# Who closes incidents and decides where a call goes: the centre's own roles.
INCIDENT_CLOSERS = (Role.DUTY_OFFICER, Role.FIRE_DISPATCHER, Role.ADMINISTRATOR)
# Who records and changes them: those, and the provincial platform handing incidents
# down to its jurisdiction and below (it never closes a county's incident).
INCIDENT_ROLES = (*INCIDENT_CLOSERS, Role.SYNC_CLIENT)
# Fields the plain edit never writes: they change through their own steps.
_STEP_FIELDS = frozenset(
    {
        "status",
        "reported_by",
        "closed_at",
        "level",
        "disposition",
        "first_receiver",
        "handling_unit",
        "command_authority",
        "commander",
    }
)


def can_record_incidents(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*INCIDENT_ROLES)
    )


def can_close_incidents(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*INCIDENT_CLOSERS)
    )


# Transfers, hand-overs and re-assessments are the centre's decisions, like closing.
can_direct_incidents = can_close_incidents


def _coordinate(value: Any) -> float | None:
    return None if value is None else float(value)


def _event_payload(incident: Incident, **extra: Any) -> dict[str, Any]:
    return {
        "incident_id": incident.pk,
        "title": incident.title,
        "level": incident.level,
        "status": incident.status,
        "disposition": incident.disposition,
        "latitude": _coordinate(incident.latitude),
        "longitude": _coordinate(incident.longitude),
        "address": incident.address,
        **extra,
    }


def _record(incident: Incident, event_type: IncidentEvent, actor: Any, **extra: Any) -> None:
    organisation = extra.pop("organisation", None)
    record_event(
        type=event_type,
        jurisdiction=incident.jurisdiction,
        subject=incident,
        actor=actor,
        organisation=organisation,
        payload=_event_payload(incident, **extra),
    )


@transaction.atomic
def create_incident(*, actor: User, data: dict[str, Any]) -> Incident:
    """Record an incoming call or report (SPEC §3; Zhoushan §二.3): received time,
    source, GB/T 35561 type, level, the place (an address, coordinates or both), the
    caller and the call-back number. 首接负责制: the recording user's unit is the first
    receiver and handles the case until it hands it over."""
    if not can_record_incidents(actor):
        raise PermissionDeniedError(_("Your role may not record incidents."))
    fields = {k: v for k, v in data.items() if k not in {"disposition", "handling_unit"}}
    incident = Incident(reported_by=actor, **fields)
    if incident.received_at is None:
        incident.received_at = timezone.now()
    if incident.jurisdiction_id is None:
        incident.jurisdiction = actor.jurisdiction
    if incident.first_receiver_id is None and actor.organisation_id:
        incident.first_receiver_id = actor.organisation_id
    incident.handling_unit_id = incident.first_receiver_id
    if not in_jurisdiction(actor, incident.jurisdiction):
        raise ValidationFailed(
            _("The incident's jurisdiction is outside yours."),
            errors={"jurisdiction": [_("Outside your jurisdiction.")]},
        )
    validated(incident)
    incident._history_user = actor
    incident.save()
    _record(incident, IncidentEvent.CREATED, actor, source=incident.source)
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


def _require_open(incident: Incident) -> None:
    if incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("A closed incident cannot be changed."), code="incident_closed")


def _assess(incident: Incident, actor: Any, level: str, reason: str) -> IncidentAssessment:
    assessment = IncidentAssessment(
        incident=incident,
        from_level=incident.level,
        to_level=level,
        reason=reason,
        assessed_at=timezone.now(),
        assessed_by=actor,
    )
    validated(assessment)
    assessment.save()
    return assessment


@transaction.atomic
def update_incident(
    *, actor: User, incident_id: int, data: dict[str, Any], reassessment_reason: str = ""
) -> Incident:
    """Change an open incident. The level changes only through a re-assessment with a
    reason: ``reassess_incident``, or here with ``reassessment_reason`` (the provincial
    platform's upsert says where its change came from). Nothing to change (an identical
    upsert, a form saved as it was) saves and records nothing, even on a closed
    incident."""
    incident = _load_for_update(actor, incident_id)
    old_level = incident.level
    new_level = data.get("level", old_level)
    level_changes = new_level != old_level
    if level_changes and not reassessment_reason.strip():
        raise ValidationFailed(
            _("The level changes only by a re-assessment with a reason."),
            code="reassessment_required",
            errors={"level": [_("Re-assess the level with a reason.")]},
        )
    changed = []
    for name, value in data.items():
        if name in _STEP_FIELDS:
            continue
        if getattr(incident, name) != value:
            setattr(incident, name, value)
            changed.append(name)
    if not changed and not level_changes:
        return incident
    _require_open(incident)
    if "jurisdiction" in changed and not in_jurisdiction(actor, incident.jurisdiction):
        raise ValidationFailed(
            _("The incident's jurisdiction is outside yours."),
            errors={"jurisdiction": [_("Outside your jurisdiction.")]},
        )
    if level_changes:
        if new_level not in IncidentLevel.values:
            raise ValidationFailed(_("Unknown level."), errors={"level": [_("Unknown level.")]})
        _assess(incident, actor, new_level, reassessment_reason.strip())
        incident.level = new_level
        changed.append("level")
    validated(incident)
    incident._history_user = actor
    incident.save(update_fields=[*changed, "updated_at"])
    if level_changes:
        _record(
            incident,
            IncidentEvent.REASSESSED,
            actor,
            changed=changed,
            old_level=old_level,
            reason=reassessment_reason.strip(),
        )
    else:
        _record(incident, IncidentEvent.UPDATED, actor, changed=changed, old_level=old_level)
    reports.ensure_reports(incident=incident, actor=actor)
    return incident


def _load_for_direction(actor: Any, incident_id: int) -> Incident:
    incident = _load_for_update(actor, incident_id)
    if not can_direct_incidents(actor):
        raise PermissionDeniedError(_("Only the centre decides where an incident goes."))
    return incident


@transaction.atomic
def reassess_incident(*, actor: User, incident_id: int, level: str, reason: str) -> Incident:
    """Re-assess the level (Zhoushan §三.1 分级分类): a recorded step with its reason."""
    incident = _load_for_update(actor, incident_id)
    _require_open(incident)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say why the level changes."), errors={"reason": [_("This field is required.")]}
        )
    if level not in IncidentLevel.values:
        raise ValidationFailed(_("Unknown level."), errors={"level": [_("Unknown level.")]})
    if level == incident.level:
        raise InvalidTransition(_("The incident already has this level."), code="same_level")
    old_level = incident.level
    assessment = _assess(incident, actor, level, reason)
    incident.level = level
    incident._history_user = actor
    incident.save(update_fields=["level", "updated_at"])
    _record(
        incident,
        IncidentEvent.REASSESSED,
        actor,
        changed=["level"],
        old_level=old_level,
        reason=reason,
        assessment_id=assessment.pk,
    )
    reports.ensure_reports(incident=incident, actor=actor)
    return incident


def _leaving_emergency_flow(incident: Incident) -> None:
    _require_open(incident)
    if incident.disposition != Disposition.EMERGENCY:
        raise InvalidTransition(
            _("The incident has already left the emergency flow."), code="not_emergency"
        )


def _organisation(pk: int | None, kind: str, field: str) -> Organisation | None:
    if pk is None:
        return None
    found = Organisation.objects.filter(pk=pk, kind=kind, is_active=True).first()
    if found is None:
        raise ValidationFailed(
            _("No such organisation of this kind."), errors={field: [_("Not found.")]}
        )
    return found


@transaction.atomic
def transfer_to_hotline(
    *,
    actor: User,
    incident_id: int,
    summary: str,
    work_order_number: str = "",
    hotline_id: int | None = None,
) -> HotlineTransfer:
    """A non-emergency call becomes a 12345 work order (Zhoushan §二.3) and leaves the
    emergency flow: no plans, not on the dashboard. Refused while forces are out."""
    incident = _load_for_direction(actor, incident_id)
    _leaving_emergency_flow(incident)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationFailed(
            _("Summarise the call for the hotline."),
            errors={"summary": [_("This field is required.")]},
        )
    lines = closing.open_work(incident)
    if lines:
        raise ConflictError(
            _("Work is still open on this incident: %(lines)s") % {"lines": "; ".join(lines)},
            code="open_work",
            errors={"open_work": lines},
        )
    hotline = _organisation(hotline_id, OrganisationKind.HOTLINE_12345, "hotline")
    if hotline is None:
        hotline = selectors.hotline_of(incident.jurisdiction)
    transfer = HotlineTransfer(
        incident=incident,
        hotline=hotline,
        work_order_number=(work_order_number or "").strip(),
        summary=summary,
        transferred_at=timezone.now(),
        transferred_by=actor,
    )
    validated(transfer, exclude=["incident"])
    transfer._history_user = actor
    transfer.save()
    incident.disposition = Disposition.HOTLINE
    incident._history_user = actor
    incident.save(update_fields=["disposition", "updated_at"])
    _record(
        incident,
        IncidentEvent.TRANSFERRED_TO_HOTLINE,
        actor,
        work_order_number=transfer.work_order_number,
        hotline=hotline.name if hotline else "",
    )
    return transfer


@transaction.atomic
def record_hotline_reply(
    *, actor: User, incident_id: int, reply: str, work_order_number: str = ""
) -> HotlineTransfer:
    """The 12345 hotline answered the work order: its reply, recorded once."""
    incident = _load_for_direction(actor, incident_id)
    transfer = HotlineTransfer.objects.select_for_update().filter(incident=incident).first()
    if transfer is None:
        raise InvalidTransition(
            _("The incident was not transferred to 12345."), code="not_transferred"
        )
    if transfer.replied_at is not None:
        raise InvalidTransition(_("The reply is already recorded."), code="already_replied")
    reply = (reply or "").strip()
    if not reply:
        raise ValidationFailed(
            _("Record what the hotline replied."),
            errors={"reply": [_("This field is required.")]},
        )
    transfer.reply = reply
    transfer.replied_at = timezone.now()
    transfer.reply_recorded_by = actor
    fields = ["reply", "replied_at", "reply_recorded_by"]
    if work_order_number.strip() and not transfer.work_order_number:
        transfer.work_order_number = work_order_number.strip()
        fields.append("work_order_number")
    validated(transfer, exclude=["incident"])
    transfer._history_user = actor
    transfer.save(update_fields=fields)
    _record(
        incident,
        IncidentEvent.HOTLINE_REPLIED,
        actor,
        work_order_number=transfer.work_order_number,
    )
    return transfer


def _hand(
    incident: Incident, actor: Any, to_unit: Organisation, kind: str, note: str
) -> IncidentHandover:
    from_unit_id = incident.handling_unit_id or incident.first_receiver_id or actor.organisation_id
    if from_unit_id is None:
        raise ValidationFailed(_("Nobody handles this incident yet."), code="no_handling_unit")
    if from_unit_id == to_unit.pk:
        raise InvalidTransition(
            _("This unit already handles the incident."), code="already_handling"
        )
    handover = IncidentHandover(
        incident=incident,
        kind=kind,
        from_unit_id=from_unit_id,
        to_unit=to_unit,
        handed_at=timezone.now(),
        recorded_by=actor,
        note=(note or "").strip(),
    )
    validated(handover, exclude=["incident"])
    handover.save()
    incident.handling_unit = to_unit
    return handover


def _after_handover(incident: Incident, handover: IncidentHandover) -> None:
    from command.notifications import notify_incident_handed

    notify_incident_handed(incident, handover)


@transaction.atomic
def hand_over(
    *, actor: User, incident_id: int, to_unit_id: int, note: str = ""
) -> IncidentHandover:
    """首接负责制 (Zhoushan §三.1): the unit handling the case hands it to the responsible
    unit that has arrived — time, both parties, note. The taking unit is told."""
    incident = _load_for_direction(actor, incident_id)
    _require_open(incident)
    to_unit = Organisation.objects.select_related("jurisdiction").filter(pk=to_unit_id).first()
    if to_unit is None or not to_unit.is_active:
        raise ValidationFailed(_("No such unit."), errors={"to_unit": [_("Not found.")]})
    if to_unit.kind in {OrganisationKind.MARITIME_SAR, OrganisationKind.HOTLINE_12345}:
        raise ValidationFailed(
            _("Use the maritime or 12345 step for this unit."),
            errors={"to_unit": [_("Use the maritime or 12345 step for this unit.")]},
        )
    place = incident.jurisdiction
    if not (to_unit.jurisdiction.contains(place) or place.contains(to_unit.jurisdiction)):
        raise ValidationFailed(
            _("The unit is outside the incident's area."),
            errors={"to_unit": [_("Outside the incident's area.")]},
        )
    handover = _hand(incident, actor, to_unit, HandoverKind.RESPONSIBLE_UNIT, note)
    incident._history_user = actor
    incident.save(update_fields=["handling_unit", "updated_at"])
    _after_handover(incident, handover)
    _record(
        incident,
        IncidentEvent.HANDED_OVER,
        actor,
        organisation=to_unit,
        kind=handover.kind,
        from_unit=handover.from_unit.name,
        to_unit=to_unit.name,
        handover_id=handover.pk,
    )
    return handover


@transaction.atomic
def hand_to_maritime(
    *, actor: User, incident_id: int, maritime_unit_id: int | None = None, note: str = ""
) -> IncidentHandover:
    """A sea or inland-waterway incident goes to the maritime SAR centre (Zhoushan §二.3),
    which then commands it and reports back through its own account. The incident
    leaves the centre's emergency flow."""
    incident = _load_for_direction(actor, incident_id)
    _leaving_emergency_flow(incident)
    centre = _organisation(maritime_unit_id, OrganisationKind.MARITIME_SAR, "maritime_unit")
    if centre is None:
        centre = selectors.maritime_centre_of(incident.jurisdiction)
    if centre is None:
        raise ValidationFailed(
            _("No maritime search-and-rescue centre is registered for this area."),
            code="no_maritime_centre",
            errors={"maritime_unit": [_("No maritime SAR centre for this area.")]},
        )
    handover = _hand(incident, actor, centre, HandoverKind.MARITIME, note)
    incident.disposition = Disposition.MARITIME
    incident._history_user = actor
    incident.save(update_fields=["handling_unit", "disposition", "updated_at"])
    _after_handover(incident, handover)
    _record(
        incident,
        IncidentEvent.HANDED_OVER,
        actor,
        organisation=centre,
        kind=handover.kind,
        from_unit=handover.from_unit.name,
        to_unit=centre.name,
        handover_id=handover.pk,
    )
    return handover


def can_add_note(user: Any, incident: Incident) -> bool:
    """The centre of the incident's jurisdiction, or the unit handling it now."""
    centre = can_direct_incidents(user) and visibility_in(user, incident)
    return centre or selectors.is_handling_unit_user(user, incident)


def visibility_in(user: Any, incident: Incident) -> bool:
    return in_jurisdiction(user, incident.jurisdiction)


@transaction.atomic
def add_note(*, actor: User, incident_id: int, text: str) -> IncidentNote:
    """Progress reported back: by the unit handling the incident (the maritime SAR
    centre through its own account) or by the centre."""
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None or not (
        (visibility.can_read_incidents(actor) and visibility_in(actor, incident))
        or selectors.is_handling_unit_user(actor, incident)
    ):
        raise NotFoundError(_("No such incident."))
    if not can_add_note(actor, incident):
        raise PermissionDeniedError(_("Your unit does not handle this incident."))
    _require_open(incident)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(
            _("Write what you report."), errors={"text": [_("This field is required.")]}
        )
    note = IncidentNote(
        incident=incident, organisation_id=actor.organisation_id, author=actor, text=text
    )
    if note.organisation_id is None:
        raise ValidationFailed(_("Your account has no organisation."), code="no_organisation")
    validated(note, exclude=["incident"])
    note.save()
    _record(
        incident,
        IncidentEvent.NOTE_ADDED,
        actor,
        organisation=actor.organisation,
        note_id=note.pk,
        by=actor.organisation.name,
    )
    return note


@transaction.atomic
def close_incident(
    *, actor: User, incident_id: int, end_open_work: bool = False, reason: str = ""
) -> Incident:
    """Close the incident. Work still open on it (registered in ``command.closing``:
    call-out orders, an active response) refuses the close with 409 ``open_work`` and
    its lines — unless the closer ends that work explicitly, with a reason, in the same
    transaction."""
    incident = _load_for_update(actor, incident_id, closing=True)
    if incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("The incident is already closed."), code="incident_closed")
    reason = (reason or "").strip()
    lines = closing.open_work(incident)
    ended = 0
    if lines:
        if not end_open_work:
            raise ConflictError(
                _("Work is still open on this incident: %(lines)s") % {"lines": "; ".join(lines)},
                code="open_work",
                errors={"open_work": lines},
            )
        if not reason:
            raise ValidationFailed(
                _("Say why the open work is ended."),
                errors={"reason": [_("This field is required.")]},
            )
        for work in closing.registered():
            ended += work.end(incident, actor, reason)
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = timezone.now()
    incident._history_user = actor
    incident.save(update_fields=["status", "closed_at", "updated_at"])
    extra: dict[str, Any] = {}
    if lines:
        extra = {"ended_work": lines, "ended_count": ended, "reason": reason}
    _record(incident, IncidentEvent.CLOSED, actor, **extra)
    reports.require_final_report(incident=incident, actor=actor)
    return incident
