"""The dispatch chain's rules, one test per rule, each naming its seed section (SPEC §4):
Liaocheng §三.一.2 (plan, same-level approval, special-period consent, orders and
notices, cross-region reinforcement), Rongcheng §四.一.4 (the same chain at county level),
Zhoushan §三.2 (tiers, arrival deadlines, feedback, result within 24 hours)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from command import services as command_services
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event, User
from core.roles import Role
from dispatch import services, tasks
from dispatch.choices import (
    AlertKind,
    NoticeStatus,
    OrderStatus,
    PlanStatus,
    ReinforcementStatus,
    SpecialPeriodKind,
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
    ReinforcementRequest,
    SpecialPeriod,
)
from dispatch.services import plans as plan_services
from forces import services as force_services
from forces.choices import ForceStatus
from forces.models import Force
from tests import factories as f

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
IN_FLOOD_SEASON = datetime(2026, 7, 15, 10, 0, tzinfo=BEIJING)
AFTER_FLOOD_SEASON = datetime(2026, 10, 8, 10, 0, tzinfo=BEIJING)


# --- helpers -----------------------------------------------------------------------------


def events(subject, type_=None):
    rows = Event.objects.filter(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))
    return rows.filter(type=type_) if type_ else rows


def submitted(w, forces=None, **extra):
    return f.plan(w.dispatcher_a, w.incident_a, forces or [w.force_a], submit=True, **extra)


def approved(w, forces=None):
    plan = submitted(w, forces)
    orders = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    return plan, orders


def flood_season(jurisdiction):
    """The city's flood season, every year from June 1 to September 30."""
    return SpecialPeriod.objects.create(
        kind=SpecialPeriodKind.FLOOD_SEASON,
        name="聊城市汛期",
        jurisdiction=jurisdiction,
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 9, 30),
        recurs_yearly=True,
    )


def step(order, actor, *actions, **kwargs):
    for action in actions:
        order = services.advance_order(actor=actor, order_id=order.pk, action=action, **kwargs)
    return order


def tier_force(w, org, name):
    return f.force(w.admin_a, org, name=name)


def refreshed(user):
    """A fresh instance, so that roles added in the test are seen (role_names caches)."""
    return User.objects.get(pk=user.pk)


# --- drafting ----------------------------------------------------------------------------


def test_county_dispatcher_drafts_plan_for_own_incident(incident_world):
    """Liaocheng §三.一.2, Rongcheng §四.一.4: the fire brigade drafts the call-out plan."""
    w = incident_world
    plan = services.draft_plan(
        actor=w.dispatcher_a,
        incident_id=w.incident_a.pk,
        task="堤防抢险",
        reason="管涌扩大",
        lines=[
            services.LineInput(force_id=w.force_a.pk, task="封堵管涌", people=12, equipment="砂袋"),
            services.LineInput(force_id=w.force_power_a.pk, people=4),
        ],
    )
    assert plan.status == PlanStatus.DRAFT
    assert plan.jurisdiction == w.county_a
    assert plan.drafted_by == w.dispatcher_a
    lines = list(plan.lines.order_by("id"))
    assert [(line.force, line.people) for line in lines] == [(w.force_a, 12), (w.force_power_a, 4)]
    assert lines[0].task == "封堵管涌" and lines[0].equipment == "砂袋"
    event = events(plan, "plan.drafted").get()
    assert event.jurisdiction == w.county_a
    assert event.actor == w.dispatcher_a


def test_dispatcher_of_another_county_cannot_see_the_incident(incident_world):
    """Rongcheng §四.一.4: each county's brigade drafts for its own incidents."""
    w = incident_world
    with pytest.raises(NotFoundError):
        f.plan(w.dispatcher_b, w.incident_a, [w.force_b])


@pytest.mark.parametrize("persona", ["duty_officer_a", "approver_a", "editor_a", "admin_a"])
def test_only_fire_dispatchers_draft_plans(incident_world, persona):
    """Liaocheng §三.一.2: 由消防救援队伍拟定调用方案 — not the bureau or a department."""
    w = incident_world
    with pytest.raises(PermissionDeniedError):
        f.plan(getattr(w, persona), w.incident_a, [w.force_a])
    assert not CallOutPlan.objects.exists()


def test_forces_outside_the_brigades_jurisdiction_are_refused(incident_world):
    """Liaocheng §三.一.2: a county brigade calls out the forces of its own county."""
    w = incident_world
    with pytest.raises(ValidationFailed) as exc:
        f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_b])
    assert "lines" in exc.value.errors
    assert not CallOutPlan.objects.exists()


def test_plan_needs_task_reason_and_one_force_each_once(incident_world):
    """Liaocheng §三.一.2: the plan says which forces, what task and why."""
    w = incident_world
    for kwargs in (
        {
            "task": " ",
            "reason": "x",
            "lines": [services.LineInput(force_id=w.force_a.pk, people=5)],
        },
        {"task": "x", "reason": "", "lines": [services.LineInput(force_id=w.force_a.pk, people=5)]},
        {"task": "x", "reason": "x", "lines": []},
        {
            "task": "x",
            "reason": "x",
            "lines": [services.LineInput(force_id=w.force_a.pk, people=5)] * 2,
        },
        {"task": "x", "reason": "x", "lines": [services.LineInput(w.force_a.pk, people=-1)]},
        {"task": "x", "reason": "x", "lines": [services.LineInput(force_id=987654)]},
    ):
        with pytest.raises(ValidationFailed):
            services.draft_plan(actor=w.dispatcher_a, incident_id=w.incident_a.pk, **kwargs)
    assert not CallOutPlan.objects.exists()


def test_no_plan_for_a_closed_incident(incident_world):
    """SPEC §4: the chain hangs on an open incident."""
    w = incident_world
    command_services.close_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    with pytest.raises(InvalidTransition) as exc:
        f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    assert exc.value.code == "incident_closed"


def test_draft_is_edited_by_its_brigade_until_submitted(incident_world):
    """Liaocheng §三.一.2: the brigade may revise its plan until it goes to the bureau."""
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    with pytest.raises(PermissionDeniedError):
        services.update_plan(actor=w.approver_a, plan_id=plan.pk, task="x", reason="y", lines=[])
    services.update_plan(
        actor=w.dispatcher_a,
        plan_id=plan.pk,
        task="转移群众",
        reason="水位上涨",
        lines=[services.LineInput(force_id=w.force_power_a.pk, people=3)],
    )
    plan.refresh_from_db()
    assert (plan.task, plan.reason) == ("转移群众", "水位上涨")
    assert [line.force for line in plan.lines.all()] == [w.force_power_a]
    assert events(plan, "plan.edited").get().jurisdiction == w.county_a
    services.submit_plan(actor=w.dispatcher_a, plan_id=plan.pk)
    with pytest.raises(InvalidTransition) as exc:
        services.update_plan(
            actor=w.dispatcher_a,
            plan_id=plan.pk,
            task="x",
            reason="y",
            lines=[services.LineInput(force_id=w.force_a.pk, people=5)],
        )
    assert exc.value.code == "not_draft"


# --- submission --------------------------------------------------------------------------


def test_plan_is_submitted_only_from_draft(incident_world):
    """Liaocheng §三.一.2: 报同级应急管理部门同意 — once; no step repeated."""
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    plan = services.submit_plan(actor=w.dispatcher_a, plan_id=plan.pk)
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.submitted_at is not None
    assert events(plan, "plan.submitted").get().jurisdiction == w.county_a
    with pytest.raises(InvalidTransition) as exc:
        services.submit_plan(actor=w.dispatcher_a, plan_id=plan.pk)
    assert exc.value.code == "not_draft"


def test_only_the_drafting_brigade_submits(incident_world):
    """Rongcheng §四.一.4: the county brigade submits its own plan."""
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    with pytest.raises(NotFoundError):
        services.submit_plan(actor=w.dispatcher_b, plan_id=plan.pk)
    with pytest.raises(PermissionDeniedError):
        services.submit_plan(actor=w.approver_a, plan_id=plan.pk)
    with pytest.raises(PermissionDeniedError):
        services.submit_plan(actor=w.dispatcher_city, plan_id=plan.pk)


# --- approval ----------------------------------------------------------------------------


def test_drafter_cannot_approve_own_plan_even_holding_the_approver_role(incident_world):
    """Liaocheng §三.一.2: the brigade drafts, the bureau approves — never the same person."""
    w = incident_world
    w.dispatcher_a.groups.add(Group.objects.get(name=Role.BUREAU_APPROVER))
    drafter = refreshed(w.dispatcher_a)
    assert drafter.has_role(Role.BUREAU_APPROVER)
    plan = submitted(w)
    with pytest.raises(DrafterCannotApprove) as exc:
        services.approve_plan(actor=drafter, plan_id=plan.pk)
    assert exc.value.code == "drafter_cannot_approve"
    with pytest.raises(DrafterCannotApprove):
        services.reject_plan(actor=drafter, plan_id=plan.pk, reason="自批不行")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_approver_of_another_county_cannot_see_the_plan(incident_world):
    """Rongcheng §四.一.4: the same-level bureau approves; others do not even see it."""
    w = incident_world
    plan = submitted(w)
    with pytest.raises(NotFoundError):
        services.approve_plan(actor=w.approver_b, plan_id=plan.pk)


def test_upper_level_approver_cannot_approve_a_county_plan(incident_world):
    """Liaocheng §三.一.2: 报同级应急管理部门同意 — the city bureau is not the same level."""
    w = incident_world
    plan = submitted(w)
    with pytest.raises(PermissionDeniedError) as exc:
        services.approve_plan(actor=w.approver_city, plan_id=plan.pk)
    assert exc.value.code == "permission_denied"
    with pytest.raises(PermissionDeniedError):
        services.approve_plan(actor=w.duty_officer_a, plan_id=plan.pk)
    assert not CallOutOrder.objects.exists()


def test_approval_issues_one_order_and_one_notice_per_force(incident_world):
    """Liaocheng §三.一.2: on approval the order goes directly to each force, and its
    industry department is notified for the record (报备) at the same moment."""
    w = incident_world
    plan, orders = approved(w, [w.force_a, w.force_power_a])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert plan.decided_by == w.approver_a and plan.decided_at is not None
    assert {o.force for o in orders} == {w.force_a, w.force_power_a}
    assert CallOutOrder.objects.filter(plan=plan).count() == 2
    for order in orders:
        assert order.status == OrderStatus.ISSUED
        assert order.issued_at == plan.decided_at
        assert order.number.endswith(f"-{plan.pk:06d}-{orders.index(order) + 1:02d}")
        assert order.people == 5 and order.task == plan.task
        assert order.delivered_at is None  # delivery waits for the commit
    notices = {n.order.force: n for n in Notice.objects.select_related("order__force")}
    # force_a's industry authority is 临清市水利局; the power company answers for itself.
    assert notices[w.force_a].organisation == w.water_a
    assert notices[w.force_power_a].organisation == w.power_a
    assert all(
        n.status == NoticeStatus.PENDING and n.recorded_at == plan.decided_at
        for n in notices.values()
    )
    assert events(plan, "plan.approved").get().jurisdiction == w.county_a
    for order in orders:
        assert events(order, "order.issued").get().jurisdiction == w.county_a


def test_approval_deploys_the_forces(incident_world):
    """Liaocheng §三.一.2: a force under an order is out (deployed)."""
    w = incident_world
    approved(w, [w.force_a, w.force_power_a])
    statuses = set(
        Force.objects.filter(pk__in=[w.force_a.pk, w.force_power_a.pk]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {ForceStatus.DEPLOYED}


def test_approving_twice_is_already_decided_and_issues_nothing_more(incident_world):
    """Liaocheng §三.一.2: one approval, one set of orders; no step repeated."""
    w = incident_world
    plan, _ = approved(w)
    other_approver = f.user("approver_a2", w.bureau_a, Role.BUREAU_APPROVER)
    for actor in (w.approver_a, other_approver):
        with pytest.raises(AlreadyDecided) as exc:
            services.approve_plan(actor=actor, plan_id=plan.pk)
        assert exc.value.code == "already_decided"
    with pytest.raises(AlreadyDecided):
        services.reject_plan(actor=w.approver_a, plan_id=plan.pk, reason="改主意")
    assert CallOutOrder.objects.filter(plan=plan).count() == 1
    assert Notice.objects.count() == 1


def test_a_draft_cannot_be_decided(incident_world):
    """Liaocheng §三.一.2: the bureau decides what was submitted to it."""
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    with pytest.raises(InvalidTransition) as exc:
        services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    assert exc.value.code == "not_submitted"


def test_unavailable_force_blocks_approval_and_leaves_nothing(incident_world):
    """Liaocheng §三.一.2: orders and notices are issued together or not at all."""
    w = incident_world
    plan = submitted(w, [w.force_a, w.force_power_a])
    force_services.update_force(
        actor=w.editor_power_a,
        force_id=w.force_power_a.pk,
        data={"status": ForceStatus.UNAVAILABLE},
    )
    with pytest.raises(ForceUnavailable) as exc:
        services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    assert exc.value.code == "force_unavailable"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert not CallOutOrder.objects.exists() and not Notice.objects.exists()
    assert Force.objects.get(pk=w.force_a.pk).status == ForceStatus.STANDBY


def test_a_failure_after_the_first_order_rolls_the_whole_approval_back(incident_world, monkeypatch):
    """Liaocheng §三.一.2: the orders and notices are one act with the approval — if any
    part fails, nothing of it is left."""
    w = incident_world
    plan = submitted(w, [w.force_a, w.force_power_a])
    real = plan_services.set_force_status
    calls = []

    def fail_on_second(**kwargs):
        calls.append(kwargs["force"].pk)
        if len(calls) == 2:
            raise RuntimeError("lost the database mid-approval")
        real(**kwargs)

    monkeypatch.setattr(plan_services, "set_force_status", fail_on_second)
    events_before = Event.objects.count()
    with pytest.raises(RuntimeError):
        services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.decided_by is None
    assert not CallOutOrder.objects.exists() and not Notice.objects.exists()
    assert Event.objects.count() == events_before
    assert set(Force.objects.values_list("status", flat=True)) == {ForceStatus.STANDBY}


def test_rejection_requires_a_reason(incident_world):
    """Liaocheng §三.一.2 (SPEC §4.3): the bureau approves or rejects it, with a reason."""
    w = incident_world
    plan = submitted(w)
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as exc:
            services.reject_plan(actor=w.approver_a, plan_id=plan.pk, reason=reason)
        assert exc.value.code == "reason_required"
        assert "reason" in exc.value.errors
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_rejection_is_final_and_recorded(incident_world):
    """Liaocheng §三.一.2: a rejected plan issues nothing."""
    w = incident_world
    plan = submitted(w)
    plan = services.reject_plan(actor=w.approver_a, plan_id=plan.pk, reason=" 力量不足，改调 ")
    assert plan.status == PlanStatus.REJECTED
    assert plan.rejection_reason == "力量不足，改调"
    event = events(plan, "plan.rejected").get()
    assert event.payload["reason"] == "力量不足，改调"
    assert event.jurisdiction == w.county_a
    with pytest.raises(AlreadyDecided):
        services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    assert not CallOutOrder.objects.exists()


# --- special periods and consent ---------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "active"),
    [
        (datetime(2026, 5, 31, 23, 30, tzinfo=BEIJING), False),
        (datetime(2026, 6, 1, 0, 30, tzinfo=BEIJING), True),  # still May 31 in UTC
        (datetime(2027, 9, 30, 23, 30, tzinfo=BEIJING), True),
        (datetime(2027, 10, 1, 0, 30, tzinfo=BEIJING), False),
        (datetime(2031, 7, 1, 12, 0, tzinfo=BEIJING), True),
        (datetime(2031, 1, 15, 12, 0, tzinfo=BEIJING), False),
    ],
)
def test_recurring_flood_season_runs_june_1_to_september_30_every_year(
    incident_world, moment, active
):
    """Liaocheng §三.一.2: 汛期等特殊时期 — the flood season recurs each year, by local date."""
    w = incident_world
    season = flood_season(w.city)
    with time_machine.travel(moment, tick=False):
        found = services.active_special_periods(w.county_a, timezone.localdate())
    assert (found == [season]) is active


def test_special_period_covers_its_jurisdiction_and_below_only(incident_world):
    """Liaocheng §三.一.2: a sensitive period declared for one county binds that county."""
    w = incident_world
    SpecialPeriod.objects.create(
        kind=SpecialPeriodKind.SENSITIVE,
        name="阳谷县重大活动保障期",
        jurisdiction=w.county_b,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 10),
    )
    assert services.active_special_periods(w.county_b, date(2026, 3, 5))
    assert not services.active_special_periods(w.county_b, date(2026, 3, 11))
    assert not services.active_special_periods(w.county_a, date(2026, 3, 5))
    assert not services.active_special_periods(w.city, date(2026, 3, 5))


def test_flood_season_approval_without_consent_names_the_departments(incident_world):
    """Liaocheng §三.一.2: 汛期等特殊时期，须由应急管理部门商行业主管部门同意后，下达出动指令."""
    w = incident_world
    flood_season(w.city)
    with time_machine.travel(IN_FLOOD_SEASON, tick=False):
        plan = submitted(w, [w.force_a, w.force_power_a])
        assert plan.in_special_period
        with pytest.raises(ConsentMissing) as exc:
            services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    assert exc.value.code == "consent_missing"
    assert "临清市水利局" in exc.value.detail and "国网临清市供电公司" in exc.value.detail
    assert sorted(exc.value.errors["departments"]) == sorted([w.water_a.pk, w.power_a.pk])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert not CallOutOrder.objects.exists()


def test_consent_by_each_department_then_approval(incident_world):
    """Liaocheng §三.一.2: with the departments' consent the bureau issues the orders."""
    w = incident_world
    flood_season(w.city)
    with time_machine.travel(IN_FLOOD_SEASON, tick=False):
        plan = submitted(w, [w.force_a, w.force_power_a])
        consent = services.record_consent(
            actor=w.editor_a, plan_id=plan.pk, organisation_id=w.water_a.pk, note="同意调用"
        )
        with pytest.raises(ConsentMissing) as exc:
            services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
        assert "临清市水利局" not in exc.value.detail
        services.record_consent(
            actor=w.editor_power_a, plan_id=plan.pk, organisation_id=w.power_a.pk
        )
        orders = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    assert consent.given_by == w.editor_a
    assert (consent.consulted_person, consent.consulted_at) == ("", None)
    assert len(orders) == 2
    plan.refresh_from_db()
    assert plan.in_special_period and plan.status == PlanStatus.APPROVED
    recorded = events(plan, "plan.consent_recorded")
    assert recorded.count() == 2
    assert {e.jurisdiction for e in recorded} == {w.county_a}


def test_consent_recorded_by_the_approver_names_who_was_consulted_and_when(incident_world):
    """Liaocheng §三.一.2: 商行业主管部门同意 — when the bureau records it, it says with whom."""
    w = incident_world
    flood_season(w.city)
    with time_machine.travel(IN_FLOOD_SEASON, tick=False):
        plan = submitted(w)
        with pytest.raises(ValidationFailed) as exc:
            services.record_consent(
                actor=w.approver_a, plan_id=plan.pk, organisation_id=w.water_a.pk
            )
        assert set(exc.value.errors) == {"consulted_person", "consulted_at"}
        consulted_at = timezone.now() - timedelta(minutes=3)
        consent = services.record_consent(
            actor=w.approver_a,
            plan_id=plan.pk,
            organisation_id=w.water_a.pk,
            consulted_person=" 王局长 ",
            consulted_at=consulted_at,
        )
        services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    assert (consent.consulted_person, consent.consulted_at) == ("王局长", consulted_at)
    assert consent.given_by == w.approver_a


def test_consent_by_an_unrelated_user_is_refused(incident_world):
    """Liaocheng §三.一.2: only the department that owns the force (or the bureau for it)."""
    w = incident_world
    flood_season(w.city)
    with time_machine.travel(IN_FLOOD_SEASON, tick=False):
        plan = submitted(w)
        for actor in (w.editor_power_a, w.dispatcher_a, w.duty_officer_a, w.approver_city):
            with pytest.raises(PermissionDeniedError):
                services.record_consent(
                    actor=actor,
                    plan_id=plan.pk,
                    organisation_id=w.water_a.pk,
                    consulted_person="某人",
                    consulted_at=timezone.now(),
                )
        with pytest.raises(NotFoundError):
            services.record_consent(actor=w.editor_b, plan_id=plan.pk, organisation_id=w.water_a.pk)
        with pytest.raises(ValidationFailed) as exc:
            services.record_consent(
                actor=w.editor_power_a, plan_id=plan.pk, organisation_id=w.power_a.pk
            )
        assert "organisation" in exc.value.errors
    assert not Consent.objects.exists()


def test_consent_is_recorded_once_per_department(incident_world):
    """Liaocheng §三.一.2: one consent per department; a retry changes nothing."""
    w = incident_world
    plan = submitted(w)
    first = services.record_consent(actor=w.editor_a, plan_id=plan.pk, organisation_id=w.water_a.pk)
    again = services.record_consent(actor=w.editor_a, plan_id=plan.pk, organisation_id=w.water_a.pk)
    assert first.pk == again.pk
    assert Consent.objects.count() == 1
    assert events(plan, "plan.consent_recorded").count() == 1


def test_consent_after_the_decision_is_refused(incident_world):
    """Liaocheng §三.一.2: consent comes before the orders."""
    w = incident_world
    plan, _ = approved(w)
    with pytest.raises(InvalidTransition):
        services.record_consent(actor=w.editor_a, plan_id=plan.pk, organisation_id=w.water_a.pk)


def test_no_consent_needed_outside_the_flood_season(incident_world):
    """Liaocheng §三.一.2: consent is a special-period rule only."""
    w = incident_world
    flood_season(w.city)
    with time_machine.travel(AFTER_FLOOD_SEASON, tick=False):
        plan = submitted(w)
        orders = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    plan.refresh_from_db()
    assert len(orders) == 1 and not plan.in_special_period


# --- orders ------------------------------------------------------------------------------


def test_force_steps_its_order_in_order(incident_world):
    """Zhoushan §三.2: acknowledge, depart, arrive, complete, then report the result."""
    w = incident_world
    _, (order,) = approved(w)
    expected = [
        ("acknowledge", OrderStatus.ACKNOWLEDGED, "acknowledged_at"),
        ("depart", OrderStatus.DEPARTED, "departed_at"),
        ("arrive", OrderStatus.ARRIVED, "arrived_at"),
        ("complete", OrderStatus.COMPLETED, "completed_at"),
    ]
    for action, status, stamp in expected:
        order = step(order, w.force_account_a, action)
        assert order.status == status
        assert getattr(order, stamp) is not None
        assert order.last_step_by == w.force_account_a and not order.last_step_on_behalf
        event = events(order, f"order.{status}").get()
        assert event.jurisdiction == w.county_a and event.actor == w.force_account_a
    order = services.report_order_result(
        actor=w.force_account_a, order_id=order.pk, result="封堵管涌2处", people_rescued=3
    )
    assert order.status == OrderStatus.REPORTED
    assert (order.result, order.people_rescued) == ("封堵管涌2处", 3)
    assert events(order, "order.reported").get().jurisdiction == w.county_a


def test_order_cannot_skip_a_step(incident_world):
    """Zhoushan §三.2: no step is skipped — a force departs only after acknowledging."""
    w = incident_world
    _, (order,) = approved(w)
    for action in ("depart", "arrive", "complete", "result"):
        with pytest.raises(InvalidTransition) as exc:
            services.advance_order(
                actor=w.force_account_a, order_id=order.pk, action=action, result="x"
            )
        assert exc.value.code == "invalid_step"
    assert CallOutOrder.objects.get(pk=order.pk).status == OrderStatus.ISSUED


def test_order_step_cannot_be_repeated(incident_world):
    """Zhoushan §三.2: each feedback once."""
    w = incident_world
    _, (order,) = approved(w)
    services.acknowledge_order(actor=w.force_account_a, order_id=order.pk)
    with pytest.raises(InvalidTransition) as exc:
        services.acknowledge_order(actor=w.force_account_a, order_id=order.pk)
    assert exc.value.code == "invalid_step"
    assert events(order, "order.acknowledged").count() == 1


def test_unknown_step_is_invalid(incident_world):
    w = incident_world
    _, (order,) = approved(w)
    with pytest.raises(ValidationFailed) as exc:
        services.advance_order(actor=w.force_account_a, order_id=order.pk, action="teleport")
    assert exc.value.code == "unknown_step"


def test_other_organisations_force_account_cannot_step(incident_world):
    """Liaocheng §三.一.2: the order goes to that force; only it answers."""
    w = incident_world
    _, (order,) = approved(w)
    with pytest.raises(PermissionDeniedError):
        services.acknowledge_order(actor=w.force_account_power_a, order_id=order.pk)
    with pytest.raises(NotFoundError):
        services.acknowledge_order(actor=w.force_account_b, order_id=order.pk)
    for actor in (w.duty_officer_a, w.approver_a, w.dispatcher_city):
        with pytest.raises(PermissionDeniedError):
            services.acknowledge_order(actor=actor, order_id=order.pk)
    assert CallOutOrder.objects.get(pk=order.pk).status == OrderStatus.ISSUED


def test_dispatcher_steps_on_the_forces_behalf_and_it_is_recorded(incident_world):
    """Zhoushan §三.2: feedback to the centre; when the force phones it in, the brigade's
    dispatcher records it on the force's behalf."""
    w = incident_world
    _, (order,) = approved(w)
    order = services.acknowledge_order(actor=w.dispatcher_a, order_id=order.pk)
    assert order.last_step_by == w.dispatcher_a and order.last_step_on_behalf
    assert events(order, "order.acknowledged").get().payload["on_behalf"] is True
    order = services.depart_order(actor=w.force_account_a, order_id=order.pk)
    assert not order.last_step_on_behalf


def test_result_needs_a_description(incident_world):
    """Zhoushan §三.2: 具体处置结果应在24小时内在警单上反馈 — a result says what was done."""
    w = incident_world
    _, (order,) = approved(w)
    order = step(order, w.force_account_a, "acknowledge", "depart", "arrive", "complete")
    with pytest.raises(ValidationFailed) as exc:
        services.report_order_result(actor=w.force_account_a, order_id=order.pk, result="  ")
    assert "result" in exc.value.errors
    assert CallOutOrder.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_people_rescued_cannot_be_negative(incident_world):
    """Zhoushan §三.2: the result is validated like any input (a refusal, not a DB error)."""
    w = incident_world
    _, (order,) = approved(w)
    order = step(order, w.force_account_a, "acknowledge", "depart", "arrive", "complete")
    with pytest.raises(ValidationFailed):
        services.report_order_result(
            actor=w.force_account_a, order_id=order.pk, result="完成", people_rescued=-2
        )


def test_result_is_due_24_hours_after_completion(incident_world):
    """Zhoushan §三.2: 具体处置结果应在24小时内在警单上反馈."""
    w = incident_world
    with time_machine.travel(IN_FLOOD_SEASON, tick=False) as traveller:
        _, (order,) = approved(w)
        order = step(order, w.force_account_a, "acknowledge", "depart", "arrive")
        traveller.shift(timedelta(hours=2))
        order = services.complete_order(actor=w.force_account_a, order_id=order.pk)
    assert order.completed_at == IN_FLOOD_SEASON + timedelta(hours=2)
    assert order.result_deadline == order.completed_at + timedelta(hours=24)


def test_force_returns_to_standby_on_completion(incident_world):
    """Zhoushan §三.2: completed, the force is ready for the next call."""
    w = incident_world
    _, (order,) = approved(w)
    assert Force.objects.get(pk=w.force_a.pk).status == ForceStatus.DEPLOYED
    step(order, w.force_account_a, "acknowledge", "depart", "arrive")
    assert Force.objects.get(pk=w.force_a.pk).status == ForceStatus.DEPLOYED
    step(order, w.force_account_a, "complete")
    assert Force.objects.get(pk=w.force_a.pk).status == ForceStatus.STANDBY


# --- deadlines ---------------------------------------------------------------------------


def test_arrival_deadline_by_tier_in_town(incident_world):
    """Zhoushan §三.2: tier 1 arrives within 30 minutes in town, tier 2 within 60; tier 3
    has no arrival deadline."""
    w = incident_world
    tier1 = tier_force(w, w.fire_a, "临清市城区消防救援站")  # the brigade is tier 1
    tier2 = w.force_a  # 临清市水利局 is tier 2
    social = f.organisation("临清市蓝天救援队", "social_organisation", w.county_a, tier=3)
    tier3 = tier_force(w, social, "临清市蓝天救援队")
    incident = w.incident_a
    assert services.deadlines_for(tier1, incident).arrival == timedelta(minutes=30)
    assert services.deadlines_for(tier2, incident).arrival == timedelta(minutes=60)
    assert services.deadlines_for(tier3, incident).arrival is None
    assert services.deadlines_for(tier1, incident).ack == timedelta(minutes=5)
    _, orders = approved(w, [tier1, tier2, tier3])
    by_force = {o.force_id: o for o in orders}
    assert by_force[tier1.pk].arrival_deadline == by_force[tier1.pk].issued_at + timedelta(
        minutes=30
    )
    assert by_force[tier2.pk].arrival_deadline == by_force[tier2.pk].issued_at + timedelta(
        minutes=60
    )
    assert by_force[tier3.pk].arrival_deadline is None
    assert all(o.ack_deadline == o.issued_at + timedelta(minutes=5) for o in orders)


def test_rural_incident_has_no_arrival_deadline_unless_the_policy_sets_one(incident_world):
    """Zhoushan §三.2: 农村以最快速度到达现场 — no fixed minutes unless configured."""
    w = incident_world
    tier1 = tier_force(w, w.fire_a, "临清市城区消防救援站")
    rural = f.incident(
        w.duty_officer_a,
        title="松林镇村庄进水",
        jurisdiction=w.town_a,
        area_type="rural",
        incident_type=w.flood_type,
    )
    assert services.deadlines_for(tier1, rural).arrival is None
    DispatchPolicy.objects.create(jurisdiction=w.county_a, tier1_rural_minutes=90)
    assert services.deadlines_for(tier1, rural).arrival == timedelta(minutes=90)
    assert services.deadlines_for(w.force_a, rural).arrival is None


def test_city_policy_applies_to_its_counties_unless_a_county_has_its_own(incident_world):
    """Zhoushan §三.2 figures are the default; the nearest policy up the tree overrides."""
    w = incident_world
    DispatchPolicy.objects.create(
        jurisdiction=w.city, tier2_urban_minutes=45, ack_minutes=3, result_hours=12
    )
    limits = services.deadlines_for(w.force_a, w.incident_a)
    assert (limits.ack, limits.arrival, limits.result) == (
        timedelta(minutes=3),
        timedelta(minutes=45),
        timedelta(hours=12),
    )
    assert services.deadlines_for(w.force_b, w.incident_b).arrival == timedelta(minutes=45)
    DispatchPolicy.objects.create(jurisdiction=w.county_a, tier2_urban_minutes=50)
    assert services.deadlines_for(w.force_a, w.incident_a).arrival == timedelta(minutes=50)
    assert services.deadlines_for(w.force_b, w.incident_b).arrival == timedelta(minutes=45)
    _, (order,) = approved(w)
    assert order.arrival_deadline == order.issued_at + timedelta(minutes=50)


# --- overdue alerts ----------------------------------------------------------------------


def test_overdue_steps_raise_one_alert_per_kind_and_marking_is_idempotent(incident_world):
    """Zhoushan §三.2: missing feedback becomes an overdue alert, raised once."""
    w = incident_world
    with time_machine.travel(IN_FLOOD_SEASON, tick=False) as traveller:
        _, (order,) = approved(w)  # tier 2: acknowledge in 5 min, arrive in 60
        assert services.mark_overdue() == []
        traveller.shift(timedelta(minutes=6))
        raised = services.mark_overdue()
        assert [(a.order_id, a.kind) for a in raised] == [(order.pk, AlertKind.ACK_OVERDUE)]
        assert services.mark_overdue() == []
        traveller.shift(timedelta(minutes=60))
        raised = services.mark_overdue()
        assert [a.kind for a in raised] == [AlertKind.ARRIVAL_OVERDUE]
        assert services.mark_overdue() == []
    alerts = DispatchAlert.objects.filter(order=order)
    assert sorted(alerts.values_list("kind", flat=True)) == [
        AlertKind.ACK_OVERDUE,
        AlertKind.ARRIVAL_OVERDUE,
    ]
    ack = alerts.get(kind=AlertKind.ACK_OVERDUE)
    assert ack.deadline == order.ack_deadline
    assert ack.raised_at == IN_FLOOD_SEASON + timedelta(minutes=6)
    overdue = events(order, "order.overdue")
    assert overdue.count() == 2
    assert {e.jurisdiction for e in overdue} == {w.county_a}


def test_alerts_resolve_when_the_step_happens(incident_world):
    """Zhoushan §三.2: a late acknowledgement, arrival or result closes its alert."""
    w = incident_world
    with time_machine.travel(IN_FLOOD_SEASON, tick=False) as traveller:
        _, (order,) = approved(w)
        traveller.shift(timedelta(minutes=61))
        services.mark_overdue()
        order = step(order, w.force_account_a, "acknowledge")
        alerts = DispatchAlert.objects.filter(order=order)
        assert alerts.get(kind=AlertKind.ACK_OVERDUE).resolved_at == timezone.now()
        assert alerts.get(kind=AlertKind.ARRIVAL_OVERDUE).resolved_at is None
        order = step(order, w.force_account_a, "depart", "arrive", "complete")
        assert alerts.get(kind=AlertKind.ARRIVAL_OVERDUE).resolved_at == timezone.now()
        traveller.shift(timedelta(hours=24, minutes=1))
        assert [a.kind for a in services.mark_overdue()] == [AlertKind.RESULT_OVERDUE]
        services.report_order_result(actor=w.force_account_a, order_id=order.pk, result="完成")
        assert alerts.get(kind=AlertKind.RESULT_OVERDUE).resolved_at == timezone.now()
        assert services.mark_overdue() == []
    assert not alerts.filter(resolved_at__isnull=True).exists()


def test_acknowledged_order_raises_no_acknowledge_alert(incident_world):
    """Zhoushan §三.2: only what is actually missing is overdue."""
    w = incident_world
    with time_machine.travel(IN_FLOOD_SEASON, tick=False) as traveller:
        _, (order,) = approved(w)
        step(order, w.force_account_a, "acknowledge", "depart", "arrive")
        traveller.shift(timedelta(hours=3))
        assert services.mark_overdue() == []


# --- delivery (outbox) -------------------------------------------------------------------


def test_orders_and_notices_are_delivered_after_commit(
    incident_world, django_capture_on_commit_callbacks
):
    """Liaocheng §三.一.2: the order reaches the force and the notice the department —
    after the approval commits, never before (RELIABILITY.md: outbox)."""
    w = incident_world
    plan = submitted(w, [w.force_a, w.force_power_a])
    with django_capture_on_commit_callbacks(execute=True):
        orders = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
        assert not CallOutOrder.objects.filter(delivered_at__isnull=False).exists()
    for order in orders:
        order.refresh_from_db()
        assert order.delivered_at is not None
        assert events(order, "order.delivered").get().jurisdiction == w.county_a
        notice = order.notice
        assert notice.status == NoticeStatus.DELIVERED and notice.delivered_at is not None
        assert notice.attempts == 1
        assert events(notice, "notice.delivered").count() == 1
    assert services.undelivered_order_ids() == []


def test_deliver_order_is_idempotent(incident_world):
    """RELIABILITY.md: a task can run twice; the second delivery changes nothing."""
    w = incident_world
    _, (order,) = approved(w)
    assert services.deliver_order(order_id=order.pk) is True
    first = CallOutOrder.objects.get(pk=order.pk).delivered_at
    assert services.deliver_order(order_id=order.pk) is False
    order.refresh_from_db()
    assert order.delivered_at == first
    assert order.notice.attempts == 1
    assert events(order, "order.delivered").count() == 1
    assert services.deliver_order(order_id=987654) is False


def test_sweep_redelivers_an_order_whose_task_was_lost(incident_world):
    """RELIABILITY.md: on_commit(task.delay) is not durable; the sweep re-delivers."""
    w = incident_world
    _, orders = approved(w, [w.force_a, w.force_power_a])  # callbacks never ran: task lost
    assert sorted(services.undelivered_order_ids()) == sorted(o.pk for o in orders)
    assert tasks.sweep_deliveries() == 2
    assert services.undelivered_order_ids() == []
    assert tasks.sweep_deliveries() == 0
    assert not Notice.objects.filter(status=NoticeStatus.PENDING).exists()


# --- cross-region reinforcement ----------------------------------------------------------


def _approved_reinforcement(w):
    request = services.request_reinforcement(
        actor=w.approver_a,
        incident_id=w.incident_a.pk,
        needs="冲锋舟2艘、水域救援队员20人",
        reason="本地水域力量不足",
    )
    return services.decide_reinforcement(actor=w.approver_city, request_id=request.pk, approve=True)


def test_reinforcement_goes_up_to_the_upper_bureau_and_its_brigade_carries_it_out(
    incident_world,
):
    """Liaocheng §三.一.2, Rongcheng §四.一.4: 跨区域增援时，由同级应急管理部门向上级应急管理
    部门提出申请，经批准后，由上级消防救援队伍具体实施."""
    w = incident_world
    request = services.request_reinforcement(
        actor=w.approver_a, incident_id=w.incident_a.pk, needs="冲锋舟2艘", reason="力量不足"
    )
    assert (request.requesting_jurisdiction, request.upper_jurisdiction) == (w.county_a, w.city)
    assert request.status == ReinforcementStatus.REQUESTED
    request = services.decide_reinforcement(
        actor=w.approver_city, request_id=request.pk, approve=True
    )
    assert request.status == ReinforcementStatus.APPROVED and request.decided_by == w.approver_city
    plan = f.plan(
        w.dispatcher_city, w.incident_a, [w.force_b], submit=True, reinforcement_id=request.pk
    )
    assert plan.jurisdiction == w.city and plan.reinforcement == request
    with pytest.raises(PermissionDeniedError):  # the county bureau is not the same level
        services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    orders = services.approve_plan(actor=w.approver_city, plan_id=plan.pk)
    assert [o.force for o in orders] == [w.force_b]
    order = services.acknowledge_order(actor=w.force_account_b, order_id=orders[0].pk)
    assert order.status == OrderStatus.ACKNOWLEDGED and not order.last_step_on_behalf
    with pytest.raises(NotFoundError):  # the requesting county's brigade does not step it
        services.depart_order(actor=w.dispatcher_b, order_id=order.pk)
    order = services.depart_order(actor=w.dispatcher_city, order_id=order.pk)
    assert order.last_step_on_behalf
    for subject, type_ in (
        (request, "reinforcement.requested"),
        (request, "reinforcement.approved"),
        (plan, "plan.drafted"),
        (plan, "plan.approved"),
        (order, "order.acknowledged"),
    ):
        assert events(subject, type_).get().jurisdiction == w.county_a


def test_both_levels_see_the_reinforcement_plan_and_its_orders(incident_world):
    """Liaocheng §三.一.2: the requesting county follows what the upper level does for it."""
    w = incident_world
    request = _approved_reinforcement(w)
    plan = f.plan(
        w.dispatcher_city, w.incident_a, [w.force_b], submit=True, reinforcement_id=request.pk
    )
    services.approve_plan(actor=w.approver_city, plan_id=plan.pk)
    for user in (w.approver_a, w.dispatcher_a, w.duty_officer_a, w.dispatcher_city, w.admin_city):
        assert CallOutPlan.objects.visible_to(user).filter(pk=plan.pk).exists(), user
        assert CallOutOrder.objects.visible_to(user).filter(plan=plan).count() == 1, user
        assert Notice.objects.visible_to(user).filter(order__plan=plan).exists(), user
    for user in (w.dispatcher_b, w.approver_b):
        assert not CallOutPlan.objects.visible_to(user).filter(pk=plan.pk).exists(), user
        assert not CallOutOrder.objects.visible_to(user).filter(plan=plan).exists(), user
    assert ReinforcementRequest.objects.visible_to(w.dispatcher_a).filter(pk=request.pk).exists()
    assert not ReinforcementRequest.objects.visible_to(w.approver_b).filter(pk=request.pk).exists()


def test_reinforcement_plan_refuses_forces_of_the_requesting_county(incident_world):
    """Liaocheng §三.一.2: reinforcement comes from outside the requesting jurisdiction."""
    w = incident_world
    request = _approved_reinforcement(w)
    with pytest.raises(ValidationFailed) as exc:
        f.plan(w.dispatcher_city, w.incident_a, [w.force_b, w.force_a], reinforcement_id=request.pk)
    assert len(exc.value.errors["lines"]) == 1
    assert not CallOutPlan.objects.exists()


def test_other_county_dispatcher_cannot_draft_on_the_reinforcement(incident_world):
    """Liaocheng §三.一.2: 由上级消防救援队伍具体实施 — only the upper-level brigade."""
    w = incident_world
    request = _approved_reinforcement(w)
    for actor in (w.dispatcher_b, w.dispatcher_a):
        with pytest.raises(NotFoundError):
            f.plan(actor, w.incident_a, [w.force_b], reinforcement_id=request.pk)
    with pytest.raises(PermissionDeniedError):
        f.plan(w.approver_city, w.incident_a, [w.force_b], reinforcement_id=request.pk)
    assert not CallOutPlan.objects.exists()


def test_reinforcement_is_carried_out_only_once_approved(incident_world):
    """Liaocheng §三.一.2: 经批准后 — not before."""
    w = incident_world
    request = services.request_reinforcement(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, needs="排涝泵车", reason="内涝"
    )
    with pytest.raises(InvalidTransition) as exc:
        f.plan(w.dispatcher_city, w.incident_a, [w.force_b], reinforcement_id=request.pk)
    assert exc.value.code == "reinforcement_not_approved"
    services.decide_reinforcement(
        actor=w.approver_city, request_id=request.pk, approve=False, reason="市级力量已在途"
    )
    with pytest.raises(InvalidTransition):
        f.plan(w.dispatcher_city, w.incident_a, [w.force_b], reinforcement_id=request.pk)


def test_only_the_same_level_bureau_requests_reinforcement(incident_world):
    """Liaocheng §三.一.2: 由同级应急管理部门向上级应急管理部门提出申请."""
    w = incident_world
    for actor in (w.dispatcher_a, w.editor_a, w.force_account_a):
        with pytest.raises(PermissionDeniedError):
            services.request_reinforcement(
                actor=actor, incident_id=w.incident_a.pk, needs="x", reason="y"
            )
    with pytest.raises(NotFoundError):
        services.request_reinforcement(
            actor=w.approver_b, incident_id=w.incident_a.pk, needs="x", reason="y"
        )
    with pytest.raises(ValidationFailed) as exc:
        services.request_reinforcement(
            actor=w.approver_a, incident_id=w.incident_a.pk, needs=" ", reason=""
        )
    assert set(exc.value.errors) == {"needs", "reason"}


def test_only_the_upper_bureau_decides_reinforcement_once(incident_world):
    """Liaocheng §三.一.2: 经(上级应急管理部门)批准 — once, a rejection with its reason."""
    w = incident_world
    request = services.request_reinforcement(
        actor=w.approver_a, incident_id=w.incident_a.pk, needs="x", reason="y"
    )
    with pytest.raises(PermissionDeniedError):
        services.decide_reinforcement(actor=w.approver_a, request_id=request.pk, approve=True)
    with pytest.raises(PermissionDeniedError):
        services.decide_reinforcement(actor=w.dispatcher_city, request_id=request.pk, approve=True)
    with pytest.raises(NotFoundError):
        services.decide_reinforcement(actor=w.approver_b, request_id=request.pk, approve=True)
    with pytest.raises(ValidationFailed) as exc:
        services.decide_reinforcement(actor=w.approver_city, request_id=request.pk, approve=False)
    assert exc.value.code == "reason_required"
    request = services.decide_reinforcement(
        actor=w.approver_city, request_id=request.pk, approve=False, reason="已调市级力量"
    )
    assert request.status == ReinforcementStatus.REJECTED
    assert events(request, "reinforcement.rejected").get().jurisdiction == w.county_a
    with pytest.raises(AlreadyDecided) as exc:
        services.decide_reinforcement(actor=w.approver_city, request_id=request.pk, approve=True)
    assert exc.value.code == "already_decided"


# --- the event log -----------------------------------------------------------------------


def test_every_transition_records_its_event_in_the_incidents_jurisdiction(incident_world):
    """SPEC §4: every step is a state transition with actor and time (core.Event)."""
    w = incident_world
    start = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    services.update_plan(
        actor=w.dispatcher_a,
        plan_id=plan.pk,
        task="抢险",
        reason="险情",
        lines=[services.LineInput(force_id=w.force_a.pk, people=5)],
    )
    services.submit_plan(actor=w.dispatcher_a, plan_id=plan.pk)
    services.record_consent(actor=w.editor_a, plan_id=plan.pk, organisation_id=w.water_a.pk)
    (order,) = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    services.deliver_order(order_id=order.pk)
    step(order, w.force_account_a, "acknowledge", "depart", "arrive", "complete")
    services.report_order_result(actor=w.force_account_a, order_id=order.pk, result="完成")
    dispatch_events = Event.objects.filter(seq__gt=start).exclude(type="force.status_changed")
    assert list(dispatch_events.values_list("type", flat=True)) == [
        "plan.drafted",
        "plan.edited",
        "plan.submitted",
        "plan.consent_recorded",
        "plan.approved",
        "order.issued",
        "order.delivered",
        "notice.delivered",
        "order.acknowledged",
        "order.departed",
        "order.arrived",
        "order.completed",
        "order.reported",
    ]
    assert {e.jurisdiction for e in dispatch_events} == {w.county_a}
    assert all(e.actor_id for e in dispatch_events if not e.type.endswith("delivered"))
