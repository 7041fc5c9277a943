"""Simultaneous transitions of one drill give exactly one success; the others get 409 with
a code (RELIABILITY.md: row locks plus constraints, ≥ 20 simultaneous requests, on
PostgreSQL — SQLite ignores row locks)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Event
from drills.models import AnnualDrillPlan, Drill, FollowUpAction
from tests.drills.helpers import conducted, plan_drill

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REQUESTS = 20


def _run_concurrently(fn, n):
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = fn(i)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def _post(user, url, data):
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(url, data, format="json")
    return response.status_code, response.json()


def test_concurrent_conduct_records_the_drill_once(dw):
    """SPEC §6: planned → conducted once, even on a double click."""
    drill = plan_drill(dw.admin_a, dw.bureau_a, planned_date=date(2026, 5, 20))
    url = f"/api/v1/drills/drills/{drill.pk}/conduct/"
    today = timezone.localdate().isoformat()
    results, errors = _run_concurrently(
        lambda i: _post(dw.duty_officer_a, url, {"conducted_on": today}), REQUESTS
    )
    assert errors == []
    codes = sorted(code for code, _ in results)
    assert codes.count(200) == 1
    assert all(body["code"] == "drill_not_planned" for code, body in results if code != 200)
    assert Event.objects.filter(type="drill.conducted").count() == 1


def test_concurrent_evaluations_create_one_set_of_actions(dw):
    """Linqing §四.(二): one evaluation, one set of follow-up actions."""
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23))
    url = f"/api/v1/drills/drills/{drill.pk}/evaluate/"
    payload = {
        "score": 80,
        "problems": [{"problem": "通信不畅", "owner": dw.water_a.pk, "deadline": "2099-01-01"}],
    }
    results, errors = _run_concurrently(lambda i: _post(dw.admin_a, url, payload), REQUESTS)
    assert errors == []
    assert [code for code, _ in results].count(200) == 1
    assert FollowUpAction.objects.filter(drill=drill).count() == 1
    assert Drill.objects.get(pk=drill.pk).status == "evaluated"


def test_concurrent_annual_plans_give_one_plan(dw):
    """Linqing §四.(二): one annual plan per organisation and year."""
    results, errors = _run_concurrently(
        lambda i: _post(
            dw.admin_a,
            "/api/v1/drills/annual-plans/",
            {"organisation": dw.bureau_a.pk, "year": 2026},
        ),
        REQUESTS,
    )
    assert errors == []
    assert [code for code, _ in results].count(201) == 1
    assert all(code in (400, 409) for code, _ in results if code != 201)
    assert AnnualDrillPlan.objects.count() == 1
