"""The demo's 30-minute reporting (Tieling §三.(二).2), called from ``command.demo``: the
city's rules (set before the demo incidents are recorded, so they owe their reports the
way a real one would), then one report submitted on time and one late (迟报).

* 聊城市 "较大及以上或有人员死亡、3人以上受伤失踪": level III and above, or any death, or three
  injured or missing; initial report in 30 minutes, follow-ups every 2 hours, the final
  report 24 hours after closing; copies to the bureau and the fire brigade.
* 聊城市 "危险化学品事故一律报告": every hazardous-chemicals accident, whatever its level.

The level III dyke piping in 临清市 was received 95 minutes ago: its reports are flagged
迟报 and its initial report is submitted late. The chemical-park smell in 阳谷县, received
20 minutes ago, has its initial report submitted on time; its copies are still due."""

from __future__ import annotations

from command import reports
from command.choices import ReportKind
from command.models import Incident, IncidentType, ReportRule
from core.demo import CITY, DemoContext

RULES = (
    (
        "较大及以上或有人员死亡、3人以上受伤失踪",
        (),
        {"min_level": "iii", "min_deaths": 1, "min_injuries": 3, "min_missing": 3},
    ),
    ("危险化学品事故一律报告", ("21B01",), {}),
)
LATE_TITLE = "京杭运河临清段西堤管涌"
ON_TIME_TITLE = "阳谷县张秋镇化工园区储罐区异味"


def seed_rules(ctx: DemoContext) -> None:
    city = ctx.jurisdiction(CITY.code)
    admin = ctx.users.get("city_admin")
    for name, codes, thresholds in RULES:
        exists = ReportRule.objects.filter(jurisdiction=city, name=name).exists()
        ctx.report.count("report_rules", not exists)
        if exists:
            continue
        reports.save_rule(
            actor=admin,
            data={
                "jurisdiction": city,
                "name": name,
                "initial_minutes": 30,
                "follow_up_minutes": 120,
                "final_hours": 24,
                **thresholds,
            },
            incident_types=list(IncidentType.objects.filter(code__in=codes)),
        )


def _submit(incident: Incident | None, actor, body: str) -> None:
    if incident is None:
        return
    report = incident.reports.filter(kind=ReportKind.INITIAL, status="due").first()
    if report is None:
        return
    reports.submit_report(
        actor=actor,
        report_id=report.pk,
        title=f"关于{incident.title}的初报",
        body=body,
    )


def seed_reports(ctx: DemoContext) -> None:
    reports.flag_late()
    _submit(
        Incident.objects.filter(title=LATE_TITLE).first(),
        ctx.users.get("linqing_duty"),
        "今日，京杭运河临清段西堤K12+300背水坡发现两处管涌，出水浑浊。临清市防指已组织"
        "水利抢险队和消防救援力量赶赴现场处置，堤后300米内居民正在转移。险情仍在发展，"
        "我局将及时续报。",
    )
    _submit(
        Incident.objects.filter(title=ON_TIME_TITLE).first(),
        ctx.users.get("yanggu_duty"),
        "群众反映阳谷县张秋镇化工园区东区储罐区有刺鼻气味，企业专职消防队已前往核查，"
        "暂无人员伤亡。县应急管理局、消防救援大队已派员赶赴现场，情况核实后续报。",
    )
