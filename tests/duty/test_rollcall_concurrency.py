"""Roll calls under concurrency, on PostgreSQL (RELIABILITY.md: row locks plus
constraints, at least 20 simultaneous requests; SQLite ignores row locks)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from duty.models import RollCall, RollCallOutcome, RollCallSchedule
from duty.rollcalls import services
from tests.dispatch.test_concurrency import REQUESTS, _post, _run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_ticks_start_one_roll_call_per_period(world):
    """Liaocheng §三.二.2: however many ticks run at once, one roll call a month."""
    w = world
    RollCallSchedule.objects.create(name="临清市每月调度", jurisdiction=w.county_a)
    now = datetime(2026, 11, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    results, errors = _run_concurrently(
        lambda i: len(services.start_due_roll_calls(now=now)), REQUESTS
    )
    assert errors == []
    assert sum(results) == 1
    roll_call = RollCall.objects.get()
    assert roll_call.targets.count() == 2


def test_double_clicked_answers_record_one_answer(world):
    """Zhoushan §三.2: a force that clicks twenty times has answered once; the rest get
    409 already_answered."""
    w = world
    roll_call = services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
    target = roll_call.targets.get(force=w.force_a)
    url = f"/api/v1/duty/roll-call-targets/{target.pk}/answer/"
    results, errors = _run_concurrently(
        lambda i: _post(w.force_account_a, url, {"people_on_duty": i}), REQUESTS
    )
    assert errors == []
    codes = sorted(status for status, _body in results)
    assert codes == [200] + [409] * (REQUESTS - 1)
    assert {body["code"] for status, body in results if status == 409} == {"already_answered"}
    target.refresh_from_db()
    assert target.outcome == RollCallOutcome.ON_TIME
    from core.models import Event

    assert Event.objects.filter(type="rollcall.answered").count() == 1
