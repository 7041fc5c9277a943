"""Writes of rescuer welfare (Liaocheng §四.4: 职业健康档案, 定期体检, 人身意外伤害保险,
表扬奖励, 评残、评烈). Each service locks the rescuer (or the case), authorises, checks,
saves and records its event last; notifications follow the commit.

``Personnel.medical_exam_date`` and ``Personnel.insurance_expiry`` — the registry's
summary the alerts read — are kept equal to the newest examination and the latest policy
expiry recorded here, under the rescuer's row lock, so two clerks recording at once
cannot leave an older date behind."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from command.models import Incident
from core.events import record_event
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import User
from core.saving import stamp_history, validated
from forces.models import Force, Personnel
from support.choices import (
    CASUALTY_TRANSITIONS,
    CasualtyKind,
    CasualtyProcedure,
    CasualtyStatus,
    HealthRecordKind,
)
from support.events import WelfareEvent
from support.models import CasualtyCase, Commendation, HealthRecord, InsurancePolicy
from support.welfare import notifications
from support.welfare.permissions import (
    can_decide_casualty,
    can_record_commendation,
    can_record_for,
    can_review_casualty,
    visible_personnel,
)

__all__ = [
    "EXAM_KINDS",
    "decide_casualty",
    "record_commendation",
    "record_health",
    "record_insurance",
    "review_casualty",
    "submit_casualty",
]

# The records that count as the periodic medical examination (定期体检).
EXAM_KINDS = frozenset({HealthRecordKind.MEDICAL_EXAM, HealthRecordKind.OCCUPATIONAL})

# Which assessment each kind of casualty may go through.
_PROCEDURES_FOR_KIND = {
    CasualtyKind.INJURED: frozenset({CasualtyProcedure.NONE, CasualtyProcedure.DISABILITY}),
    CasualtyKind.DISABLED: frozenset({CasualtyProcedure.DISABILITY}),
    CasualtyKind.KILLED: frozenset({CasualtyProcedure.MARTYR, CasualtyProcedure.NONE}),
}


def _pk(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return getattr(value, "pk", value)


def _lock_person(actor: User, personnel_id: Any) -> Personnel:
    """The rescuer, locked; one the actor may neither read nor write is not found."""
    pk = _pk(personnel_id)
    person = (
        Personnel.objects.select_for_update(of=("self",))
        .select_related("force", "force__jurisdiction", "force__organisation")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if person is None or not (
        visible_personnel(actor).filter(pk=pk).exists() or can_record_for(actor, person.force)
    ):
        raise NotFoundError(_("No such rescuer."))
    return person


def _require_writer(actor: User, force: Force) -> None:
    if not can_record_for(actor, force):
        raise PermissionDeniedError(
            _("Only the force's organisation or the emergency bureau records its welfare.")
        )


def _not_future(value: datetime.date | None, field: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationFailed(
            _("The date cannot be in the future."),
            errors={field: [_("The date cannot be in the future.")]},
        )


@transaction.atomic
def record_health(*, actor: User, personnel_id: Any, data: dict[str, Any]) -> HealthRecord:
    """A health-file entry; an examination newer than the registry's summary moves
    ``Personnel.medical_exam_date`` to it."""
    person = _lock_person(actor, personnel_id)
    _require_writer(actor, person.force)
    record = HealthRecord(
        personnel=person,
        kind=data.get("kind") or HealthRecordKind.MEDICAL_EXAM,
        examined_on=data.get("examined_on"),
        institution=(data.get("institution") or "").strip(),
        fit_for_duty=bool(data.get("fit_for_duty", True)),
        conclusion=(data.get("conclusion") or "").strip(),
        next_due=data.get("next_due") or None,
        recorded_by=actor,
    )
    validated(record, exclude=["recorded_by"])
    _not_future(record.examined_on, "examined_on")
    if record.next_due is not None and record.next_due <= record.examined_on:
        raise ValidationFailed(
            _("The next examination must be after this one."),
            errors={"next_due": [_("The next examination must be after this one.")]},
        )
    stamp_history(record, actor, "recorded")
    record.save()
    if record.kind in EXAM_KINDS:
        newest = HealthRecord.objects.filter(personnel=person, kind__in=EXAM_KINDS).aggregate(
            m=Max("examined_on")
        )["m"]
        if newest != person.medical_exam_date:
            person.medical_exam_date = newest
            stamp_history(person, actor, "medical examination recorded")
            person.save(update_fields=["medical_exam_date"])
    record_event(
        type=WelfareEvent.HEALTH_RECORDED,
        jurisdiction=person.force.jurisdiction,
        subject=record,
        actor=actor,
        organisation=person.force.organisation,
        payload={
            "personnel": person.pk,
            "kind": record.kind,
            "examined_on": record.examined_on.isoformat(),
            "fit_for_duty": record.fit_for_duty,
        },
    )
    return record


@transaction.atomic
def record_insurance(*, actor: User, personnel_id: Any, data: dict[str, Any]) -> InsurancePolicy:
    """An accident-insurance policy; ``Personnel.insurance_expiry`` becomes the latest
    expiry of the rescuer's policies (a renewal clears the lapsing alert at the next
    tick)."""
    person = _lock_person(actor, personnel_id)
    _require_writer(actor, person.force)
    policy = InsurancePolicy(
        personnel=person,
        insurer=(data.get("insurer") or "").strip(),
        policy_number=(data.get("policy_number") or "").strip(),
        sum_insured=data.get("sum_insured") or None,
        starts_on=data.get("starts_on"),
        expires_on=data.get("expires_on"),
        recorded_by=actor,
    )
    if policy.starts_on and policy.expires_on and policy.expires_on <= policy.starts_on:
        raise ValidationFailed(
            _("The policy must expire after it starts."),
            errors={"expires_on": [_("The policy must expire after it starts.")]},
        )
    validated(policy, exclude=["recorded_by"], validate_constraints=False)
    if InsurancePolicy.objects.filter(
        personnel=person, insurer=policy.insurer, policy_number=policy.policy_number
    ).exists():
        raise ConflictError(
            _("This policy is already recorded for this rescuer."),
            errors={"policy_number": [_("This policy is already recorded for this rescuer.")]},
        )
    stamp_history(policy, actor, "recorded")
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as exc:
        raise ConflictError(_("This policy is already recorded for this rescuer.")) from exc
    latest = InsurancePolicy.objects.filter(personnel=person).aggregate(m=Max("expires_on"))["m"]
    if latest != person.insurance_expiry:
        person.insurance_expiry = latest
        stamp_history(person, actor, "accident insurance recorded")
        person.save(update_fields=["insurance_expiry"])
    record_event(
        type=WelfareEvent.INSURANCE_RECORDED,
        jurisdiction=person.force.jurisdiction,
        subject=policy,
        actor=actor,
        organisation=person.force.organisation,
        payload={
            "personnel": person.pk,
            "insurer": policy.insurer,
            "expires_on": policy.expires_on.isoformat(),
        },
    )
    return policy


@transaction.atomic
def record_commendation(*, actor: User, data: dict[str, Any]) -> Commendation:
    """表扬/嘉奖/立功 of a rescuer or of a whole force (exactly one of them)."""
    personnel_id, force_id = _pk(data.get("personnel")), _pk(data.get("force"))
    if (personnel_id is None) == (force_id is None):
        raise ValidationFailed(
            _("Commend either a rescuer or a force."),
            errors={"personnel": [_("Commend either a rescuer or a force.")]},
        )
    person = None
    if personnel_id is not None:
        person = _lock_person(actor, personnel_id)
        force = person.force
    else:
        force = (
            Force.objects.visible_to(actor)
            .select_related("jurisdiction", "organisation")
            .filter(pk=force_id)
            .first()
        )
        if force is None:
            raise NotFoundError(_("No such force."))
    if not can_record_commendation(actor, force):
        raise PermissionDeniedError(
            _("Only the force's organisation or the emergency bureau records commendations.")
        )
    incident = _incident(data.get("incident"))
    commendation = Commendation(
        jurisdiction=force.jurisdiction,
        personnel=person,
        force=None if person is not None else force,
        incident=incident,
        level=data.get("level") or "",
        title=(data.get("title") or "").strip(),
        reason=(data.get("reason") or "").strip(),
        awarded_by=(data.get("awarded_by") or "").strip(),
        awarded_on=data.get("awarded_on"),
        document_number=(data.get("document_number") or "").strip(),
        recorded_by=actor,
    )
    validated(commendation, exclude=["recorded_by"])
    _not_future(commendation.awarded_on, "awarded_on")
    stamp_history(commendation, actor, "recorded")
    commendation.save()
    record_event(
        type=WelfareEvent.COMMENDED,
        jurisdiction=force.jurisdiction,
        subject=commendation,
        actor=actor,
        organisation=force.organisation,
        payload={
            "personnel": person.pk if person else None,
            "force": force.pk,
            "level": commendation.level,
            "incident": incident.pk if incident else None,
        },
    )
    return commendation


def _incident(value: Any) -> Incident | None:
    pk = _pk(value)
    if pk is None:
        return None
    incident = Incident.objects.filter(pk=pk).first()
    if incident is None:
        raise ValidationFailed(
            _("No such incident."), errors={"incident": [_("No such incident.")]}
        )
    return incident


@transaction.atomic
def submit_casualty(*, actor: User, personnel_id: Any, data: dict[str, Any]) -> CasualtyCase:
    """A rescuer injured, disabled or killed, and the assessment asked for (评残 or 评烈);
    the bureau is told (Purpose.CASUALTY)."""
    person = _lock_person(actor, personnel_id)
    _require_writer(actor, person.force)
    kind = data.get("kind") or ""
    procedure = data.get("procedure") or CasualtyProcedure.NONE
    case = CasualtyCase(
        personnel=person,
        incident=_incident(data.get("incident")),
        kind=kind,
        occurred_at=data.get("occurred_at"),
        circumstances=(data.get("circumstances") or "").strip(),
        procedure=procedure,
        status=CasualtyStatus.SUBMITTED,
        submitted_by=actor,
    )
    validated(case, exclude=["submitted_by"])
    if case.occurred_at > timezone.now():
        raise ValidationFailed(
            _("The date cannot be in the future."),
            errors={"occurred_at": [_("The date cannot be in the future.")]},
        )
    if procedure not in _PROCEDURES_FOR_KIND.get(kind, frozenset()):
        message = _("This assessment does not apply to this kind of casualty.")
        raise ValidationFailed(message, errors={"procedure": [message]})
    stamp_history(case, actor, "submitted")
    case.save()
    record_event(
        type=WelfareEvent.CASUALTY_SUBMITTED,
        jurisdiction=person.force.jurisdiction,
        subject=case,
        actor=actor,
        organisation=person.force.organisation,
        payload={"personnel": person.pk, "kind": case.kind, "procedure": case.procedure},
    )
    transaction.on_commit(lambda: notifications.casualty_submitted(case.pk), robust=True)
    return case


def _lock_case(actor: User, case_id: Any) -> CasualtyCase:
    pk = _pk(case_id)
    visible = CasualtyCase.objects.filter(personnel__in=visible_personnel(actor), pk=pk)
    if pk is None or not visible.exists():
        raise NotFoundError(_("No such casualty case."))
    return (
        CasualtyCase.objects.select_for_update(of=("self",))
        .select_related(
            "personnel",
            "personnel__force",
            "personnel__force__jurisdiction",
            "personnel__force__organisation",
        )
        .get(pk=pk)
    )


def _require_transition(case: CasualtyCase, target: str) -> None:
    if target not in CASUALTY_TRANSITIONS[case.status]:
        raise InvalidTransition(
            _("The case is %(status)s; this step is not possible.")
            % {"status": case.get_status_display()}
        )


@transaction.atomic
def review_casualty(*, actor: User, case_id: Any, opinion: str) -> CasualtyCase:
    """The force's industry authority department (or the bureau) reviews the case and
    gives its opinion for the deciding authority."""
    case = _lock_case(actor, case_id)
    force = case.personnel.force
    if not can_review_casualty(actor, force):
        raise PermissionDeniedError(
            _("Only the force's supervising department or the emergency bureau reviews cases.")
        )
    _require_transition(case, CasualtyStatus.REVIEWED)
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationFailed(
            _("The review opinion is required."),
            errors={"opinion": [_("The review opinion is required.")]},
        )
    case.status = CasualtyStatus.REVIEWED
    case.reviewed_by = actor
    case.reviewed_at = timezone.now()
    case.review_note = opinion
    stamp_history(case, actor, "reviewed")
    case.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    record_event(
        type=WelfareEvent.CASUALTY_REVIEWED,
        jurisdiction=force.jurisdiction,
        subject=case,
        actor=actor,
        organisation=force.organisation,
        payload={"personnel": case.personnel_id, "procedure": case.procedure},
    )
    transaction.on_commit(lambda: notifications.casualty_reviewed(case.pk), robust=True)
    return case


@transaction.atomic
def decide_casualty(
    *, actor: User, case_id: Any, decision: str, authority: str, reference: str = ""
) -> CasualtyCase:
    """The bureau records the competent authority's decision: the disability grade set by
    人社/退役军人事务, the martyr status approved by the government, or no recognition.
    An assessment's decision needs its document number."""
    case = _lock_case(actor, case_id)
    force = case.personnel.force
    if not can_decide_casualty(actor, force):
        raise PermissionDeniedError(_("Only the emergency bureau records the decision."))
    _require_transition(case, CasualtyStatus.DECIDED)
    decision, authority, reference = (
        (decision or "").strip(),
        (authority or "").strip(),
        (reference or "").strip(),
    )
    errors: dict[str, list[str]] = {}
    if not decision:
        errors["decision"] = [_("The decision is required.")]
    if not authority:
        errors["authority"] = [_("The deciding authority is required.")]
    if case.procedure != CasualtyProcedure.NONE and not reference:
        errors["reference"] = [_("The decision document number is required.")]
    if errors:
        raise ValidationFailed("; ".join(m for v in errors.values() for m in v), errors=errors)
    case.status = CasualtyStatus.DECIDED
    case.decided_by = actor
    case.decided_at = timezone.now()
    case.decision = decision[:150]
    case.decision_authority = authority[:150]
    case.decision_reference = reference[:60]
    stamp_history(case, actor, "decided")
    case.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision",
            "decision_authority",
            "decision_reference",
        ]
    )
    record_event(
        type=WelfareEvent.CASUALTY_DECIDED,
        jurisdiction=force.jurisdiction,
        subject=case,
        actor=actor,
        organisation=force.organisation,
        payload={"personnel": case.personnel_id, "procedure": case.procedure},
    )
    return case
