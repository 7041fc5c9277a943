"""Roll-call rules (SPEC §5), each test naming its seed section."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.exceptions import NotFoundError, PermissionDeniedError
from core.models import Event
from duty.models import (
    RollCall,
    RollCallIntensification,
    RollCallOutcome,
    RollCallSchedule,
    RollCallStatus,
)
from duty.rollcalls import services
from duty.rollcalls.selectors import answer_report, missed_streaks, progress, report_targets
from tests import factories as f

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def start(w, now=None, **kwargs):
    return services.start_roll_call(
        actor=w.dispatcher_a, jurisdiction=w.county_a, now=now or at(2026, 11, 2, 9, 0), **kwargs
    )


def target_of(roll_call, force):
    return roll_call.targets.get(force=force)


# --- starting ---------------------------------------------------------------------------


def test_roll_call_targets_every_active_force_of_the_jurisdiction(
    world, django_capture_on_commit_callbacks
):
    """Liaocheng §三.二.2: the fire brigade checks every force of its jurisdiction."""
    w = world
    inactive = f.force(w.editor_a, w.water_a, name="已撤销的队伍")
    inactive.is_active = False
    inactive.save()
    with django_capture_on_commit_callbacks(execute=True):
        roll_call = start(w)
    assert set(roll_call.targets.values_list("force_id", flat=True)) == {
        w.force_a.pk,
        w.force_power_a.pk,
    }
    assert roll_call.deadline == at(2026, 11, 2, 9, 10)  # default window: 10 minutes
    assert roll_call.targets.filter(notified_at__isnull=False).count() == 2  # delivered
    assert Event.objects.filter(type="rollcall.started", subject_id=str(roll_call.pk)).exists()


def test_roll_call_by_category_and_by_department(world):
    """Liaocheng §三.二.2: a roll call may target one category or one department."""
    w = world
    by_category = start(w, category="enterprise")
    assert list(by_category.targets.values_list("force_id", flat=True)) == [w.force_power_a.pk]
    by_department = start(w, department=w.water_a)
    assert list(by_department.targets.values_list("force_id", flat=True)) == [w.force_a.pk]
    # The department is what reports group by: the industry authority, else the owner.
    assert target_of(by_department, w.force_a).department == w.water_a


def test_city_roll_call_reaches_the_counties_below(world):
    """Liaocheng §三.二.2: a city-level roll call reaches the forces of its counties."""
    w = world
    roll_call = services.start_roll_call(actor=w.dispatcher_city, jurisdiction=w.city)
    assert roll_call.targets.count() == 3


def test_who_may_start_a_roll_call(world):
    """Liaocheng §三.二.2: the fire brigade (and the bureau on joint duty) runs roll calls
    for its own jurisdiction; nobody else does."""
    w = world
    for user in (w.editor_a, w.force_account_a, w.screen_a, w.approver_a, w.dispatcher_b):
        with pytest.raises(PermissionDeniedError):
            services.start_roll_call(actor=user, jurisdiction=w.county_a)
    services.start_roll_call(actor=w.duty_officer_a, jurisdiction=w.county_a)
    with pytest.raises(PermissionDeniedError):  # a county may not call the city
        services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.city)


def test_roll_call_with_no_forces_is_refused(world):
    """Liaocheng §三.二.2: a roll call is of forces; an empty one is a mistake."""
    w = world
    with pytest.raises(services.NoTargets):
        start(w, category="expert")
    assert not RollCall.objects.exists()


# --- answering at the window's edges ----------------------------------------------------


@pytest.mark.parametrize(
    ("after", "outcome"),
    [
        (timedelta(minutes=10), RollCallOutcome.ON_TIME),  # exactly at the deadline
        (timedelta(minutes=10, microseconds=1), RollCallOutcome.LATE),
        (timedelta(minutes=60), RollCallOutcome.LATE),  # exactly at closing time
    ],
)
def test_answer_is_on_time_up_to_the_deadline_and_late_until_closing(world, after, outcome):
    """Liaocheng §三.二.2: each force answers within the set time; later is late."""
    w = world
    roll_call = start(w)
    target = services.answer_roll_call(
        actor=w.force_account_a,
        target_id=target_of(roll_call, w.force_a).pk,
        people_on_duty=4,
        equipment_ready=True,
        now=roll_call.started_at + after,
    )
    assert target.outcome == outcome
    assert target.answered_by == w.force_account_a
    assert target.answer_seconds == int(after.total_seconds())
    assert (target.people_on_duty, target.equipment_ready) == (4, True)


def test_answer_after_closing_is_refused_and_counts_as_no_answer(world):
    """Liaocheng §三.二.2: no answer by closing time is recorded as no answer."""
    w = world
    roll_call = start(w)
    target = target_of(roll_call, w.force_a)
    with pytest.raises(services.RollCallClosed):
        services.answer_roll_call(
            actor=w.force_account_a,
            target_id=target.pk,
            now=roll_call.closes_at + timedelta(microseconds=1),
        )
    assert services.close_expired(now=roll_call.closes_at) == []  # not yet past it
    assert services.close_expired(now=roll_call.closes_at + timedelta(seconds=1)) == [roll_call.pk]
    target.refresh_from_db()
    roll_call.refresh_from_db()
    assert target.outcome == RollCallOutcome.NO_ANSWER
    assert roll_call.status == RollCallStatus.CLOSED


def test_only_the_force_account_answers_and_only_once(world):
    """Zhoushan §三.2: the force itself answers; a second answer changes nothing."""
    w = world
    roll_call = start(w)
    target = target_of(roll_call, w.force_a)
    for user in (w.dispatcher_a, w.force_account_power_a, w.editor_a):
        with pytest.raises(PermissionDeniedError):
            services.answer_roll_call(actor=user, target_id=target.pk)
    with pytest.raises(NotFoundError):  # another county does not learn the target exists
        services.answer_roll_call(actor=w.force_account_b, target_id=target.pk)
    services.answer_roll_call(
        actor=w.force_account_a, target_id=target.pk, now=roll_call.started_at
    )
    with pytest.raises(services.AlreadyAnswered):
        services.answer_roll_call(actor=w.force_account_a, target_id=target.pk)


def test_closing_by_hand(world):
    """Liaocheng §三.二.2: the dispatcher may end a roll call; the silent have no answer."""
    w = world
    roll_call = start(w)
    services.answer_roll_call(
        actor=w.force_account_a,
        target_id=target_of(roll_call, w.force_a).pk,
        now=roll_call.started_at + timedelta(minutes=1),
    )
    with pytest.raises(Exception):  # noqa: B017 - other county: not found
        services.close_roll_call(actor=w.dispatcher_b, roll_call_id=roll_call.pk)
    services.close_roll_call(actor=w.dispatcher_a, roll_call_id=roll_call.pk)
    counts = progress(roll_call)
    assert (counts.on_time, counts.no_answer, counts.waiting) == (1, 1, 0)
    with pytest.raises(services.RollCallClosed):
        services.close_roll_call(actor=w.dispatcher_a, roll_call_id=roll_call.pk)


# --- schedules --------------------------------------------------------------------------


def schedule(w, **extra):
    data = {
        "name": "临清市每月值班值守调度",
        "jurisdiction": w.county_a,
        "day_of_month": 1,
        "time_of_day": "09:00",
    }
    data.update(extra)
    return RollCallSchedule.objects.create(**data)


def test_tick_starts_the_monthly_roll_call_once_it_is_due_and_never_twice(world):
    """Liaocheng §三.二.2: once a month, by itself; a second tick starts no duplicate."""
    w = world
    monthly = schedule(w)
    assert services.start_due_roll_calls(now=at(2026, 11, 1, 8, 59)) == []
    started = services.start_due_roll_calls(now=at(2026, 11, 1, 9, 0))
    assert len(started) == 1
    roll_call = started[0]
    assert roll_call.schedule == monthly
    assert roll_call.period_key == "M2026-11"
    assert set(roll_call.targets.values_list("force_id", flat=True)) == {
        w.force_a.pk,
        w.force_power_a.pk,
    }
    assert services.start_due_roll_calls(now=at(2026, 11, 1, 9, 1)) == []
    assert services.start_due_roll_calls(now=at(2026, 11, 30, 23, 59)) == []
    december = services.start_due_roll_calls(now=at(2026, 12, 1, 9, 0))
    assert [r.period_key for r in december] == ["M2026-12"]
    assert RollCall.objects.count() == 2


def test_tick_starts_exactly_the_schedules_due(world):
    """Liaocheng §三.二.2: each jurisdiction's schedule, each with its own forces."""
    w = world
    schedule(w)
    schedule(w, name="阳谷县每月调度", jurisdiction=w.county_b, day_of_month=2)
    schedule(w, name="停用的调度", is_active=False)
    schedule(w, name="企业队伍专项调度", category="enterprise", day_of_month=1)
    started = services.start_due_roll_calls(now=at(2026, 11, 1, 10, 0))
    assert sorted(r.note for r in started) == ["临清市每月值班值守调度", "企业队伍专项调度"]
    enterprise = next(r for r in started if r.category == "enterprise")
    assert list(enterprise.targets.values_list("force_id", flat=True)) == [w.force_power_a.pk]
    later = services.start_due_roll_calls(now=at(2026, 11, 2, 9, 0))
    assert [(r.jurisdiction, r.targets.get().force) for r in later] == [(w.county_b, w.force_b)]


def test_a_beat_that_was_down_catches_up_within_the_month(world):
    """Liaocheng §三.二.2: the month's roll call still runs if the due minute was missed."""
    w = world
    schedule(w)
    started = services.start_due_roll_calls(now=at(2026, 11, 7, 15, 0))
    assert [r.period_key for r in started] == ["M2026-11"]


def test_key_dates_raise_the_frequency_to_daily_for_their_range(world):
    """Liaocheng §三.二.2: key dates and sensitive periods call for more frequent roll
    calls; the month's own roll call is not repeated after them."""
    w = world
    schedule(w, day_of_month=5)
    RollCallIntensification.objects.create(
        jurisdiction=w.city,  # declared by the city: applies to its counties
        reason="国庆假期",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 3),
        frequency="daily",
    )
    keys = []
    for day in range(1, 8):
        for hour in (8, 9, 10):
            keys += [
                r.period_key for r in services.start_due_roll_calls(now=at(2026, 10, day, hour, 0))
            ]
    # Daily 1–3 October, then the monthly one is already done for October.
    assert keys == ["D2026-10-01", "D2026-10-02", "D2026-10-03"]
    assert [r.period_key for r in services.start_due_roll_calls(now=at(2026, 11, 5, 9))] == [
        "M2026-11"
    ]


def test_sensitive_period_raises_the_frequency_to_weekly(world):
    """Liaocheng §三.二.2: a sensitive period may call for weekly roll calls."""
    w = world
    schedule(w, day_of_month=28, weekday=2)  # Wednesdays during the period
    RollCallIntensification.objects.create(
        jurisdiction=w.county_a,
        reason="汛期",
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 6, 30),
        frequency="weekly",
    )
    keys = []
    day = date(2026, 6, 1)
    while day <= date(2026, 6, 30):
        keys += [
            r.period_key
            for r in services.start_due_roll_calls(now=at(day.year, day.month, day.day, 12, 0))
        ]
        day += timedelta(days=1)
    # Wednesdays 3, 10, 17 and 24 June; the week of 29 June has its Wednesday in July,
    # after the period, so it has no weekly roll call.
    assert keys == ["W2026-23", "W2026-24", "W2026-25", "W2026-26"]
    # An intensification elsewhere changes nothing here.
    assert services.effective_frequency(RollCallSchedule.objects.get(), date(2026, 7, 1)) == (
        "monthly",
        [],
    )


def test_tick_closes_expired_roll_calls_and_redelivers(world):
    """Liaocheng §三.二.2; RELIABILITY.md: a lost delivery task is made good by the tick."""
    w = world
    roll_call = start(w)  # in a test transaction: the delivery task never runs
    assert roll_call.targets.filter(notified_at__isnull=True).count() == 2
    result = services.tick(now=roll_call.started_at + timedelta(minutes=1))
    assert result == {"started": 0, "closed": 0, "redelivered": 2}
    assert roll_call.targets.filter(notified_at__isnull=True).count() == 0
    result = services.tick(now=roll_call.closes_at + timedelta(seconds=1))
    assert result["closed"] == 1


# --- reports ----------------------------------------------------------------------------


def run(w, day, answers):
    """One closed roll call on ``day``: answers maps force → minutes after the start
    (None: no answer)."""
    roll_call = start(w, now=at(2026, 11, day, 9, 0))
    for force, minutes in answers.items():
        if minutes is not None:
            services.answer_roll_call(
                actor=w.force_account_a if force == w.force_a else w.force_account_power_a,
                target_id=target_of(roll_call, force).pk,
                now=roll_call.started_at + timedelta(minutes=minutes),
            )
    services.close_expired(now=roll_call.closes_at + timedelta(seconds=1))
    return roll_call


def test_report_answer_rate_median_and_missed_streaks(world):
    """Liaocheng §三.二.2: answer rate by department, force and month; forces that
    missed two roll calls in a row stand out."""
    w = world
    run(w, 2, {w.force_a: 2, w.force_power_a: None})
    run(w, 3, {w.force_a: 12, w.force_power_a: None})
    run(w, 4, {w.force_a: 4, w.force_power_a: 3})
    run(w, 5, {w.force_a: None, w.force_power_a: None})
    run(w, 6, {w.force_a: 1, w.force_power_a: None})
    report = answer_report(w.duty_officer_a, date(2026, 11, 1), date(2026, 11, 30))
    assert report.roll_calls == 5
    assert (report.overall.total, report.overall.on_time, report.overall.late) == (10, 4, 1)
    assert report.overall.answer_rate == 50.0
    by_force = {row.label: row for row in report.by_force}
    water = by_force["临清市水利抢险队"]
    assert (water.answer_rate, water.median_seconds) == (80.0, 180.0)  # 1, 2, 4, 12 min
    power = by_force["临清供电抢修队"]
    assert power.answer_rate == 20.0
    assert [r.label for r in report.by_month] == ["2026-11"]
    assert {r.key for r in report.by_category} == {"government", "enterprise"}
    # Power missed 5 and 6 November (after answering on the 4th): on a streak of two.
    assert [(s.force_name, s.misses) for s in report.streaks] == [("临清供电抢修队", 2)]
    # The other county sees none of it.
    assert answer_report(w.duty_officer_b, date(2026, 11, 1), date(2026, 11, 30)).roll_calls == 0


def test_a_streak_ends_with_an_answer(world):
    """Liaocheng §三.二.2: two misses that are not in a row are not highlighted."""
    w = world
    run(w, 2, {w.force_a: None, w.force_power_a: 1})
    run(w, 3, {w.force_a: 1, w.force_power_a: 1})
    run(w, 4, {w.force_a: None, w.force_power_a: 1})
    targets = report_targets(w.duty_officer_a, date(2026, 11, 1), date(2026, 11, 30))
    assert missed_streaks(targets) == []


def test_run_ticks_runs_the_beat_schedule_in_process(world):
    """Liaocheng §三.二.2: in the embedded mode the monthly roll call still runs by
    itself — ``run_ticks`` runs the beat schedule's tasks in-process."""
    from io import StringIO

    from django.core.management import call_command

    schedule(world, day_of_month=1, time_of_day="00:00")
    out = StringIO()
    call_command("run_ticks", "--once", stdout=out)
    assert "duty.tasks.roll_call_tick: {'started': 1" in out.getvalue()
    assert "dispatch.tasks.mark_overdue_orders" in out.getvalue()
    assert RollCall.objects.get().schedule is not None
    call_command("run_ticks", "--once", stdout=StringIO())
    assert RollCall.objects.count() == 1
