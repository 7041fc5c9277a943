"""Call-out plans: draft, edit, submit, approve (issuing the orders), reject, and the
industry departments' consent in special periods (Liaocheng §三.一.2; Rongcheng §四.一.4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command import selectors as command_selectors
from command.choices import IncidentStatus
from command.models import Incident
from core.events import record_event
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Jurisdiction, Organisation, User
from core.permissions import in_jurisdiction
from dispatch import notifications
from dispatch.choices import (
    PlanStatus,
    ReinforcementStatus,
)
from dispatch.events import DispatchEvent
from dispatch.exceptions import (
    AlreadyDecided,
    ConsentMissing,
    DrafterCannotApprove,
    ForceUnavailable,
)
from dispatch.models import (
    CallOutOrder,
    CallOutPlan,
    Consent,
    Notice,
    PlanLine,
    ReinforcementRequest,
)
from dispatch.permissions import (
    consenting_department,
    is_bureau_approver_of,
    is_drafter,
    may_consent_for,
    may_draft_at,
    may_record_consent_for_department,
)
from dispatch.policies import active_special_periods, deadlines_for
from dispatch.services.orders import _order_payload
from forces.choices import ForceStatus
from forces.models import Force
from forces.services import set_force_status


@dataclass(frozen=True)
class LineInput:
    force_id: int
    task: str = ""
    people: int = 0
    equipment: str = ""


def _load_plan(actor: Any, plan_id: int) -> CallOutPlan:
    plan = (
        CallOutPlan.objects.select_for_update(of=("self",))
        .select_related(
            "incident__jurisdiction", "incident__incident_type", "jurisdiction", "reinforcement"
        )
        .filter(pk=plan_id)
        .first()
    )
    if plan is None or not CallOutPlan.objects.visible_to(actor).filter(pk=plan_id).exists():
        raise NotFoundError(_("No such plan in your jurisdiction."))
    return plan


@dataclass(frozen=True)
class CheckedLine:
    force: Force
    line: LineInput
    deployed_on: str = ""  # the other incident(s) holding the force, "" if none


def deployed_forces(force_ids: Sequence[int]) -> dict[int, str]:
    """Forces out on an open order (any incident but this one): force id → the incidents
    (titles) holding them. The plan page warns with it; drafting needs a confirmation."""
    from dispatch.services.orders import OPEN_ORDER_STATUSES

    held: dict[int, list[str]] = {}
    orders = (
        CallOutOrder.objects.filter(force_id__in=list(force_ids), status__in=OPEN_ORDER_STATUSES)
        .select_related("plan__incident")
        .order_by("pk")
    )
    for order in orders:
        title = str(order.plan.incident.title)
        titles = held.setdefault(order.force_id, [])
        if title not in titles:
            titles.append(title)
    return {pk: "、".join(titles) for pk, titles in held.items()}


def _check_lines(
    actor: Any,
    plan_jurisdiction: Jurisdiction,
    lines: Sequence[LineInput],
    reinforcement: ReinforcementRequest | None,
    *,
    allow_deployed: bool = False,
) -> list[CheckedLine]:
    if not lines:
        raise ValidationFailed(
            _("A plan needs at least one force."), errors={"lines": [_("Add at least one force.")]}
        )
    ids = [line.force_id for line in lines]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(
            _("A force appears twice in the plan."), errors={"lines": [_("Each force once.")]}
        )
    forces = {
        f.pk: f
        for f in Force.objects.filter(pk__in=ids, is_active=True).select_related(
            "jurisdiction", "organisation"
        )
    }
    checked = []
    errors = []
    fields: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        force = forces.get(line.force_id)
        if force is None or not plan_jurisdiction.contains(force.jurisdiction):
            errors.append(
                _("Force %(id)s is not available to this brigade.") % {"id": line.force_id}
            )
            fields[f"lines.{index}.force"] = [_("Not available to this brigade.")]
            continue
        if reinforcement and reinforcement.requesting_jurisdiction.contains(force.jurisdiction):
            errors.append(
                _("%(force)s: reinforcement comes from outside the requesting area.")
                % {"force": force}
            )
            fields[f"lines.{index}.force"] = [_("Outside the requesting area, please.")]
            continue
        if line.people < 1:
            # A line with nobody on it calls out nobody: refused, not saved as a plan.
            errors.append(_("%(force)s: give the number of people to send.") % {"force": force})
            fields[f"lines.{index}.people"] = [_("At least one person.")]
            continue
        checked.append(CheckedLine(force=force, line=line))
    if errors:
        raise ValidationFailed(" ".join(errors), errors={"lines": errors, **fields})
    held = deployed_forces([c.force.pk for c in checked])
    if held and not allow_deployed:
        names = [
            _("%(force)s is already deployed (%(incidents)s)")
            % {"force": c.force, "incidents": held[c.force.pk]}
            for c in checked
            if c.force.pk in held
        ]
        raise ValidationFailed(
            _("%(names)s. Confirm to call it out again.") % {"names": "；".join(names)},
            code="force_deployed",
            errors={
                "allow_deployed": names,
                **{
                    f"lines.{i}.force": [
                        _("Already deployed: %(incidents)s") % {"incidents": held[c.force.pk]}
                    ]
                    for i, c in enumerate(checked)
                    if c.force.pk in held
                },
            },
        )
    return [
        CheckedLine(force=c.force, line=c.line, deployed_on=held.get(c.force.pk, ""))
        for c in checked
    ]


def _write_lines(plan: CallOutPlan, checked: list[CheckedLine], actor: User) -> None:
    for old in plan.lines.all():
        old._history_user = actor
        old.delete()
    for c in checked:
        row = PlanLine(
            plan=plan,
            force=c.force,
            task=c.line.task,
            people=c.line.people,
            equipment=c.line.equipment,
            already_deployed=bool(c.deployed_on),
        )
        row._history_user = actor
        row.save()


def _lines_payload(checked: list[CheckedLine]) -> dict[str, Any]:
    """The event says which forces and which were confirmed although deployed."""
    return {
        "forces": [c.force.pk for c in checked],
        "deployed_confirmed": [c.force.pk for c in checked if c.deployed_on],
    }


def _plan_payload(plan: CallOutPlan, **extra: Any) -> dict[str, Any]:
    return {
        "plan_id": plan.pk,
        "incident_id": plan.incident_id,
        "status": plan.status,
        "level": plan.jurisdiction.code,
        **extra,
    }


@transaction.atomic
def draft_plan(
    *,
    actor: User,
    incident_id: int,
    task: str,
    reason: str,
    lines: Sequence[LineInput],
    reinforcement_id: int | None = None,
    allow_deployed: bool = False,
) -> CallOutPlan:
    """The fire brigade drafts a call-out plan (调用方案) for an incident (Liaocheng
    §三.一.2; Rongcheng §四.一.4). For a reinforcement, the upper-level brigade drafts
    it once the upper-level bureau has approved the request. A force already out on an
    open order (any incident) needs ``allow_deployed=True``: the drafter saw the warning
    and confirmed; the line records it."""
    incident = Incident.objects.select_related("jurisdiction").filter(pk=incident_id).first()
    reinforcement = None
    if reinforcement_id is not None:
        reinforcement = (
            ReinforcementRequest.objects.select_related(
                "upper_jurisdiction", "requesting_jurisdiction"
            )
            .filter(pk=reinforcement_id, incident_id=incident_id)
            .first()
        )
        if reinforcement is None or not in_jurisdiction(actor, reinforcement.upper_jurisdiction):
            raise NotFoundError(_("No such reinforcement request."))
        if reinforcement.status != ReinforcementStatus.APPROVED:
            raise InvalidTransition(
                _("The reinforcement request is not approved."), code="reinforcement_not_approved"
            )
        level = reinforcement.upper_jurisdiction
    else:
        if incident is None or not in_jurisdiction(actor, incident.jurisdiction):
            raise NotFoundError(_("No such incident in your jurisdiction."))
        level = actor.jurisdiction if actor.organisation_id else None
    if incident is None:
        raise NotFoundError(_("No such incident."))
    if level is None or not may_draft_at(actor, level):
        raise PermissionDeniedError(_("Only the fire brigade's dispatchers draft call-out plans."))
    if incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("The incident is closed."), code="incident_closed")
    if not command_selectors.in_emergency_flow(incident):
        raise InvalidTransition(
            _("The call went to 12345 or the maritime SAR centre: it has left the emergency flow."),
            code="not_emergency",
        )
    if not task.strip() or not reason.strip():
        raise ValidationFailed(
            _("Task and reason are required."),
            errors={
                k: [_("This field is required.")]
                for k, v in (("task", task), ("reason", reason))
                if not v.strip()
            },
        )
    checked = _check_lines(actor, level, lines, reinforcement, allow_deployed=allow_deployed)
    plan = CallOutPlan(
        incident=incident,
        jurisdiction=level,
        reinforcement=reinforcement,
        task=task,
        reason=reason,
        drafted_by=actor,
    )
    plan._history_user = actor
    plan.save()
    _write_lines(plan, checked, actor)
    record_event(
        type=DispatchEvent.PLAN_DRAFTED,
        jurisdiction=incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(plan, **_lines_payload(checked)),
    )
    return plan


def _require_brigade(actor: Any, plan: CallOutPlan) -> None:
    if not may_draft_at(actor, plan.jurisdiction):
        raise PermissionDeniedError(_("Only the drafting brigade's dispatchers change this plan."))


@transaction.atomic
def update_plan(
    *,
    actor: User,
    plan_id: int,
    task: str,
    reason: str,
    lines: Sequence[LineInput],
    allow_deployed: bool = False,
) -> CallOutPlan:
    """Edit a draft: task, reason and forces."""
    plan = _load_plan(actor, plan_id)
    _require_brigade(actor, plan)
    if plan.status != PlanStatus.DRAFT:
        raise InvalidTransition(_("Only a draft can be edited."), code="not_draft")
    checked = _check_lines(
        actor, plan.jurisdiction, lines, plan.reinforcement, allow_deployed=allow_deployed
    )
    plan.task, plan.reason = task, reason
    plan._history_user = actor
    plan.save(update_fields=["task", "reason", "updated_at"])
    _write_lines(plan, checked, actor)
    record_event(
        type=DispatchEvent.PLAN_EDITED,
        jurisdiction=plan.incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(plan, **_lines_payload(checked)),
    )
    return plan


@transaction.atomic
def submit_plan(*, actor: User, plan_id: int) -> CallOutPlan:
    """Submit the plan to the same-level bureau (报应急管理局同意)."""
    plan = _load_plan(actor, plan_id)
    _require_brigade(actor, plan)
    if plan.status != PlanStatus.DRAFT:
        raise InvalidTransition(_("Only a draft can be submitted."), code="not_draft")
    _require_open_incident(plan)
    if not plan.lines.exists():
        raise ValidationFailed(
            _("A plan needs at least one force."), errors={"lines": [_("Add at least one force.")]}
        )
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.in_special_period = bool(active_special_periods(plan.jurisdiction, timezone.localdate()))
    plan._history_user = actor
    plan.save(update_fields=["status", "submitted_at", "in_special_period", "updated_at"])
    record_event(
        type=DispatchEvent.PLAN_SUBMITTED,
        jurisdiction=plan.incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(plan),
    )
    notifications.notify_plan_submitted(plan)
    if plan.in_special_period:
        notifications.notify_consent_needed(plan, missing_consents(plan))
    return plan


def _require_open_incident(plan: CallOutPlan) -> None:
    if plan.incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("The incident is closed."), code="incident_closed")


def _require_approver(actor: Any, plan: CallOutPlan) -> None:
    if is_drafter(actor, plan):
        raise DrafterCannotApprove(_("The drafter of a plan can never approve it."))
    if not is_bureau_approver_of(actor, plan.jurisdiction):
        raise PermissionDeniedError(_("Only an approver of the same-level bureau decides."))


def _require_submitted(plan: CallOutPlan) -> None:
    if plan.status in (PlanStatus.APPROVED, PlanStatus.REJECTED):
        raise AlreadyDecided(
            _("This plan was already decided (%(status)s).")
            % {"status": plan.get_status_display()},
            code="already_decided",
        )
    if plan.status != PlanStatus.SUBMITTED:
        raise InvalidTransition(_("Only a submitted plan can be decided."), code="not_submitted")


def missing_consents(plan: CallOutPlan) -> list[Organisation]:
    """Departments whose consent a special-period approval still lacks."""
    needed = {}
    for line in plan.lines.select_related("force__industry_authority", "force__organisation"):
        org = consenting_department(line.force)
        needed[org.pk] = org
    given = set(plan.consents.values_list("organisation_id", flat=True))
    return [org for pk, org in sorted(needed.items()) if pk not in given]


@transaction.atomic
def approve_plan(*, actor: User, plan_id: int) -> list[CallOutOrder]:
    """The same-level bureau approves: one order per force goes directly to the force and
    one notice for the record to its industry department, in this transaction
    (Liaocheng §三.一.2). Delivery happens after commit."""
    plan = _load_plan(actor, plan_id)
    _require_approver(actor, plan)
    _require_submitted(plan)
    _require_open_incident(plan)
    now = timezone.now()
    periods = active_special_periods(plan.jurisdiction, timezone.localdate(now))
    if periods:
        missing = missing_consents(plan)
        if missing:
            raise ConsentMissing(
                _("%(period)s: consent of %(departments)s is required before approval.")
                % {"period": periods[0].name, "departments": "、".join(o.name for o in missing)},
                errors={"departments": [o.pk for o in missing]},
            )
    lines = list(plan.lines.order_by("force_id"))
    # Lock forces in primary-key order so concurrent approvals cannot deadlock.
    forces = {
        f.pk: f
        for f in Force.objects.select_for_update(of=("self",))
        .select_related("organisation", "industry_authority", "jurisdiction")
        .filter(pk__in=[line.force_id for line in lines])
        .order_by("pk")
    }
    busy = [f for f in forces.values() if f.status == ForceStatus.UNAVAILABLE or not f.is_active]
    if busy:
        raise ForceUnavailable(
            _("Unavailable: %(forces)s.") % {"forces": "、".join(str(f) for f in busy)}
        )
    plan.status = PlanStatus.APPROVED
    plan.decided_by = actor
    plan.decided_at = now
    plan.in_special_period = bool(periods)
    plan._history_user = actor
    plan.save(
        update_fields=["status", "decided_by", "decided_at", "in_special_period", "updated_at"]
    )
    orders = []
    for n, line in enumerate(lines, start=1):
        force = forces[line.force_id]
        limits = deadlines_for(force, plan.incident)
        order = CallOutOrder(
            plan=plan,
            force=force,
            number=f"{timezone.localtime(now):%Y%m%d}-{plan.pk:06d}-{n:02d}",
            task=line.task or plan.task,
            people=line.people,
            equipment=line.equipment,
            issued_at=now,
            ack_deadline=now + limits.ack,
            arrival_deadline=now + limits.arrival if limits.arrival else None,
        )
        order._history_user = actor
        try:
            with transaction.atomic():
                order.save()
        except IntegrityError as exc:  # the constraint refuses a second set of orders
            raise AlreadyDecided(_("Orders for this plan were already issued.")) from exc
        Notice.objects.create(
            order=order, organisation=consenting_department(force), recorded_at=now
        )
        set_force_status(
            force=force, status=ForceStatus.DEPLOYED, actor=actor, reason=f"order {order.number}"
        )
        orders.append(order)
    record_event(
        type=DispatchEvent.PLAN_APPROVED,
        jurisdiction=plan.incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(plan, orders=[o.pk for o in orders]),
    )
    for order in orders:
        record_event(
            type=DispatchEvent.ORDER_ISSUED,
            jurisdiction=plan.incident.jurisdiction,
            subject=order,
            actor=actor,
            payload=_order_payload(order),
            organisation=order.force.organisation,
        )
    notifications.plan_decided(plan)
    notifications.notify_orders_issued(plan, orders)
    transaction.on_commit(lambda: _deliver_after_commit([o.pk for o in orders]), robust=True)
    return orders


def _deliver_after_commit(order_ids: list[int]) -> None:
    from dispatch.tasks import deliver_orders

    deliver_orders.delay(order_ids)


@transaction.atomic
def reject_plan(*, actor: User, plan_id: int, reason: str) -> CallOutPlan:
    """The bureau rejects a plan; a reason is required (Liaocheng §三.一.2)."""
    plan = _load_plan(actor, plan_id)
    _require_approver(actor, plan)
    _require_submitted(plan)
    if not (reason or "").strip():
        raise ValidationFailed(
            _("A rejection needs a reason."),
            code="reason_required",
            errors={"reason": [_("A rejection needs a reason.")]},
        )
    plan.status = PlanStatus.REJECTED
    plan.decided_by = actor
    plan.decided_at = timezone.now()
    plan.rejection_reason = reason.strip()
    plan._history_user = actor
    plan.save(
        update_fields=["status", "decided_by", "decided_at", "rejection_reason", "updated_at"]
    )
    record_event(
        type=DispatchEvent.PLAN_REJECTED,
        jurisdiction=plan.incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(plan, reason=plan.rejection_reason),
    )
    notifications.plan_decided(plan)
    return plan


@transaction.atomic
def record_consent(
    *,
    actor: User,
    plan_id: int,
    organisation_id: int,
    consulted_person: str = "",
    consulted_at: datetime | None = None,
    note: str = "",
) -> Consent:
    """Record the industry department's consent for a special-period call-out: given by a
    user of the department itself, or recorded by the approver with the name of the person
    consulted and the time (Liaocheng §三.一.2)."""
    # Not scoped by jurisdiction alone: a department elsewhere may own a force in a
    # reinforcement plan. Whoever neither sees the plan nor consents for one of its
    # departments gets 404 before anything is said about the plan's state.
    plan = (
        CallOutPlan.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "incident__jurisdiction")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise NotFoundError(_("No such plan."))
    departments = {
        consenting_department(line.force).pk: consenting_department(line.force)
        for line in plan.lines.select_related("force__industry_authority", "force__organisation")
    }
    visible = CallOutPlan.objects.visible_to(actor).filter(pk=plan.pk).exists()
    party = any(may_consent_for(actor, pk) for pk in departments)
    if not visible and not party:
        raise NotFoundError(_("No such plan."))
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.SUBMITTED):
        raise InvalidTransition(_("Consent is recorded before the decision."), code="not_submitted")
    org = departments.get(organisation_id)
    if org is None:
        raise ValidationFailed(
            _("That department owns no force in the plan."),
            errors={"organisation": [_("Not a department of this plan.")]},
        )
    if may_consent_for(actor, org.pk):
        consulted_person, consulted_at = "", None
    elif may_record_consent_for_department(actor, plan):
        errors = {}
        if not consulted_person.strip():
            errors["consulted_person"] = [_("Name the person consulted.")]
        if consulted_at is None:
            errors["consulted_at"] = [_("Give the time of the consultation.")]
        if errors:
            raise ValidationFailed(_("Name the person consulted and when."), errors=errors)
    elif visible:
        raise PermissionDeniedError(
            _("Only the department itself or the approver records consent.")
        )
    else:
        raise NotFoundError(_("No such plan."))
    consent = Consent.objects.filter(plan=plan, organisation=org).first()
    if consent is not None:
        return consent
    consent = Consent(
        plan=plan,
        organisation=org,
        given_by=actor,
        consulted_person=consulted_person.strip(),
        consulted_at=consulted_at,
        note=note,
    )
    consent._history_user = actor
    consent.save()
    # The plan's representation lists its consents: a client syncing by updated_at
    # must see the plan as changed.
    plan._history_user = actor
    plan.save(update_fields=["updated_at"])
    record_event(
        type=DispatchEvent.PLAN_CONSENT_RECORDED,
        jurisdiction=plan.incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(
            plan, organisation_id=org.pk, consulted_person=consent.consulted_person
        ),
        organisation=org,
    )
    if not missing_consents(plan):
        notifications.consents_complete(plan, notifications.web_responder(actor))
    return consent
