"""The dispatch chain (SPEC §4). Every rule of 联调联战 lives here; pages, API, admin and
tasks call these functions. Each one, in one transaction: lock the row, authorise (role,
jurisdiction, object), check the transition, save the changed fields, record the event,
and leave side effects to ``transaction.on_commit``.

Seed sections: Liaocheng §三.一.2 (plan, approval, special-period consent, orders and
notices, cross-region reinforcement), Rongcheng §四.一.4 (the same chain at county
level), Zhoushan §三.2 (tiers, arrival deadlines, feedback, result within 24 h).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command.choices import AreaType, IncidentStatus
from command.models import Incident
from core.choices import OrganisationKind
from core.events import record_event
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Jurisdiction, Organisation, User
from core.permissions import in_jurisdiction
from core.roles import Role
from dispatch.choices import (
    ORDER_STEPS,
    AlertKind,
    NoticeStatus,
    OrderStatus,
    PlanStatus,
    ReinforcementStatus,
)
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
    DispatchAlert,
    DispatchPolicy,
    Notice,
    PlanLine,
    ReinforcementRequest,
    SpecialPeriod,
)
from forces.choices import ForceStatus
from forces.models import Force
from forces.services import set_force_status

# --- who is who -------------------------------------------------------------------------


def _is_member(user: Any, kind: str, role: str) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organisation_id
        and user.organisation.kind == kind
        and user.has_role(role)
    )


def is_fire_dispatcher_of(user: Any, jurisdiction: Jurisdiction) -> bool:
    """A dispatcher of the fire brigade at exactly this level."""
    return (
        _is_member(user, OrganisationKind.FIRE_RESCUE, Role.FIRE_DISPATCHER)
        and user.organisation.jurisdiction_id == jurisdiction.pk
    )


def is_bureau_approver_of(user: Any, jurisdiction: Jurisdiction) -> bool:
    """An approver of the emergency bureau at exactly this level (同级应急管理局)."""
    return (
        _is_member(user, OrganisationKind.EMERGENCY_BUREAU, Role.BUREAU_APPROVER)
        and user.organisation.jurisdiction_id == jurisdiction.pk
    )


def is_force_account_of(user: Any, force: Force) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_role(Role.FORCE_ACCOUNT)
        and user.organisation_id == force.organisation_id
    )


def consenting_department(force: Force) -> Organisation:
    """The industry department that owns a force: its industry authority, else its own
    organisation (an enterprise with no supervising department answers for itself)."""
    return force.industry_authority or force.organisation


# Who may give a department's consent for it (not its force accounts or screens).
CONSENT_ROLES = (
    Role.DEPARTMENT_EDITOR,
    Role.ADMINISTRATOR,
    Role.BUREAU_APPROVER,
    Role.DUTY_OFFICER,
)


# --- policies and periods ----------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    ack: timedelta
    arrival: timedelta | None
    result: timedelta


SEED_POLICY = DispatchPolicy(
    ack_minutes=5, tier1_urban_minutes=30, tier2_urban_minutes=60, result_hours=24
)


def policy_for(jurisdiction: Jurisdiction) -> DispatchPolicy:
    """The nearest policy up the tree, else the seeds' figures."""
    codes = jurisdiction.ancestors_and_self()
    policies = {
        p.jurisdiction.code: p
        for p in DispatchPolicy.objects.filter(jurisdiction__code__in=codes).select_related(
            "jurisdiction"
        )
    }
    for code in reversed(codes):
        if code in policies:
            return policies[code]
    return SEED_POLICY


def deadlines_for(force: Force, incident: Incident) -> Deadlines:
    """Zhoushan §三.2: tier 1 arrives within 30 min in town, tier 2 within 60 min; rural
    has no fixed deadline unless the jurisdiction configures one."""
    policy = policy_for(incident.jurisdiction)
    area = "urban" if incident.area_type == AreaType.URBAN else "rural"
    minutes = getattr(policy, f"tier{force.linkage_tier}_{area}_minutes", None)
    return Deadlines(
        ack=timedelta(minutes=policy.ack_minutes),
        arrival=timedelta(minutes=minutes) if minutes else None,
        result=timedelta(hours=policy.result_hours),
    )


def _in_range(period: SpecialPeriod, day: date) -> bool:
    if not period.recurs_yearly:
        return period.starts_on <= day <= period.ends_on
    start = (period.starts_on.month, period.starts_on.day)
    end = (period.ends_on.month, period.ends_on.day)
    today = (day.month, day.day)
    return start <= today <= end if start <= end else (today >= start or today <= end)


def active_special_periods(jurisdiction: Jurisdiction, day: date) -> list[SpecialPeriod]:
    """Flood season or sensitive periods covering ``jurisdiction`` on ``day``."""
    candidates = SpecialPeriod.objects.filter(
        jurisdiction__code__in=jurisdiction.ancestors_and_self()
    )
    return [p for p in candidates if _in_range(p, day)]


# --- plans ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    force_id: int
    task: str = ""
    people: int = 0
    equipment: str = ""


def _load_plan(actor: Any, plan_id: int) -> CallOutPlan:
    plan = (
        CallOutPlan.objects.select_for_update(of=("self",))
        .select_related("incident__jurisdiction", "jurisdiction", "reinforcement")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None or not CallOutPlan.objects.visible_to(actor).filter(pk=plan_id).exists():
        raise NotFoundError(_("No such plan in your jurisdiction."))
    return plan


def _check_lines(
    actor: Any,
    plan_jurisdiction: Jurisdiction,
    lines: Sequence[LineInput],
    reinforcement: ReinforcementRequest | None,
) -> list[tuple[Force, LineInput]]:
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
    for line in lines:
        force = forces.get(line.force_id)
        if force is None or not plan_jurisdiction.contains(force.jurisdiction):
            errors.append(
                _("Force %(id)s is not available to this brigade.") % {"id": line.force_id}
            )
            continue
        if reinforcement and reinforcement.requesting_jurisdiction.contains(force.jurisdiction):
            errors.append(
                _("%(force)s: reinforcement comes from outside the requesting area.")
                % {"force": force}
            )
            continue
        if line.people < 0:
            errors.append(_("%(force)s: people cannot be negative.") % {"force": force})
            continue
        checked.append((force, line))
    if errors:
        raise ValidationFailed(" ".join(errors), errors={"lines": errors})
    return checked


def _write_lines(plan: CallOutPlan, checked: list[tuple[Force, LineInput]], actor: User) -> None:
    for old in plan.lines.all():
        old._history_user = actor
        old.delete()
    for force, line in checked:
        row = PlanLine(
            plan=plan, force=force, task=line.task, people=line.people, equipment=line.equipment
        )
        row._history_user = actor
        row.save()


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
) -> CallOutPlan:
    """The fire brigade drafts a call-out plan (调用方案) for an incident (Liaocheng
    §三.一.2; Rongcheng §四.一.4). For a reinforcement, the upper-level brigade drafts
    it once the upper-level bureau has approved the request."""
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
    if level is None or not is_fire_dispatcher_of(actor, level):
        raise PermissionDeniedError(_("Only the fire brigade's dispatchers draft call-out plans."))
    if incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("The incident is closed."), code="incident_closed")
    if not task.strip() or not reason.strip():
        raise ValidationFailed(
            _("Task and reason are required."),
            errors={
                k: [_("This field is required.")]
                for k, v in (("task", task), ("reason", reason))
                if not v.strip()
            },
        )
    checked = _check_lines(actor, level, lines, reinforcement)
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
        type="plan.drafted",
        jurisdiction=incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(plan, forces=[f.pk for f, _line in checked]),
    )
    return plan


def _require_brigade(actor: Any, plan: CallOutPlan) -> None:
    if not is_fire_dispatcher_of(actor, plan.jurisdiction):
        raise PermissionDeniedError(_("Only the drafting brigade's dispatchers change this plan."))


@transaction.atomic
def update_plan(
    *, actor: User, plan_id: int, task: str, reason: str, lines: Sequence[LineInput]
) -> CallOutPlan:
    """Edit a draft: task, reason and forces."""
    plan = _load_plan(actor, plan_id)
    _require_brigade(actor, plan)
    if plan.status != PlanStatus.DRAFT:
        raise InvalidTransition(_("Only a draft can be edited."), code="not_draft")
    checked = _check_lines(actor, plan.jurisdiction, lines, plan.reinforcement)
    plan.task, plan.reason = task, reason
    plan._history_user = actor
    plan.save(update_fields=["task", "reason"])
    _write_lines(plan, checked, actor)
    record_event(
        type="plan.edited",
        jurisdiction=plan.incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(plan, forces=[f.pk for f, _line in checked]),
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
    plan.save(update_fields=["status", "submitted_at", "in_special_period"])
    record_event(
        type="plan.submitted",
        jurisdiction=plan.incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(plan),
    )
    return plan


def _require_open_incident(plan: CallOutPlan) -> None:
    if plan.incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("The incident is closed."), code="incident_closed")


def _require_approver(actor: Any, plan: CallOutPlan) -> None:
    if plan.drafted_by_id == getattr(actor, "pk", None):
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
    plan.save(update_fields=["status", "decided_by", "decided_at", "in_special_period"])
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
        type="plan.approved",
        jurisdiction=plan.incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(plan, orders=[o.pk for o in orders]),
    )
    for order in orders:
        record_event(
            type="order.issued",
            jurisdiction=plan.incident.jurisdiction,
            subject=order,
            actor=actor,
            payload=_order_payload(order),
            organisation=order.force.organisation,
        )
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
    plan.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    record_event(
        type="plan.rejected",
        jurisdiction=plan.incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(plan, reason=plan.rejection_reason),
    )
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
    party = getattr(actor, "organisation_id", None) in departments and actor.has_role(
        *CONSENT_ROLES
    )
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
    if getattr(actor, "organisation_id", None) == org.pk and actor.has_role(*CONSENT_ROLES):
        consulted_person, consulted_at = "", None
    elif is_bureau_approver_of(actor, plan.jurisdiction):
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
    record_event(
        type="plan.consent_recorded",
        jurisdiction=plan.incident.jurisdiction,
        subject=plan,
        actor=actor,
        payload=_plan_payload(
            plan, organisation_id=org.pk, consulted_person=consent.consulted_person
        ),
        organisation=org,
    )
    return consent


OPEN_ORDER_STATUSES = (
    OrderStatus.ISSUED,
    OrderStatus.ACKNOWLEDGED,
    OrderStatus.DEPARTED,
    OrderStatus.ARRIVED,
)


# --- orders -----------------------------------------------------------------------------


def _order_payload(order: CallOutOrder, **extra: Any) -> dict[str, Any]:
    return {
        "order_id": order.pk,
        "number": order.number,
        "plan_id": order.plan_id,
        "force_id": order.force_id,
        "force": str(order.force),
        "status": order.status,
        **extra,
    }


@transaction.atomic
def advance_order(
    *,
    actor: User,
    order_id: int,
    action: str,
    result: str = "",
    people_rescued: int | None = None,
) -> CallOutOrder:
    """One step of an order: acknowledge, depart, arrive, complete, result (Zhoushan §三.2:
    on-scene and completion feedback, result within 24 h). The force account acts for its
    force; a dispatcher of the plan's brigade may act on its behalf, recorded as such."""
    order = (
        CallOutOrder.objects.select_for_update(of=("self",))
        .select_related("force__organisation", "plan__jurisdiction", "plan__incident__jurisdiction")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFoundError(_("No such order."))
    own_force = is_force_account_of(actor, order.force)
    on_behalf = not own_force and is_fire_dispatcher_of(actor, order.plan.jurisdiction)
    if not own_force and not on_behalf:
        if not CallOutOrder.objects.visible_to(actor).filter(pk=order_id).exists():
            raise NotFoundError(_("No such order."))
        raise PermissionDeniedError(_("Only the force or the dispatching brigade steps orders."))
    if action not in ORDER_STEPS:
        raise ValidationFailed(_("Unknown step %(step)r.") % {"step": action}, code="unknown_step")
    required, target = ORDER_STEPS[action]
    if order.status != required:
        raise InvalidTransition(
            _("This step does not follow from the order's status (%(status)s).")
            % {"status": order.get_status_display()},
            code="invalid_step",
        )
    now = timezone.now()
    fields = ["status", "last_step_by", "last_step_on_behalf"]
    stamp = {
        "acknowledge": "acknowledged_at",
        "depart": "departed_at",
        "arrive": "arrived_at",
        "complete": "completed_at",
        "result": "reported_at",
    }[action]
    setattr(order, stamp, now)
    fields.append(stamp)
    if action == "complete":
        order.result_deadline = now + deadlines_for(order.force, order.plan.incident).result
        fields.append("result_deadline")
    if action == "result":
        errors = {}
        if not result.strip():
            errors["result"] = [_("Describe the result.")]
        if people_rescued is not None and people_rescued < 0:
            errors["people_rescued"] = [_("Cannot be negative.")]
        if errors:
            raise ValidationFailed(_("The result report is incomplete."), errors=errors)
        order.result = result.strip()
        order.people_rescued = people_rescued or 0
        fields += ["result", "people_rescued"]
    order.status = target
    order.last_step_by = actor
    order.last_step_on_behalf = on_behalf
    order._history_user = actor
    order.save(update_fields=fields)
    resolves = {
        "acknowledge": [AlertKind.ACK_OVERDUE],
        "arrive": [AlertKind.ARRIVAL_OVERDUE],
        "result": [AlertKind.RESULT_OVERDUE],
    }.get(action, [])
    if resolves:
        DispatchAlert.objects.filter(
            order=order, kind__in=resolves, resolved_at__isnull=True
        ).update(resolved_at=now)
    if action == "complete":
        force = Force.objects.select_for_update(of=("self",)).get(pk=order.force_id)
        still_out = (
            CallOutOrder.objects.filter(force_id=force.pk, status__in=OPEN_ORDER_STATUSES)
            .exclude(pk=order.pk)
            .exists()
        )
        if not still_out:
            set_force_status(
                force=force,
                status=ForceStatus.STANDBY,
                actor=actor,
                reason=f"order {order.number} completed",
            )
    record_event(
        type=f"order.{target}",
        jurisdiction=order.plan.incident.jurisdiction,
        subject=order,
        actor=actor,
        payload=_order_payload(order, on_behalf=on_behalf),
        organisation=order.force.organisation,
    )
    return order


def acknowledge_order(*, actor: User, order_id: int) -> CallOutOrder:
    return advance_order(actor=actor, order_id=order_id, action="acknowledge")


def depart_order(*, actor: User, order_id: int) -> CallOutOrder:
    return advance_order(actor=actor, order_id=order_id, action="depart")


def arrive_order(*, actor: User, order_id: int) -> CallOutOrder:
    return advance_order(actor=actor, order_id=order_id, action="arrive")


def complete_order(*, actor: User, order_id: int) -> CallOutOrder:
    return advance_order(actor=actor, order_id=order_id, action="complete")


def report_order_result(
    *, actor: User, order_id: int, result: str, people_rescued: int | None = None
) -> CallOutOrder:
    return advance_order(
        actor=actor,
        order_id=order_id,
        action="result",
        result=result,
        people_rescued=people_rescued,
    )


@transaction.atomic
def deliver_order(*, order_id: int) -> bool:
    """Mark an order delivered to its force and its notice delivered to the department.
    Idempotent: a retry or the sweep finding it done changes nothing."""
    order = (
        CallOutOrder.objects.select_for_update(of=("self",))
        .select_related("plan__incident__jurisdiction", "force__organisation")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        return False
    now = timezone.now()
    changed = False
    if order.delivered_at is None:
        order.delivered_at = now
        order.save(update_fields=["delivered_at"])
        record_event(
            type="order.delivered",
            jurisdiction=order.plan.incident.jurisdiction,
            subject=order,
            payload=_order_payload(order),
            organisation=order.force.organisation,
        )
        changed = True
    notice = (
        Notice.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(order=order)
        .first()
    )
    if notice is not None and notice.status != NoticeStatus.DELIVERED:
        notice.status = NoticeStatus.DELIVERED
        notice.delivered_at = now
        notice.attempts += 1
        notice.save(update_fields=["status", "delivered_at", "attempts"])
        record_event(
            type="notice.delivered",
            jurisdiction=order.plan.incident.jurisdiction,
            subject=notice,
            payload=_order_payload(order, organisation_id=notice.organisation_id),
            organisation=notice.organisation,
        )
        changed = True
    return changed


def undelivered_order_ids(limit: int = 500) -> list[int]:
    from django.db.models import Q

    return list(
        CallOutOrder.objects.filter(
            Q(delivered_at__isnull=True) | Q(notice__status=NoticeStatus.PENDING)
        ).values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def mark_overdue(*, now: datetime | None = None) -> list[DispatchAlert]:
    """Raise one alert per overdue step (Zhoushan §三.2): not acknowledged in time, not
    arrived by the tier deadline, no result within 24 h of completion. Idempotent."""
    now = now or timezone.now()
    checks = [
        (AlertKind.ACK_OVERDUE, "ack_deadline", [OrderStatus.ISSUED]),
        (
            AlertKind.ARRIVAL_OVERDUE,
            "arrival_deadline",
            [OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.DEPARTED],
        ),
        (AlertKind.RESULT_OVERDUE, "result_deadline", [OrderStatus.COMPLETED]),
    ]
    raised = []
    for kind, field, statuses in checks:
        # Skip orders a step holds right now: they are looked at again on the next tick,
        # and locking before writing alerts keeps the sweep from deadlocking with steps.
        overdue = (
            CallOutOrder.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(status__in=statuses, **{f"{field}__lt": now})
            .exclude(alerts__kind=kind)
            .select_related("plan__incident__jurisdiction", "force__organisation")
        )
        for order in overdue:
            alert, created = DispatchAlert.objects.get_or_create(
                order=order,
                kind=kind,
                defaults={"raised_at": now, "deadline": getattr(order, field)},
            )
            if not created:
                continue
            record_event(
                type="order.overdue",
                jurisdiction=order.plan.incident.jurisdiction,
                subject=order,
                payload=_order_payload(
                    order, kind=kind, deadline=getattr(order, field).isoformat()
                ),
                organisation=order.force.organisation,
            )
            raised.append(alert)
    return raised


# --- cross-region reinforcement ---------------------------------------------------------


@transaction.atomic
def request_reinforcement(
    *, actor: User, incident_id: int, needs: str, reason: str
) -> ReinforcementRequest:
    """The same-level bureau applies to the upper-level bureau (Liaocheng §三.一.2)."""
    incident = Incident.objects.select_related("jurisdiction").filter(pk=incident_id).first()
    if incident is None or not in_jurisdiction(actor, incident.jurisdiction):
        raise NotFoundError(_("No such incident in your jurisdiction."))
    level = actor.jurisdiction
    if not (
        is_bureau_approver_of(actor, level)
        or _is_member(actor, OrganisationKind.EMERGENCY_BUREAU, Role.DUTY_OFFICER)
    ):
        raise PermissionDeniedError(_("The same-level bureau applies for reinforcement."))
    if level.parent_id is None:
        raise InvalidTransition(_("There is no upper level to ask."), code="no_upper_level")
    if incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("The incident is closed."), code="incident_closed")
    errors = {
        k: [_("This field is required.")]
        for k, v in (("needs", needs), ("reason", reason))
        if not (v or "").strip()
    }
    if errors:
        raise ValidationFailed(_("Say what is needed and why."), errors=errors)
    request = ReinforcementRequest(
        incident=incident,
        requesting_jurisdiction=level,
        upper_jurisdiction=level.parent,
        needs=needs,
        reason=reason,
        requested_by=actor,
    )
    request._history_user = actor
    request.save()
    record_event(
        type="reinforcement.requested",
        jurisdiction=incident.jurisdiction,
        subject=request,
        actor=actor,
        payload={"request_id": request.pk, "incident_id": incident.pk, "upper": level.parent.code},
    )
    return request


@transaction.atomic
def decide_reinforcement(
    *, actor: User, request_id: int, approve: bool, reason: str = ""
) -> ReinforcementRequest:
    """The upper-level bureau approves or rejects (a rejection needs a reason)."""
    request = (
        ReinforcementRequest.objects.select_for_update(of=("self",))
        .select_related("upper_jurisdiction", "incident__jurisdiction")
        .filter(pk=request_id)
        .first()
    )
    if (
        request is None
        or not ReinforcementRequest.objects.visible_to(actor).filter(pk=request_id).exists()
    ):
        raise NotFoundError(_("No such reinforcement request."))
    if not is_bureau_approver_of(actor, request.upper_jurisdiction):
        raise PermissionDeniedError(_("Only the upper-level bureau decides reinforcement."))
    if request.requested_by_id == actor.pk:
        raise DrafterCannotApprove(_("The applicant cannot decide its own request."))
    if request.status != ReinforcementStatus.REQUESTED:
        raise AlreadyDecided(_("This request was already decided."))
    if not approve and not reason.strip():
        raise ValidationFailed(
            _("A rejection needs a reason."),
            code="reason_required",
            errors={"reason": [_("A rejection needs a reason.")]},
        )
    request.status = ReinforcementStatus.APPROVED if approve else ReinforcementStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason.strip()
    request._history_user = actor
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    record_event(
        type=f"reinforcement.{request.status}",
        jurisdiction=request.incident.jurisdiction,
        subject=request,
        actor=actor,
        payload={"request_id": request.pk, "incident_id": request.incident_id},
    )
    return request
