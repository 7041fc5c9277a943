"""The demo's dispatch chain at work (SPEC §3, §4): the city's flood season and dispatch
policy, and for 临清市 a plan awaiting approval and an approved plan whose orders are under
way, drafted for ``command.demo``'s incidents by ``core.demo``'s accounts through
``dispatch.services``. Nothing is drawn at random: an incident that has a plan was built
on an earlier run, with its plans, and is left alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from command.models import Incident
from core.demo import CITY, DemoContext, Place
from core.models import User
from core.roles import Role
from dispatch import services as dispatch_services
from dispatch.choices import SpecialPeriodKind
from dispatch.models import CallOutPlan, DispatchPolicy, SpecialPeriod
from forces.choices import ForceStatus
from forces.models import Force

# Liaocheng §三.一.2: 汛期等特殊时期 — the city's flood season, every year. Only the month
# and day matter (``recurs_yearly``); the year anchors the first season.
FLOOD_SEASON = ("聊城市汛期", date(2026, 6, 1), date(2026, 9, 30))


@dataclass(frozen=True)
class LineRow:
    """One force of a demo plan (``force`` is a ForceRow name template) and, once the
    plan is approved, the steps its order has reached."""

    force: str
    task: str
    people: int
    equipment: str = ""
    steps: tuple[str, ...] = ()
    by_force: bool = False  # stepped by the force's own account, else by the dispatcher


@dataclass(frozen=True)
class PlanRow:
    incident: str
    task: str
    reason: str
    lines: tuple[LineRow, ...]
    approve: bool


# fmt: off
DEMO_PLANS = {
    "linqing": (
        # Submitted, awaiting the bureau's approval (Liaocheng §三.一.2).
        PlanRow("京杭运河临清段西堤管涌", "封堵管涌、加固堤防，转移堤后群众",
                "管涌两处且水位上涨，需防汛专业力量和消防救援力量协同处置", (
                    LineRow("{j}防汛抢险队", "封堵管涌、加固堤防", 40, "编织袋、土工布"),
                    LineRow("{j}消防救援大队城区消防救援站", "现场照明、排水和人员搜救", 20,
                            "移动照明灯组、排涝泵"),
                    LineRow("{j}综合应急救援队", "堤后群众转移", 25),
                ), approve=False),
        # Approved; the orders are at different steps (Zhoushan §三.2).
        PlanRow("临清市新华路下穿通道积水车辆被困", "排涝并救出被困人员",
                "通道积水深、有人员被困，需排涝和水域救援力量", (
                    LineRow("{j}城市管理排涝抢险队", "通道排涝", 15, "移动式排涝泵车",
                            steps=("acknowledge", "depart", "arrive")),
                    LineRow("{j}蓝天救援队", "涉水救援被困人员", 12, "冲锋舟、救生衣",
                            steps=("acknowledge",), by_force=True),
                    LineRow("{j}紧急医学救援队", "现场医疗救护", 6, "负压救护车"),
                ), approve=True),
    ),
}
# fmt: on


def seed(ctx: DemoContext) -> None:
    _dispatch_settings(ctx)
    for place in ctx.places:
        _plans(ctx, place)


def _dispatch_settings(ctx: DemoContext) -> None:
    """The city's flood season and dispatch policy. Neither has a service yet (the
    administrator keeps them in the admin), so the demo writes the rows directly, with
    their history user, and records no event for them."""
    city = ctx.jurisdiction(CITY.code)
    admin = ctx.users[f"{CITY.prefix}_admin"]
    name, starts_on, ends_on = FLOOD_SEASON
    season = SpecialPeriod.objects.filter(
        jurisdiction=city, kind=SpecialPeriodKind.FLOOD_SEASON
    ).first()
    ctx.report.count("special_periods", season is None)
    if season is None:
        season = SpecialPeriod(
            kind=SpecialPeriodKind.FLOOD_SEASON,
            name=name,
            jurisdiction=city,
            starts_on=starts_on,
            ends_on=ends_on,
            recurs_yearly=True,
            declared_by=admin,
        )
        season._history_user = admin
        season.save()
    has_policy = DispatchPolicy.objects.filter(jurisdiction=city).exists()
    ctx.report.count("dispatch_policies", not has_policy)
    if not has_policy:
        # Zhoushan §三.2: tier 1 in town within 30 min, tier 2 within 60, rural as
        # fast as possible; the result within 24 hours.
        policy = DispatchPolicy(
            jurisdiction=city,
            ack_minutes=5,
            tier1_urban_minutes=30,
            tier2_urban_minutes=60,
            result_hours=24,
        )
        policy._history_user = admin
        policy.save()


def _plans(ctx: DemoContext, place: Place) -> None:
    """The plans drafted for the place's demo incidents. An incident that already has a
    plan was built on an earlier run, with its plans: nothing more is done."""
    jurisdiction = ctx.jurisdiction(place.code)
    for row in DEMO_PLANS.get(place.prefix, ()):
        incident = Incident.objects.filter(jurisdiction=jurisdiction, title=row.incident).first()
        if incident is None:
            continue
        if incident.plans.exists():
            ctx.report.count("plans", False)
            continue
        seed_plan(ctx, place, incident, row)


def seed_plan(ctx: DemoContext, place: Place, incident: Incident, row: PlanRow) -> None:
    """Drafted and submitted by the brigade's dispatcher; approved by the bureau's
    approver after the departments' consent when a special period requires it
    (Liaocheng §三.一.2); then each order stepped by its force's account or, for a
    force without a demo account, by the dispatcher on its behalf (Zhoushan §三.2)."""
    dispatcher = ctx.users[f"{place.prefix}_dispatcher"]
    approver = ctx.users[f"{place.prefix}_approver"]
    jurisdiction = ctx.jurisdiction(place.code)
    lines = []
    for line in row.lines:
        force = Force.objects.filter(
            jurisdiction__path__startswith=jurisdiction.path,
            name=line.force.format(j=jurisdiction.name, s=place.short),
        ).first()
        # A force drawn as unavailable cannot go out; the plan does without it.
        if force is not None and force.status != ForceStatus.UNAVAILABLE:
            lines.append((line, force))
    plan = dispatch_services.draft_plan(
        actor=dispatcher,
        incident_id=incident.pk,
        task=row.task,
        reason=row.reason,
        lines=[
            dispatch_services.LineInput(
                force_id=force.pk, task=line.task, people=line.people, equipment=line.equipment
            )
            for line, force in lines
        ],
        # A force still out on another demo incident is called out again knowingly, as the
        # dispatcher confirms on the plan page.
        allow_deployed=True,
    )
    plan = dispatch_services.submit_plan(actor=dispatcher, plan_id=plan.pk)
    ctx.report.count("plans", True)
    if not row.approve:
        return
    if dispatch_services.active_special_periods(plan.jurisdiction, timezone.localdate()):
        _consents(ctx, plan, approver)
    orders = {
        o.force_id: o for o in dispatch_services.approve_plan(actor=approver, plan_id=plan.pk)
    }
    force_account = ctx.users[f"{place.prefix}_force"]
    for line, force in lines:
        own = line.by_force and dispatch_services.is_force_account_of(force_account, force)
        actor = force_account if own else dispatcher
        for step in line.steps:
            dispatch_services.advance_order(actor=actor, order_id=orders[force.pk].pk, action=step)


def _consents(ctx: DemoContext, plan: CallOutPlan, approver: User) -> None:
    """A department consents through its own account where the demo has one (its
    roster editor, or the approver when the bureau itself owns the force); otherwise
    the approver records whom it consulted by phone, and when."""
    consulted_at = timezone.now() - timedelta(minutes=5)
    editors = {
        u.organisation_id: u for u in ctx.users.values() if u.has_role(Role.DEPARTMENT_EDITOR)
    }
    editors[approver.organisation_id] = approver
    for org in dispatch_services.missing_consents(plan):
        member = editors.get(org.pk)
        if member is not None:
            dispatch_services.record_consent(
                actor=member, plan_id=plan.pk, organisation_id=org.pk, note="同意调用"
            )
        else:
            dispatch_services.record_consent(
                actor=approver,
                plan_id=plan.pk,
                organisation_id=org.pk,
                consulted_person=f"{org.name}带班领导",
                consulted_at=consulted_at,
                note="电话商请，同意调用",
            )
