"""Every write of a requisition (紧急调用/征用 of equipment and machinery from enterprises and
social owners for an incident, Liaocheng §四.3): request it (the owner is told by SMS),
record the hand-over and the return (condition, damage), or cancel it before hand-over.
Each one locks its row, authorises (``permissions``), checks the transition, saves with
update_fields and records its event last; the owner's SMS leaves after commit through
notify. The compensation claim at the end is support.compensation.services.create_claim
with ``requisition=``.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command.choices import IncidentStatus
from command.models import Incident
from core.events import record_event
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import User
from core.phones import validate_phone
from support.choices import REQUISITION_TRANSITIONS, RequisitionMode, RequisitionStatus
from support.events import RequisitionEvent
from support.models import Requisition
from support.requisition import notifications
from support.requisition.permissions import can_cancel, can_record, can_request

__all__ = [
    "cancel_requisition",
    "record_handover",
    "record_return",
    "request_requisition",
]

# A requisition lasts at most this long; a longer need is a new one.
MAX_PERIOD = datetime.timedelta(days=90)
TEXT_LIMIT = 2000


def new_number(prefix: str = "ZY") -> str:
    """ZY-20261204-3FA9C1: the date and a random tail (unique by the column's constraint)."""
    return f"{prefix}-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    equipment = data.get("equipment")
    organisation = data.get("owner_organisation")
    if organisation is None and equipment is not None:
        organisation = equipment.force.organisation
    description = (data.get("description") or "").strip()
    if not description and equipment is not None:
        description = f"{equipment.name} {equipment.model}".strip()
    if not description:
        errors["description"] = [_("Say what equipment or machinery is needed.")]
    quantity = data.get("quantity", 1)
    if not isinstance(quantity, int) or quantity < 1:
        errors["quantity"] = [_("The quantity is a whole number of at least 1.")]
    owner_name = (data.get("owner_name") or "").strip()
    if not owner_name and organisation is not None:
        owner_name = organisation.name
    if not owner_name:
        errors["owner_name"] = [_("Name the owner (a unit or a person).")]
    owner_phone = (data.get("owner_phone") or "").strip()
    if not owner_phone and organisation is not None:
        owner_phone = organisation.duty_phone or ""
    if not owner_phone:
        errors["owner_phone"] = [_("The owner's phone is required: the owner is told by SMS.")]
    else:
        try:
            validate_phone(owner_phone)
        except ValidationError as exc:
            errors["owner_phone"] = list(exc.messages)
    start, end = data.get("needed_from"), data.get("needed_until")
    if not isinstance(start, datetime.datetime):
        errors["needed_from"] = [_("Give the start of the period.")]
    if not isinstance(end, datetime.datetime):
        errors["needed_until"] = [_("Give the end of the period.")]
    if isinstance(start, datetime.datetime) and isinstance(end, datetime.datetime):
        if end <= start:
            errors["needed_until"] = [_("The end must come after the start.")]
        elif end - start > MAX_PERIOD:
            errors["needed_until"] = [_("A requisition lasts at most 90 days.")]
    purpose = (data.get("purpose") or "").strip()
    if not purpose:
        errors["purpose"] = [_("Say what the equipment is needed for.")]
    mode = data.get("mode") or RequisitionMode.CALL
    if mode not in RequisitionMode.values:
        errors["mode"] = [_("Unknown mode.")]
    if errors:
        raise ValidationFailed(_("The requisition is incomplete."), errors=errors)
    return {
        "mode": mode,
        "equipment": equipment,
        "description": description[:200],
        "quantity": quantity,
        "plate_or_serial": (data.get("plate_or_serial") or "").strip()[:60],
        "with_operator": bool(data.get("with_operator")),
        "owner_organisation": organisation,
        "owner_name": owner_name[:150],
        "owner_phone": owner_phone,
        "needed_from": start,
        "needed_until": end,
        "purpose": purpose[:TEXT_LIMIT],
    }


def request_requisition(*, actor: User, incident_id: int, data: dict[str, Any]) -> Requisition:
    """Call up (or requisition) equipment for an open incident; the owner is told by SMS."""
    with transaction.atomic():
        incident = Incident.objects.select_related("jurisdiction").filter(pk=incident_id).first()
        if incident is None:
            raise NotFoundError(_("No such incident."))
        if not can_request(actor, incident.jurisdiction):
            raise PermissionDeniedError(_("You may not requisition equipment for this incident."))
        if incident.status != IncidentStatus.OPEN:
            raise InvalidTransition(_("This incident is closed."), code="incident_closed")
        fields = _clean(data)
        requisition = Requisition.objects.create(
            number=new_number(),
            jurisdiction=incident.jurisdiction,
            incident=incident,
            requested_by=actor,
            **fields,
        )
        requester = actor.organisation.name if actor.organisation_id else str(actor)
        notifications.notify_owner(requisition, requester)
        record_event(
            type=RequisitionEvent.REQUESTED,
            jurisdiction=requisition.jurisdiction,
            subject=requisition,
            payload={
                "requisition": requisition.pk,
                "number": requisition.number,
                "incident": incident.pk,
                "description": requisition.description,
                "owner": requisition.owner_name,
            },
            actor=actor,
            organisation=requisition.owner_organisation,
        )
    return requisition


def _locked(requisition_id: int) -> Requisition:
    requisition = (
        Requisition.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "incident", "owner_organisation")
        .filter(pk=requisition_id)
        .first()
    )
    if requisition is None:
        raise NotFoundError(_("No such requisition."))
    return requisition


def _check_transition(requisition: Requisition, target: str) -> None:
    if target not in REQUISITION_TRANSITIONS[requisition.status]:
        raise InvalidTransition(
            _("This requisition is %(status)s.") % {"status": requisition.get_status_display()},
            code="requisition_state",
        )


def _moment(at: Any, field: str) -> datetime.datetime:
    if at is None:
        return timezone.now()
    if not isinstance(at, datetime.datetime):
        raise ValidationFailed(
            _("Give a date and time."), errors={field: [_("Give a date and time.")]}
        )
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationFailed(
            _("The moment cannot be in the future."),
            errors={field: [_("The moment cannot be in the future.")]},
        )
    return at


def _event(requisition: Requisition, type_: str, actor: User, **extra: Any) -> None:
    record_event(
        type=type_,
        jurisdiction=requisition.jurisdiction,
        subject=requisition,
        payload={"requisition": requisition.pk, "number": requisition.number, **extra},
        actor=actor,
        organisation=requisition.owner_organisation,
    )


def record_handover(
    *, actor: User, requisition_id: int, at: datetime.datetime | None = None, condition: str
) -> Requisition:
    """The owner handed the equipment over, in this condition; it is now in use."""
    with transaction.atomic():
        requisition = _locked(requisition_id)
        if not can_record(actor, requisition):
            raise PermissionDeniedError(_("You may not record this hand-over."))
        _check_transition(requisition, RequisitionStatus.HANDED_OVER)
        condition = (condition or "").strip()
        if not condition:
            raise ValidationFailed(
                _("Record the condition at hand-over."),
                errors={"condition": [_("Record the condition at hand-over.")]},
            )
        requisition.status = RequisitionStatus.HANDED_OVER
        requisition.handed_over_at = _moment(at, "at")
        requisition.handover_condition = condition[:TEXT_LIMIT]
        requisition.handover_recorded_by = actor
        requisition.save(
            update_fields=[
                "status",
                "handed_over_at",
                "handover_condition",
                "handover_recorded_by",
                "updated_at",
            ]
        )
        notifications.close_requisition(requisition)
        _event(requisition, RequisitionEvent.HANDED_OVER, actor)
    return requisition


def record_return(
    *,
    actor: User,
    requisition_id: int,
    at: datetime.datetime | None = None,
    condition: str,
    damage: str = "",
) -> Requisition:
    """The equipment went back to its owner, in this condition (damage or loss noted: the
    basis of the owner's compensation claim)."""
    with transaction.atomic():
        requisition = _locked(requisition_id)
        if not can_record(actor, requisition):
            raise PermissionDeniedError(_("You may not record this return."))
        _check_transition(requisition, RequisitionStatus.RETURNED)
        condition = (condition or "").strip()
        if not condition:
            raise ValidationFailed(
                _("Record the condition at return."),
                errors={"condition": [_("Record the condition at return.")]},
            )
        at = _moment(at, "at")
        if requisition.handed_over_at and at < requisition.handed_over_at:
            raise ValidationFailed(
                _("The return cannot come before the hand-over."),
                errors={"at": [_("The return cannot come before the hand-over.")]},
            )
        requisition.status = RequisitionStatus.RETURNED
        requisition.returned_at = at
        requisition.return_condition = condition[:TEXT_LIMIT]
        requisition.damage = (damage or "").strip()[:TEXT_LIMIT]
        requisition.return_recorded_by = actor
        requisition.save(
            update_fields=[
                "status",
                "returned_at",
                "return_condition",
                "damage",
                "return_recorded_by",
                "updated_at",
            ]
        )
        _event(requisition, RequisitionEvent.RETURNED, actor, damage=bool(requisition.damage))
    return requisition


def cancel_requisition(*, actor: User, requisition_id: int, reason: str) -> Requisition:
    """Not needed after all (before hand-over only); the owner's notification closes."""
    with transaction.atomic():
        requisition = _locked(requisition_id)
        if not can_cancel(actor, requisition):
            raise PermissionDeniedError(_("You may not cancel this requisition."))
        _check_transition(requisition, RequisitionStatus.CANCELLED)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationFailed(
                _("Give the reason for cancelling."),
                errors={"reason": [_("Give the reason for cancelling.")]},
            )
        requisition.status = RequisitionStatus.CANCELLED
        requisition.cancel_reason = reason[:200]
        requisition.save(update_fields=["status", "cancel_reason", "updated_at"])
        notifications.close_requisition(requisition)
        _event(requisition, RequisitionEvent.CANCELLED, actor, reason=requisition.cancel_reason)
    return requisition
