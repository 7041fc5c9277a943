"""Demo rosters, duty logs, a hand-over and spot checks, built through the services on
top of core.demo's organisations, accounts and forces. Idempotent: what exists is left
alone, so a second run creates nothing."""

from __future__ import annotations

import calendar
import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from core.choices import OrganisationKind as K
from core.models import Jurisdiction, Organisation, User
from duty.models import DutyLogEntry, DutyRoster, HandOver, Shift, SpotCheck
from duty.rosters import services
from forces.models import Force

if TYPE_CHECKING:
    from core.demo import DemoReport

# prefix, county code (core.demo.COUNTIES)
COUNTIES = (("linqing", "371581"), ("yanggu", "371521"), ("dongchangfu", "371502"))
BUREAU_OFFICERS = ("王晓明", "刘建华", "陈静", "杨帆", "赵磊", "孙丽")
FIRE_OFFICERS = ("张志强", "李勇", "周鹏", "吴昊", "郑凯", "冯涛")
LEADERS = ("马国庆", "高文斌", "林海", "何卫东")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _phone_book() -> dict[tuple[str, str], str]:
    """One mobile number per demo person — (county prefix, name), as each county has its
    own staff — all different, the same on every run."""
    rng = random.Random(20260315)
    book: dict[tuple[str, str], str] = {}
    used: set[str] = set()
    for prefix, _code in COUNTIES:
        for name in (*LEADERS, *BUREAU_OFFICERS, *FIRE_OFFICERS):
            number = ""
            while not number or number in used:
                number = rng.choice(("135", "136", "137", "138", "139", "158", "188"))
                number += f"{rng.randrange(100_000_000):08d}"
            used.add(number)
            book[(prefix, name)] = number
    return book


PHONES = _phone_book()


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _org(where: Jurisdiction, kind: str) -> Organisation | None:
    return Organisation.objects.filter(jurisdiction=where, kind=kind).order_by("pk").first()


def _roster(report: DemoReport, actor: User, org: Organisation, name: str, **kw) -> DutyRoster:
    roster = DutyRoster.objects.filter(organisation=org, name=name).first()
    report.count("duty rosters", roster is None)
    if roster is None:
        roster = services.create_roster(actor=actor, organisation=org, name=name, **kw)
    return roster


def _shift(report, actor, roster, start, end, leader, leader_phone, officers) -> Shift:
    shift = Shift.objects.filter(roster=roster, starts_at=start).first()
    report.count("duty shifts", shift is None)
    if shift is None:
        shift = services.create_shift(
            actor=actor,
            roster_id=roster.pk,
            data={
                "starts_at": start,
                "ends_at": end,
                "leader_name": leader,
                "leader_phone": leader_phone,
            },
            officers=officers,
        )
    return shift


def seed_rosters(report: DemoReport) -> None:
    """Idempotent: rows that exist are left alone; report.count(what, created) per row."""
    today = timezone.localdate()
    first = today.replace(day=1)
    days = [
        first + timedelta(days=i) for i in range(calendar.monthrange(today.year, today.month)[1])
    ]
    # The deliberate gap: one night shift left empty, soon enough for the dashboard.
    gap_day = min(today + timedelta(days=2), days[-1])
    for index, (prefix, code) in enumerate(COUNTIES):
        county = Jurisdiction.objects.filter(code=code).first()
        admin = _user(f"{prefix}_admin")
        if county is None or admin is None:
            continue
        bureau, fire = _org(county, K.EMERGENCY_BUREAU), _org(county, K.FIRE_RESCUE)
        if bureau is None or fire is None:
            continue
        joint = _roster(report, admin, bureau, f"{county.name}应急联合值守表", partners=[fire])
        shifts: dict[tuple[date, int], Shift] = {}
        # The night shift of the eve of the month covers the 1st until 08:00.
        eve = first - timedelta(days=1)
        for n, day in enumerate([eve, *days]):
            for hour in (8, 20):
                if (day == gap_day and hour == 20) or (day == eve and hour == 8):
                    continue
                k = n * 2 + (hour == 20) + index
                bureau_officer, fire_officer = BUREAU_OFFICERS[k % 6], FIRE_OFFICERS[(k + 1) % 6]
                officers = [
                    services.OfficerInput(
                        name=bureau_officer,
                        phone=PHONES[(prefix, bureau_officer)],
                        organisation_id=bureau.pk,
                    ),
                    services.OfficerInput(
                        name=fire_officer,
                        phone=PHONES[(prefix, fire_officer)],
                        organisation_id=fire.pk,
                    ),
                ]
                shifts[(day, hour)] = _shift(
                    report,
                    admin,
                    joint,
                    _at(day, hour),
                    _at(day, hour) + timedelta(hours=12),
                    LEADERS[k % 4],
                    PHONES[(prefix, LEADERS[k % 4])],
                    officers,
                )
        _force_rosters(report, admin, county, days, prefix)
        if index == 0:
            _log_and_hand_over(report, admin, joint, shifts, today, days)
    _spot_checks(report, today)


def _force_rosters(report, admin: User, county: Jurisdiction, days: list[date], prefix) -> None:
    """A 24-hour roster (08:00 to 08:00) for the first two forces of the county, led by
    the force's own leader (with the force's leader phone) when it has one."""
    forces = Force.objects.filter(jurisdiction=county).select_related("organisation")[:2]
    for force in forces:
        roster = _roster(report, admin, force.organisation, f"{force.name}值班表", force=force)
        for n, day in enumerate(days):
            start = _at(day, 8)
            if force.leader_name:
                leader, leader_phone = force.leader_name, force.leader_phone
            else:
                leader = LEADERS[n % 4]
                leader_phone = PHONES[(prefix, leader)]
            officer = BUREAU_OFFICERS[(n + 3) % 6]
            _shift(
                report,
                admin,
                roster,
                start,
                start + timedelta(days=1),
                leader,
                leader_phone,
                [services.OfficerInput(name=officer, phone=PHONES[(prefix, officer)])],
            )


def _log_and_hand_over(report, admin, joint, shifts, today, days) -> None:
    """Yesterday's day shift (today's when the month just began) logs three entries,
    two of them open, and hands over to the night shift, carrying the open ones."""
    day = today - timedelta(days=1) if today - timedelta(days=1) in days else today
    day_shift, night_shift = shifts.get((day, 8)), shifts.get((day, 20))
    if day_shift is None or night_shift is None:
        return
    if not DutyLogEntry.objects.filter(roster=joint).exists():
        for hour, category, content, is_open in (
            (9, "call_received", "群众来电：卫运河松林镇段水位上涨，堤脚有渗水", True),
            (11, "instruction", "市应急局指令：核查沿河村庄人员转移准备情况，18时前报送", True),
            (15, "other", "例行检查值班设备、卫星电话，运行正常", False),
        ):
            services.record_log_entry(
                actor=admin,
                shift_id=day_shift.pk,
                data={
                    "occurred_at": _at(day, hour),
                    "category": category,
                    "content": content,
                    "is_open": is_open,
                },
            )
            report.count("duty log entries", True)
    else:
        report.count("duty log entries", False)
    exists = HandOver.objects.filter(from_shift=day_shift).exists()
    report.count("hand-overs", not exists)
    if not exists:
        services.hand_over(
            actor=admin,
            from_shift_id=day_shift.pk,
            to_shift_id=night_shift.pk,
            from_officer_id=day_shift.officers.first().pk,
            to_officer_id=night_shift.officers.first().pk,
            notes="渗水点已安排专人巡查；转移人数待水利局回复",
            handed_over_at=_at(day, 20),
        )


def _spot_checks(report, today: date) -> None:
    """Zhoushan §五.(一): the city's duty officer checks two county units this quarter;
    one fails on duty and has an open rectification."""
    checker = _user("city_duty")
    if checker is None:
        return
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    checked_on = max(quarter_start, today - timedelta(days=5))
    rows = (
        ("371581", "临清市水利局", {"satisfaction_score": 96}),
        (
            "371521",
            "阳谷县交通运输局",
            {
                "satisfaction_score": 72,
                "duty_passed": False,
                "duty_note": "夜间值班电话两次无人接听",
                "findings": "值班制度落实不到位，夜间值班人员脱岗",
                "rectification_deadline": checked_on + timedelta(days=30),
            },
        ),
    )
    for code, name, data in rows:
        org = Organisation.objects.filter(jurisdiction__code=code, name=name).first()
        if org is None:
            continue
        exists = SpotCheck.objects.filter(organisation=org, checked_on=checked_on).exists()
        report.count("spot checks", not exists)
        if not exists:
            services.record_spot_check(
                actor=checker, organisation_id=org.pk, data={"checked_on": checked_on, **data}
            )
