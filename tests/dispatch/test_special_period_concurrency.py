"""Two people of the bureau declaring overlapping periods at once, or ending one twice at
once, give one declaration and one end (RELIABILITY.md: row locks, at least 20
simultaneous requests, on PostgreSQL — SQLite ignores row locks)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Event
from core.roles import Role
from dispatch.events import DispatchEvent
from dispatch.models import SpecialPeriod
from tests import factories as f
from tests.dispatch.test_concurrency import _post, _run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REQUESTS = 20
PERIODS = "/api/v1/dispatch/special-periods/"


def _bureau(w, n):
    return [w.approver_a, w.duty_officer_a] + [
        f.user(f"bureau_a_{i}", w.bureau_a, Role.DUTY_OFFICER) for i in range(2, n)
    ]


def test_concurrent_overlapping_declarations_give_one_period(incident_world):
    w = incident_world
    people = _bureau(w, REQUESTS)
    today = timezone.localdate()

    def declare(i):
        body = {
            "kind": "sensitive",
            "name": f"敏感期{i}",
            "starts_on": (today + timedelta(days=i % 3)).isoformat(),
            "ends_on": (today + timedelta(days=10)).isoformat(),
        }
        return _post(people[i], PERIODS, body)

    results, errors = _run_concurrently(declare, REQUESTS)

    assert errors == []
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 1, codes
    assert set(codes) == {201, 409}
    assert all(body["code"] == "period_overlaps" for code, body in results if code == 409)
    assert SpecialPeriod.objects.count() == 1
    assert Event.objects.filter(type=DispatchEvent.SPECIAL_PERIOD_DECLARED).count() == 1


def test_concurrent_ends_end_the_period_once(incident_world):
    w = incident_world
    people = _bureau(w, REQUESTS)
    today = timezone.localdate()
    period = SpecialPeriod.objects.create(
        kind="sensitive",
        name="敏感期",
        jurisdiction=w.county_a,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=5),
    )
    url = f"{PERIODS}{period.pk}/end/"

    results, errors = _run_concurrently(lambda i: _post(people[i], url), REQUESTS)

    assert errors == []
    codes = sorted(code for code, _ in results)
    assert codes.count(200) == 1 and codes.count(409) == REQUESTS - 1, codes
    period.refresh_from_db()
    assert period.ends_on == today
    assert Event.objects.filter(type=DispatchEvent.SPECIAL_PERIOD_ENDED).count() == 1
