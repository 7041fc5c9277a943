"""Demo roll calls for ``seed_demo``: a monthly schedule for the city and each county,
key periods (flood season weekly, the New Year holiday daily), and a few months of
closed roll calls per county so that the report has something to show — one force on a
streak of misses. Idempotent: a county that has roll calls is left alone."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from core.models import Jurisdiction, User
from duty.models import (
    RollCall,
    RollCallIntensification,
    RollCallOutcome,
    RollCallSchedule,
)
from duty.rollcalls import services

if TYPE_CHECKING:
    from core.demo import DemoReport

PLACES = (
    ("371500", "city", "聊城市"),
    ("371581", "linqing", "临清市"),
    ("371521", "yanggu", "阳谷县"),
    ("371502", "dongchangfu", "东昌府区"),
)
HISTORY_MONTHS = 4


def seed_roll_calls(report: DemoReport) -> None:
    rng = random.Random(20261123)
    today = timezone.localdate()
    for code, prefix, name in PLACES:
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        dispatcher = User.objects.filter(username=f"{prefix}_dispatcher").first()
        if jurisdiction is None or dispatcher is None:
            continue
        schedule, created = RollCallSchedule.objects.get_or_create(
            jurisdiction=jurisdiction,
            name=f"{name}每月值班值守调度",
            defaults={"day_of_month": 1, "time_of_day": "09:00", "created_by": dispatcher},
        )
        report.count("roll-call schedules", created)
        if prefix == "city":
            for reason, starts, ends, frequency in (
                ("主汛期", date(today.year, 6, 1), date(today.year, 9, 30), "weekly"),
                ("元旦假期", date(today.year, 12, 31), date(today.year + 1, 1, 3), "daily"),
            ):
                _, created = RollCallIntensification.objects.get_or_create(
                    jurisdiction=jurisdiction,
                    reason=reason,
                    starts_on=starts,
                    defaults={"ends_on": ends, "frequency": frequency},
                )
                report.count("roll-call key periods", created)
            continue
        if RollCall.objects.filter(jurisdiction=jurisdiction).exists():
            continue
        _history(rng, jurisdiction, schedule, dispatcher, today, report)


def _history(rng, jurisdiction, schedule, dispatcher, today, report) -> None:
    """Closed monthly roll calls of the last months, answered as a county answers: most
    forces within minutes, some late, a few not at all (one of them every time lately)."""
    tz = timezone.get_current_timezone()
    first = today.replace(day=1)
    months = []
    for _ in range(HISTORY_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    force_accounts = {
        u.organisation_id: u
        for u in User.objects.filter(
            groups__name="force_account",
            organisation__jurisdiction__path__startswith=jurisdiction.path,
        )
    }
    chronic = None
    for month in sorted(months):
        started = datetime.combine(month, time(9, 0)).replace(tzinfo=tz)
        with transaction.atomic():
            roll_call = services._create(
                jurisdiction=jurisdiction,
                category="",
                department=None,
                window_minutes=10,
                late_minutes=50,
                now=started,
                actor=None,
                schedule=schedule,
                period_key=f"M{month:%Y-%m}",
                note=schedule.name,
            )
        services.deliver_roll_call(roll_call_id=roll_call.pk, now=started + timedelta(seconds=5))
        targets = list(roll_call.targets.select_related("force"))
        if chronic is None and targets:
            chronic = targets[-1].force_id
        for target in targets:
            missed = target.force_id == chronic and month >= sorted(months)[-2]
            if missed or rng.random() < 0.08:
                continue
            minutes = rng.choice([1, 2, 2, 3, 4, 5, 6, 8, 9, 14, 25])
            account = force_accounts.get(target.force.organisation_id)
            if account is not None:
                services.answer_roll_call(
                    actor=account, target_id=target.pk, now=started + timedelta(minutes=minutes)
                )
            else:  # forces without a platform account answered by phone back then
                answered = started + timedelta(minutes=minutes)
                target.outcome = (
                    RollCallOutcome.ON_TIME
                    if answered <= roll_call.deadline
                    else RollCallOutcome.LATE
                )
                target.answered_at = answered
                target.answer_seconds = minutes * 60
                target.remark = "电话应答（补录）"
                target.save(update_fields=["outcome", "answered_at", "answer_seconds", "remark"])
        services.close_expired(now=roll_call.closes_at + timedelta(seconds=1))
        report.count("roll calls", True)
