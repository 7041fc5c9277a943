"""Lapsing-insurance and medical-exam-due alerts, on a frozen clock: once per rescuer and
period whatever the number of ticks, reaching the force's accounts and its leader, and
resolved when the policy is renewed or the examination recorded."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import Event
from notify.models import Notification
from support.choices import AlertKind
from support.events import WelfareEvent
from support.models import SupportAlert
from support.tasks import support_tick
from support.welfare import services
from support.welfare.alerts import check_welfare_alerts
from tests.support.welfare_fixtures import *  # noqa: F403 (the fixtures)

TZ = ZoneInfo("Asia/Shanghai")


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=TZ)


def _policy(w, person, number, starts, expires):
    return services.record_insurance(
        actor=w.editor_a,
        personnel_id=person.pk,
        data={
            "insurer": "中国人寿临清支公司",
            "policy_number": number,
            "starts_on": starts,
            "expires_on": expires,
        },
    )


def _alerts(kind):
    return list(SupportAlert.objects.filter(kind=kind).order_by("pk"))


@pytest.fixture
def insured(rescuers):
    w = rescuers
    with time_machine.travel(_at(datetime.date(2026, 1, 10)), tick=False):
        _policy(w, w.rescuer_a, "P-A", datetime.date(2025, 7, 1), datetime.date(2026, 7, 1))
        _policy(w, w.rescuer_a2, "P-A2", datetime.date(2026, 1, 1), datetime.date(2027, 1, 1))
    return w


def test_insurance_lapsing_within_the_warning_days_is_raised_once(insured, settings):
    w = insured
    settings.SUPPORT_INSURANCE_WARNING_DAYS = 30
    with time_machine.travel(_at(datetime.date(2026, 5, 31)), tick=False):
        assert check_welfare_alerts() == 0  # 31 days before: not yet
    for day in (datetime.date(2026, 6, 1), datetime.date(2026, 6, 1), datetime.date(2026, 6, 15)):
        with time_machine.travel(_at(day), tick=False):
            check_welfare_alerts()
    (alert,) = _alerts(AlertKind.INSURANCE_LAPSING)
    assert alert.subject == w.rescuer_a and alert.period == "2026-07-01"
    assert alert.jurisdiction == w.county_a and alert.organisation == w.water_a
    assert "李勇" in alert.title and "2026-07-01" in alert.title
    assert Event.objects.filter(type=WelfareEvent.INSURANCE_LAPSING).count() == 1
    told = Notification.objects.get(purpose="support_alert")
    labels = {(d.channel, d.recipient_label) for d in told.deliveries.all()}
    assert ("sms", "队长 张建国") in labels  # the force leader by SMS
    assert ("in_app", str(w.editor_a)) in labels  # the force's organisation accounts


def test_a_renewal_resolves_the_alert_and_a_lapsing_renewal_raises_again_once(insured, settings):
    w = insured
    settings.SUPPORT_INSURANCE_WARNING_DAYS = 30
    with time_machine.travel(_at(datetime.date(2026, 6, 20)), tick=False):
        assert check_welfare_alerts() == 1
        _policy(w, w.rescuer_a, "P-A-2026", datetime.date(2026, 7, 1), datetime.date(2026, 7, 15))
        w.rescuer_a.refresh_from_db()
        assert w.rescuer_a.insurance_expiry == datetime.date(2026, 7, 15)
        assert check_welfare_alerts() == 1  # the new expiry is itself within 30 days
        assert check_welfare_alerts() == 0
    first, second = _alerts(AlertKind.INSURANCE_LAPSING)
    assert first.period == "2026-07-01" and first.resolved_at is not None
    assert second.period == "2026-07-15" and second.resolved_at is None
    with time_machine.travel(_at(datetime.date(2026, 7, 1)), tick=False):
        _policy(w, w.rescuer_a, "P-A-2027", datetime.date(2026, 7, 15), datetime.date(2027, 7, 15))
        assert check_welfare_alerts() == 0
    assert all(a.resolved_at is not None for a in _alerts(AlertKind.INSURANCE_LAPSING))


def test_an_already_lapsed_policy_is_raised_once_and_says_so(insured):
    w = insured
    with time_machine.travel(_at(datetime.date(2026, 8, 1)), tick=False):
        assert check_welfare_alerts() == 1
        assert check_welfare_alerts() == 0
    (alert,) = _alerts(AlertKind.INSURANCE_LAPSING)
    assert "已于" in alert.title and alert.subject == w.rescuer_a


def test_the_warning_days_are_a_setting(insured, settings):
    settings.SUPPORT_INSURANCE_WARNING_DAYS = 60
    with time_machine.travel(_at(datetime.date(2026, 5, 5)), tick=False):
        assert check_welfare_alerts() == 1


def _exam(w, person, day, next_due=None, actor=None):
    with time_machine.travel(_at(day), tick=False):
        services.record_health(
            actor=actor or w.editor_a,
            personnel_id=person.pk,
            data={"kind": "medical_exam", "examined_on": day, "next_due": next_due},
        )


def test_a_medical_exam_is_due_twelve_months_after_the_last_once(rescuers):
    w = rescuers
    _exam(w, w.rescuer_a, datetime.date(2025, 3, 10))
    with time_machine.travel(_at(datetime.date(2026, 3, 9)), tick=False):
        assert check_welfare_alerts() == 0
    for day in (datetime.date(2026, 3, 10), datetime.date(2026, 3, 11), datetime.date(2026, 4, 1)):
        with time_machine.travel(_at(day), tick=False):
            check_welfare_alerts()
    (alert,) = _alerts(AlertKind.MEDICAL_EXAM_DUE)
    assert alert.subject == w.rescuer_a and alert.period == "2026-03-10"
    assert Event.objects.filter(type=WelfareEvent.MEDICAL_EXAM_DUE).count() == 1
    # Examined again: resolved, and nothing more until the next one is due.
    _exam(w, w.rescuer_a, datetime.date(2026, 4, 2))
    with time_machine.travel(_at(datetime.date(2026, 4, 3)), tick=False):
        assert check_welfare_alerts() == 0
    (alert,) = _alerts(AlertKind.MEDICAL_EXAM_DUE)
    assert alert.resolved_at is not None


def test_the_next_due_date_of_the_newest_examination_counts(rescuers):
    w = rescuers
    _exam(w, w.rescuer_a2, datetime.date(2026, 1, 5), next_due=datetime.date(2026, 7, 5))
    with time_machine.travel(_at(datetime.date(2026, 7, 4)), tick=False):
        assert check_welfare_alerts() == 0
    with time_machine.travel(_at(datetime.date(2026, 7, 5)), tick=False):
        assert check_welfare_alerts() == 1
    (alert,) = _alerts(AlertKind.MEDICAL_EXAM_DUE)
    assert alert.period == "2026-07-05" and alert.subject == w.rescuer_a2


def test_rescuers_never_examined_or_inactive_are_not_alerted(rescuers):
    w = rescuers
    _exam(w, w.rescuer_b, datetime.date(2024, 1, 1), actor=w.editor_b)
    w.rescuer_b.is_active = False
    w.rescuer_b.save(update_fields=["is_active"])
    with time_machine.travel(_at(datetime.date(2026, 6, 1)), tick=False):
        assert check_welfare_alerts() == 0
    assert not SupportAlert.objects.exists()


def test_the_support_tick_runs_the_welfare_alerts(insured):
    with time_machine.travel(_at(datetime.date(2026, 6, 15)), tick=False):
        support_tick.delay()
    assert SupportAlert.objects.filter(kind=AlertKind.INSURANCE_LAPSING).count() == 1
