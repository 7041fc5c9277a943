"""Passage (Liaocheng §四.2 交通运输保障): traffic-control and emergency-channel requests to
the traffic police or the transport bureau for an incident, and free-passage passes for
rescue vehicles (应急救援车辆免费通行) with a signed, expiring QR code.

Every write here: in one transaction lock the row, authorise (role, jurisdiction,
addressee), check the transition (support.choices.PASSAGE_TRANSITIONS), save the changed
fields, record one PassageEvent last; notify's rows are written in the same transaction
and sent after commit.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django.conf import settings
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
from core.models import Event, Jurisdiction, Organisation, User
from forces.models import Force
from notify.types import Responder
from support.choices import PASSAGE_TRANSITIONS, PassageKind, PassageStatus
from support.events import PassageEvent
from support.models import PassageRequest, VehiclePass
from support.passage import notifications
from support.passage.permissions import (
    PASSAGE_SECTORS,
    is_addressee,
    may_answer_passage,
    may_issue_pass,
    may_request_passage,
)

__all__ = [
    "acknowledge_passage",
    "answer_passage",
    "issue_pass",
    "lift_passage",
    "normalise_plate",
    "request_passage",
    "revoke_pass",
    "withdraw_passage",
]

# Province abbreviations of mainland plates (GA 36).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_SERIAL = "[A-HJ-NP-Z0-9]"  # no I, no O
PLATE_PATTERNS = (
    # Ordinary: 鲁P12345, 鲁PD1234 … (7 characters).
    re.compile(rf"^[{PROVINCES}][A-Z]{_SERIAL}{{5}}$"),
    # New energy, small car: 鲁PD12345 / 鲁PF12345 (D battery, F hybrid), 8 characters.
    re.compile(rf"^[{PROVINCES}][A-Z][A-HJK]{_SERIAL}[0-9]{{4}}$"),
    # New energy, large vehicle: 鲁P12345D, 8 characters.
    re.compile(rf"^[{PROVINCES}][A-Z][0-9]{{5}}[DF]$"),
    # Trailer, coach, police, Hong Kong / Macau: 鲁P1234挂 …
    re.compile(rf"^[{PROVINCES}][A-Z]{_SERIAL}{{4}}[挂学警港澳]$"),
    # Emergency rescue (应急救援专用号牌): 鲁P1234应急 / 鲁P12345应急.
    re.compile(rf"^[{PROVINCES}][A-Z]{_SERIAL}{{4,5}}应急$"),
)
_PLATE_NOISE = re.compile(r"[\s·•.\-]")


def normalise_plate(value: str) -> str:
    """The plate as stored: upper case, without spaces or the dot (鲁P·12345 → 鲁P12345)."""
    return _PLATE_NOISE.sub("", str(value or "")).upper()


def _check_plate(value: str) -> str:
    plate = normalise_plate(value)
    if not any(p.match(plate) for p in PLATE_PATTERNS):
        raise ValidationFailed(
            _("Enter a Chinese plate such as 鲁P12345 or a new-energy plate such as 鲁PD12345."),
            errors={"plate": [_("Not a Chinese plate number.")]},
        )
    return plate


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _required(data: dict[str, Any], *names: str) -> None:
    missing = {
        name: [_("This field is required.")]
        for name in names
        if data.get(name) in (None, "")
        or (isinstance(data.get(name), str) and not data[name].strip())
    }
    if missing:
        raise ValidationFailed(_("Some required fields are missing."), errors=missing)


def _as_aware(value: Any, field: str) -> datetime.datetime:
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        parsed = parse_datetime(value)
        if parsed is None:
            raise ValidationFailed(
                _("Enter a valid date and time."),
                errors={field: [_("Enter a valid date and time.")]},
            )
        value = parsed
    if not isinstance(value, datetime.datetime):
        raise ValidationFailed(
            _("Enter a valid date and time."), errors={field: [_("Enter a valid date and time.")]}
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _placeholder() -> str:
    return f"~{uuid.uuid4().hex[:30]}"


# --- requests -----------------------------------------------------------------------------


def _locked_request(request_id: int) -> PassageRequest:
    found = (
        PassageRequest.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "addressee", "incident")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise NotFoundError(_("No such passage request."))
    return found


def _check_transition(request: PassageRequest, target: str) -> None:
    if target not in PASSAGE_TRANSITIONS[request.status]:
        raise InvalidTransition(
            _("The request is %(status)s: it cannot be changed that way.")
            % {"status": request.get_status_display()},
            code="invalid_transition",
        )


def _request_event(
    type_: PassageEvent, request: PassageRequest, actor: User | None, **payload: Any
) -> None:
    record_event(
        type=type_,
        jurisdiction=request.jurisdiction,
        subject=request,
        payload={
            "number": request.number,
            "kind": request.kind,
            "status": request.status,
            "incident": request.incident_id,
            "addressee": request.addressee_id,
            **payload,
        },
        actor=actor,
        organisation=request.addressee,
    )


def _addressee(value: Any, incident: Incident) -> Organisation:
    addressee = Organisation.objects.filter(pk=_pk(value), is_active=True).first()
    message = _("Address the request to the traffic police or the transport bureau of the area.")
    if (
        addressee is None
        or addressee.sector not in PASSAGE_SECTORS
        or addressee.jurisdiction.code not in incident.jurisdiction.ancestors_and_self()
    ):
        raise ValidationFailed(message, errors={"addressee": [message]})
    return addressee


def request_passage(*, actor: User, incident_id: int, data: dict[str, Any]) -> PassageRequest:
    """Ask the traffic police or the transport bureau for traffic control, an emergency
    channel or the reopening of a road for an incident (Liaocheng §四.2). The bureau or
    the fire brigade of the incident's jurisdiction; the addressee is told by SMS and
    chased until it acknowledges."""
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related("jurisdiction")
            .filter(pk=incident_id)
            .first()
        )
        if incident is None or not (
            actor.is_superuser
            or (
                actor.jurisdiction is not None
                and actor.jurisdiction.contains(incident.jurisdiction)
            )
        ):
            raise NotFoundError(_("No such incident."))
        if not may_request_passage(actor, incident.jurisdiction):
            raise PermissionDeniedError(
                _("Only the bureau or the fire brigade of the area asks for passage.")
            )
        if incident.status != IncidentStatus.OPEN:
            raise InvalidTransition(_("The incident is closed."), code="incident_closed")
        _required(data, "kind", "addressee", "area", "reason", "starts_at")
        if data["kind"] not in PassageKind.values:
            raise ValidationFailed(
                _("Choose a kind of passage."), errors={"kind": [_("Choose a kind of passage.")]}
            )
        addressee = _addressee(data["addressee"], incident)
        starts_at = _as_aware(data["starts_at"], "starts_at")
        ends_at = _as_aware(data["ends_at"], "ends_at") if data.get("ends_at") else None
        if ends_at is not None and ends_at <= starts_at:
            message = _("The end must come after the start.")
            raise ValidationFailed(message, errors={"ends_at": [message]})
        request = PassageRequest.objects.create(
            number=_placeholder(),
            jurisdiction=incident.jurisdiction,
            incident=incident,
            kind=data["kind"],
            addressee=addressee,
            area=str(data["area"]).strip()[:300],
            reason=str(data["reason"]).strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            requested_by=actor,
        )
        request.number = f"JT{incident.jurisdiction.code[:6]}-{request.pk:06d}"
        request.save(update_fields=["number"])
        notifications.notify_request(request)
        _request_event(PassageEvent.REQUESTED, request, actor)
    return request


def acknowledge_passage(
    *, actor: User | None = None, request_id: int, responder: Responder | None = None
) -> PassageRequest:
    """The addressee acknowledges (签收) by SMS reply, link or voice key (``actor`` None,
    with the responder notify verified), or on the platform. The chase ends; the answer
    follows with ``answer_passage``."""
    with transaction.atomic():
        request = _locked_request(request_id)
        if actor is None:
            if responder is None:
                raise PermissionDeniedError(_("An acknowledgement needs who gave it."))
        else:
            if not may_answer_passage(actor, request):
                raise PermissionDeniedError(_("Only the addressee acknowledges the request."))
            responder = notifications.web_responder(
                actor, on_behalf=not is_addressee(actor, request.addressee_id)
            )
        if request.status != PassageStatus.SENT:
            raise InvalidTransition(_("Already answered."), code="already_answered")
        if Event.objects.filter(
            type=PassageEvent.ACKNOWLEDGED,
            subject_type=PassageRequest._meta.label_lower,
            subject_id=str(request.pk),
        ).exists():
            raise InvalidTransition(_("Already acknowledged."), code="already_acknowledged")
        notifications.request_acknowledged(request, responder)
        _request_event(
            PassageEvent.ACKNOWLEDGED,
            request,
            actor,
            channel=responder.channel,
            label=responder.label,
        )
    return request


def answer_passage(*, actor: User, request_id: int, accepted: bool, answer: str) -> PassageRequest:
    """The traffic police or the transport bureau accepts (the control or channel is in
    force) or declines, with its answer; the bureau may record the answer on its behalf."""
    answer = (answer or "").strip()
    with transaction.atomic():
        request = _locked_request(request_id)
        if not may_answer_passage(actor, request):
            raise PermissionDeniedError(_("Only the addressee or the bureau answers the request."))
        target = PassageStatus.ACCEPTED if accepted else PassageStatus.DECLINED
        _check_transition(request, target)
        if not accepted and not answer:
            message = _("Say why the request is declined.")
            raise ValidationFailed(message, errors={"answer": [message]})
        request.status = target
        request.answered_by = actor
        request.answered_at = timezone.now()
        request.answer = answer
        request.save(update_fields=["status", "answered_by", "answered_at", "answer", "updated_at"])
        on_behalf = not is_addressee(actor, request.addressee_id)
        notifications.request_acknowledged(
            request, notifications.web_responder(actor, on_behalf=on_behalf)
        )
        _request_event(
            PassageEvent.ACCEPTED if accepted else PassageEvent.DECLINED,
            request,
            actor,
            answer=answer[:200],
            on_behalf=on_behalf,
        )
    return request


def lift_passage(*, actor: User, request_id: int, note: str = "") -> PassageRequest:
    """The control or channel in force is lifted: by the side that asked for it or the
    addressee."""
    with transaction.atomic():
        request = _locked_request(request_id)
        if not (
            may_request_passage(actor, request.jurisdiction)
            or is_addressee(actor, request.addressee_id)
        ):
            raise PermissionDeniedError(_("Only the requester or the addressee lifts it."))
        _check_transition(request, PassageStatus.LIFTED)
        request.status = PassageStatus.LIFTED
        request.lifted_at = timezone.now()
        request.save(update_fields=["status", "lifted_at", "updated_at"])
        _request_event(PassageEvent.LIFTED, request, actor, note=(note or "").strip()[:200])
    return request


def withdraw_passage(*, actor: User, request_id: int, reason: str = "") -> PassageRequest:
    """The requester withdraws a request not yet answered; the chase stops."""
    with transaction.atomic():
        request = _locked_request(request_id)
        if not may_request_passage(actor, request.jurisdiction):
            raise PermissionDeniedError(_("Only the bureau or the fire brigade withdraws it."))
        _check_transition(request, PassageStatus.WITHDRAWN)
        request.status = PassageStatus.WITHDRAWN
        request.save(update_fields=["status", "updated_at"])
        notifications.close_request(request)
        _request_event(PassageEvent.WITHDRAWN, request, actor, reason=(reason or "").strip()[:200])
    return request


# --- vehicle passes ---------------------------------------------------------------------------


def max_pass_days() -> int:
    return int(getattr(settings, "SUPPORT_PASS_MAX_DAYS", 7))


def _pass_event(type_: PassageEvent, vehicle_pass: VehiclePass, actor: User, **payload) -> None:
    record_event(
        type=type_,
        jurisdiction=vehicle_pass.jurisdiction,
        subject=vehicle_pass,
        payload={
            "number": vehicle_pass.number,
            "plate": vehicle_pass.plate,
            "force": vehicle_pass.force_id,
            "incident": vehicle_pass.incident_id,
            "valid_until": vehicle_pass.valid_until.isoformat(),
            **payload,
        },
        actor=actor,
        organisation=vehicle_pass.force.organisation,
    )


def _pass_jurisdiction(actor: User, data: dict[str, Any]) -> tuple[Jurisdiction, Incident | None]:
    incident = None
    if data.get("incident"):
        incident = (
            Incident.objects.select_related("jurisdiction").filter(pk=_pk(data["incident"])).first()
        )
        visible = incident is not None and (
            actor.is_superuser
            or (
                actor.jurisdiction is not None
                and actor.jurisdiction.contains(incident.jurisdiction)
            )
        )
        if not visible:
            message = _("No such incident.")
            raise ValidationFailed(message, errors={"incident": [message]})
        return incident.jurisdiction, incident
    if data.get("jurisdiction"):
        found = Jurisdiction.objects.filter(pk=_pk(data["jurisdiction"])).first()
        if found is None:
            message = _("No such jurisdiction.")
            raise ValidationFailed(message, errors={"jurisdiction": [message]})
        return found, None
    if actor.jurisdiction is None:
        message = _("Name the incident or the jurisdiction of the pass.")
        raise ValidationFailed(message, errors={"jurisdiction": [message]})
    return actor.jurisdiction, None


def issue_pass(*, actor: User, data: dict[str, Any]) -> VehiclePass:
    """A free-passage pass (应急救援车辆通行证) for one rescue vehicle: plate, force, route
    and validity (at most SUPPORT_PASS_MAX_DAYS days). The bureau or the fire brigade of
    the jurisdiction; the pass carries a signed QR code (support.passage.signing)."""
    _required(data, "force", "plate", "route", "valid_until")
    with transaction.atomic():
        jurisdiction, incident = _pass_jurisdiction(actor, data)
        if not may_issue_pass(actor, jurisdiction):
            raise PermissionDeniedError(
                _("Only the bureau or the fire brigade of the area issues passes.")
            )
        if incident is not None and incident.status != IncidentStatus.OPEN:
            raise InvalidTransition(_("The incident is closed."), code="incident_closed")
        force = Force.objects.select_related("organisation").filter(pk=_pk(data["force"])).first()
        if force is None:
            message = _("No such force.")
            raise ValidationFailed(message, errors={"force": [message]})
        plate = _check_plate(data["plate"])
        now = timezone.now()
        valid_from = _as_aware(data["valid_from"], "valid_from") if data.get("valid_from") else now
        valid_until = _as_aware(data["valid_until"], "valid_until")
        if valid_until <= valid_from:
            message = _("The pass must end after it begins.")
            raise ValidationFailed(message, errors={"valid_until": [message]})
        if valid_until <= now:
            message = _("The pass would already have expired.")
            raise ValidationFailed(message, errors={"valid_until": [message]})
        days = max_pass_days()
        if valid_until - valid_from > datetime.timedelta(days=days):
            message = _("A pass is valid for at most %(days)s days.") % {"days": days}
            raise ValidationFailed(message, errors={"valid_until": [message]})
        vehicle_pass = VehiclePass.objects.create(
            number=_placeholder(),
            jurisdiction=jurisdiction,
            incident=incident,
            force=force,
            plate=plate,
            vehicle=str(data.get("vehicle") or "").strip()[:100],
            route=str(data["route"]).strip()[:300],
            valid_from=valid_from,
            valid_until=valid_until,
            issued_by=actor,
        )
        vehicle_pass.number = f"TX{jurisdiction.code[:6]}-{vehicle_pass.pk:06d}"
        vehicle_pass.save(update_fields=["number"])
        _pass_event(PassageEvent.PASS_ISSUED, vehicle_pass, actor)
    return vehicle_pass


def revoke_pass(*, actor: User, pass_id: int, reason: str) -> VehiclePass:
    """The pass no longer lets the vehicle through: its QR page says 已撤销 from now on."""
    reason = (reason or "").strip()
    with transaction.atomic():
        vehicle_pass = (
            VehiclePass.objects.select_for_update(of=("self",))
            .select_related("jurisdiction", "force__organisation")
            .filter(pk=pass_id)
            .first()
        )
        if vehicle_pass is None:
            raise NotFoundError(_("No such pass."))
        if not may_issue_pass(actor, vehicle_pass.jurisdiction):
            raise PermissionDeniedError(
                _("Only the bureau or the fire brigade of the area revokes passes.")
            )
        if vehicle_pass.revoked_at is not None:
            raise InvalidTransition(_("The pass is already revoked."), code="already_revoked")
        if not reason:
            message = _("Say why the pass is revoked.")
            raise ValidationFailed(message, errors={"reason": [message]})
        vehicle_pass.revoked_at = timezone.now()
        vehicle_pass.revoked_by = actor
        vehicle_pass.revoke_reason = reason[:200]
        vehicle_pass.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        _pass_event(PassageEvent.PASS_REVOKED, vehicle_pass, actor, reason=reason[:200])
    return vehicle_pass
