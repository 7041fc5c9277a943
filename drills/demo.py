"""Demo drills for the demo city and counties (SPEC §6), built through the services.

Dates are relative to today so that the compliance page always shows a mix: bureaus and
enterprises up to date, due soon and overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from core.choices import RiskClass
from core.models import Organisation, User
from drills import services
from drills.choices import DrillStatus, DrillType, PlanKind
from drills.models import AnnualDrillPlan, ContingencyPlan, Drill, add_months
from forces.models import Force

if TYPE_CHECKING:
    from core.demo import DemoContext, DemoReport

# Place prefix → (jurisdiction name, administrator username).
PLACES = {
    "city": ("聊城市", "city_admin"),
    "linqing": ("临清市", "linqing_admin"),
    "yanggu": ("阳谷县", "yanggu_admin"),
    "dongchangfu": ("东昌府区", "dongchangfu_admin"),
}
HAZCHEM = "hazchem_industrial"
HIGH_RISK = ("阳谷鑫源化工有限公司", "聊城瑞丰化工有限公司", "临清市燃气有限公司")

# (place, organisation, plan name, kind, hazard)
PLANS = (
    ("linqing", "临清市应急管理局", "临清市突发事件总体应急预案", PlanKind.OVERALL, ""),
    ("linqing", "临清市应急管理局", "临清市防汛应急预案", PlanKind.SPECIAL, "flood"),
    ("yanggu", "阳谷县应急管理局", "阳谷县突发事件总体应急预案", PlanKind.OVERALL, ""),
    ("yanggu", "阳谷县应急管理局", "阳谷县危险化学品事故应急预案", PlanKind.SPECIAL, HAZCHEM),
    ("dongchangfu", "东昌府区应急管理局", "东昌府区突发事件总体应急预案", PlanKind.OVERALL, ""),
    ("yanggu", "阳谷鑫源化工有限公司", "鑫源化工危险化学品泄漏专项应急预案", PlanKind.SPECIAL,
     HAZCHEM),
    ("yanggu", "阳谷鑫源化工有限公司", "鑫源化工火灾事故专项应急预案", PlanKind.SPECIAL, "fire"),
    ("dongchangfu", "聊城瑞丰化工有限公司", "瑞丰化工危险化学品泄漏专项应急预案",
     PlanKind.SPECIAL, HAZCHEM),
    ("linqing", "临清市燃气有限公司", "临清燃气泄漏爆炸专项应急预案", PlanKind.SPECIAL, HAZCHEM),
)  # fmt: skip


@dataclass(frozen=True)
class DrillRow:
    place: str
    organiser: str
    title: str
    drill_type: str
    hazard: str
    months_ago: int  # negative: planned in the future
    days_ago: int = 0
    plan: str = ""
    participants: tuple[str, ...] = ()
    status: str = DrillStatus.PLANNED
    score: int | None = None
    problems: tuple[tuple[str, str, str, bool], ...] = ()  # problem, action, owner, closed


DRILLS = (
    DrillRow("linqing", "临清市应急管理局", "卫运河防汛抢险综合演练", DrillType.COMPREHENSIVE,
             "flood", 5, plan="临清市防汛应急预案",
             participants=("临清市水利局", "临清市消防救援大队", "国网临清市供电公司"),
             status=DrillStatus.EVALUATED, score=86,
             problems=(("群众转移信息传递滞后", "完善村级叫应名单", "临清市水利局", True),
                       ("抽排设备调集超时", "补充大功率排涝泵车", "临清市应急管理局", False))),
    DrillRow("linqing", "临清市应急管理局", "城区内涝处置桌面推演", DrillType.TABLETOP, "flood",
             0, days_ago=-20, participants=("临清市住房和城乡建设局",)),
    DrillRow("linqing", "临清市燃气有限公司", "燃气管道泄漏专项演练", DrillType.SPECIAL,
             "hazchem_industrial", 2, plan="临清燃气泄漏爆炸专项应急预案",
             status=DrillStatus.CONDUCTED),
    DrillRow("linqing", "临清市消防救援大队", "水域救援技能比武", DrillType.COMPETITION, "flood",
             1, status=DrillStatus.EVALUATED, score=92),
    DrillRow("linqing", "国网临清市供电公司", "防汛保供电桌面推演", DrillType.TABLETOP, "flood",
             3, status=DrillStatus.CONDUCTED),
    DrillRow("yanggu", "阳谷县应急管理局", "危化品泄漏事故联合处置综合演练",
             DrillType.COMPREHENSIVE, "hazchem_industrial", 14,
             plan="阳谷县危险化学品事故应急预案",
             participants=("阳谷县消防救援大队", "阳谷县公安局", "阳谷鑫源化工有限公司"),
             status=DrillStatus.EVALUATED, score=78,
             problems=(("现场警戒范围划定不清", "修订警戒分区图", "阳谷县公安局", False),)),
    DrillRow("yanggu", "阳谷县应急管理局", "黄河防汛专项演练", DrillType.SPECIAL, "flood",
             0, days_ago=-10, participants=("阳谷县水利局",)),
    DrillRow("yanggu", "阳谷鑫源化工有限公司", "储罐区泄漏专项演练", DrillType.SPECIAL,
             "hazchem_industrial", 7, plan="鑫源化工危险化学品泄漏专项应急预案",
             status=DrillStatus.CONDUCTED),
    DrillRow("dongchangfu", "聊城瑞丰化工有限公司", "全厂综合应急演练", DrillType.COMPREHENSIVE,
             "hazchem_industrial", 5, days_ago=10,
             plan="瑞丰化工危险化学品泄漏专项应急预案", status=DrillStatus.CONDUCTED),
    DrillRow("dongchangfu", "东昌府区应急管理局", "地震应急桌面推演", DrillType.TABLETOP,
             "earthquake_geological", 2, status=DrillStatus.CONDUCTED),
    DrillRow("city", "聊城市应急管理局", "全市森林火灾跨区域联合演练", DrillType.JOINT,
             "forest_fire", -1, participants=("聊城市消防救援支队", "临清市应急管理局",
                                              "阳谷县应急管理局")),
)  # fmt: skip


def _org(name: str) -> Organisation | None:
    return Organisation.objects.filter(name=name).select_related("jurisdiction").first()


def _date(today: date, row: DrillRow) -> date:
    return add_months(today, -row.months_ago) - timedelta(days=row.days_ago)


def seed(ctx: DemoContext) -> None:
    """Idempotent: rows that exist are left alone; report.count(what, created) per row."""
    report = ctx.report
    today = timezone.localdate()
    admins = {p: User.objects.filter(username=u).first() for p, (_, u) in PLACES.items()}
    for name in HIGH_RISK:
        org = _org(name)
        if org is not None and org.risk_class != RiskClass.HIGH:
            org.risk_class = RiskClass.HIGH
            org._change_reason = "demo: high-risk enterprise"  # type: ignore[attr-defined]
            org.save(update_fields=["risk_class"])

    plans: dict[str, ContingencyPlan] = {}
    for place, org_name, name, kind, hazard in PLANS:
        org, actor = _org(org_name), admins.get(place)
        if org is None or actor is None:
            continue
        plan = ContingencyPlan.objects.filter(organisation=org, name=name).first()
        created = plan is None
        if plan is None:
            plan = services.create_contingency_plan(
                actor=actor, organisation=org, name=name, kind=kind, hazard=hazard
            )
        plans[name] = plan
        report.count("contingency plans", created)

    for place in ("linqing", "yanggu", "dongchangfu"):
        bureau, actor = _org(f"{PLACES[place][0]}应急管理局"), admins.get(place)
        if bureau is None or actor is None:
            continue
        exists = AnnualDrillPlan.objects.filter(organisation=bureau, year=today.year).exists()
        if not exists:
            services.create_annual_plan(
                actor=actor,
                organisation=bureau,
                year=today.year,
                notes="按照《“十四五”应急体系规划》要求，全年至少组织1次多部门联合综合演练。",
            )
        report.count("annual drill plans", not exists)

    for row in DRILLS:
        _drill(row, admins.get(row.place), plans, today, report)

    seed_command_hq(ctx)


def _drill(
    row: DrillRow,
    actor: User | None,
    plans: dict[str, ContingencyPlan],
    today: date,
    report: DemoReport,
) -> None:
    organiser = _org(row.organiser)
    if organiser is None or actor is None:
        return
    if Drill.objects.filter(organiser=organiser, title=row.title).exists():
        report.count("drills", False)
        return
    when = _date(today, row)
    participants = [o for o in (_org(n) for n in row.participants) if o is not None]
    forces = list(
        Force.objects.filter(organisation__in=[organiser, *participants]).order_by("pk")[:4]
    )
    drill = services.create_drill(
        actor=actor,
        organiser=organiser,
        data={
            "title": row.title,
            "drill_type": row.drill_type,
            "hazard": row.hazard,
            "planned_date": when,
            "contingency_plan": plans.get(row.plan),
            "scenario": f"{row.title}：模拟险情发生后各单位按预案响应、协同处置。",
        },
        forces=forces,
        organisations=participants,
    )
    report.count("drills", True)
    if row.status == DrillStatus.PLANNED:
        return
    services.conduct_drill(
        actor=actor, drill_id=drill.pk, conducted_on=when, notes="按计划完成。", today=today
    )
    if row.status != DrillStatus.EVALUATED:
        return
    problems = []
    for problem, action, owner_name, _closed in row.problems:
        owner = _org(owner_name) or organiser
        problems.append(
            services.ProblemInput(
                problem=problem, action=action, owner=owner, deadline=when + timedelta(days=60)
            )
        )
    services.evaluate_drill(
        actor=actor, drill_id=drill.pk, score=row.score or 80, problems=problems
    )
    for action, (_, _, _, closed) in zip(drill.actions.order_by("pk"), row.problems, strict=True):
        if closed:
            services.close_follow_up_action(
                actor=actor, action_id=action.pk, note="已整改完毕，经复查合格。"
            )


# --- the command HQ (issue 13): a hand-over, a concluded consultation, an after-action
# report. Built here, after dispatch and duty, because drills sits above command.

TRANSFER_INCIDENT = "临清市新华路下穿通道积水车辆被困"
CLOSED_FIRE = "临清市松林镇民房火灾"


def seed_command_hq(ctx: DemoContext) -> None:
    from command import command_transfers, consultations
    from command import services as command_services
    from command.choices import CommandAuthority
    from command.models import CommandTransfer, Consultation, Incident, IncidentType
    from drills import after_action
    from drills.models import AfterActionReport
    from forces.models import Expert

    report = ctx.report
    duty = User.objects.filter(username="linqing_duty").first()
    dispatcher = User.objects.filter(username="linqing_dispatcher").first()
    approver = User.objects.filter(username="linqing_approver").first()
    bureau, fire, water = (
        _org("临清市应急管理局"),
        _org("临清市消防救援大队"),
        _org("临清市水利局"),
    )
    if None in (duty, dispatcher, approver, bureau, fire, water):
        return
    incident = Incident.objects.filter(title=TRANSFER_INCIDENT).first()
    if incident is not None:
        exists = CommandTransfer.objects.filter(incident=incident).exists()
        if not exists and incident.status == "open":
            command_transfers.transfer_command(
                actor=dispatcher,
                incident_id=incident.pk,
                to_authority=CommandAuthority.ONSITE_HQ,
                to_commander="临清市副市长 刘建军",
                to_organisation=bureau,
                note="市政府成立新华路下穿通道积水处置现场指挥部，消防救援大队移交现场指挥权。",
            )
        report.count("command hand-overs", not exists)
        exists = Consultation.objects.filter(incident=incident).exists()
        if not exists:
            experts = list(Expert.objects.filter(jurisdiction=incident.jurisdiction)[:2])
            meeting = consultations.record_consultation(
                actor=duty,
                incident_id=incident.pk,
                topic="新华路下穿通道积水险情会商研判",
                held_at=incident.received_at + timedelta(minutes=40),
                place="临清市应急指挥部会商室",
                chaired_by="临清市应急管理局局长",
                departments=[water, fire],
                experts=experts,
                situation="短时强降雨持续，下穿通道积水约1.2米，4人被困车顶已救出，"
                "气象部门预报未来3小时仍有中到大雨。",
            )
            consultations.conclude_consultation(
                actor=duty,
                consultation_id=meeting.pk,
                conclusions="封闭新华路下穿通道，水利抢险队架设强排泵车抽排；"
                "建议维持IV级应急响应，加密巡查城区其他下穿通道。",
                recommended_level="iv",
            )
        report.count("consultations", not exists)

    fire_incident = Incident.objects.filter(title=CLOSED_FIRE).first()
    if fire_incident is None:
        fire_incident = command_services.create_incident(
            actor=duty,
            data={
                "title": CLOSED_FIRE,
                "received_at": timezone.now() - timedelta(days=3, hours=2),
                "source": "119",
                "incident_type": IncidentType.objects.get(code="22A01"),
                "level": "iv",
                "jurisdiction": bureau.jurisdiction,
                "address": "临清市松林镇前街村",
                "caller_name": "李秀兰",
                "callback_phone": "13963512086",
                "latitude": Decimal("36.861200"),
                "longitude": Decimal("115.742300"),
                "description": "民房起火，过火面积约60平方米，无人员伤亡。",
            },
        )
        command_services.close_incident(actor=duty, incident_id=fire_incident.pk)
    exists = AfterActionReport.objects.filter(incident=fire_incident).exists()
    if not exists:
        aar = after_action.save_after_action(
            actor=dispatcher,
            incident_id=fire_incident.pk,
            summary="接警后大队出动2车10人，12分钟到场，40分钟扑灭明火，无人员伤亡。",
            what_worked="与松林镇专职消防队联动及时，村网格员协助疏散群众。",
            what_failed="村内道路狭窄，大型车辆无法靠近；附近消火栓水压不足。",
            suggestions="在松林镇增设小型消防车；协调供水公司排查镇区消火栓水压。",
            problems=[
                after_action.ProblemInput(
                    problem="镇区消火栓水压不足",
                    action="协调供水公司排查并加压改造",
                    owner=bureau,
                    owner_person="应急局防火防汛室",
                    deadline=timezone.localdate() + timedelta(days=60),
                )
            ],
        )
        after_action.submit_after_action(actor=dispatcher, report_id=aar.pk)
        after_action.accept_after_action(
            actor=approver, report_id=aar.pk, note="经验做法在全市消防救援队伍推广。"
        )
    report.count("after-action reports", not exists)
