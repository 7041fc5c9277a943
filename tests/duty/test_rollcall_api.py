"""Roll calls in the REST API: the same services, 4xx with a code, never 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duty.models import RollCall
from duty.rollcalls import services

pytestmark = pytest.mark.django_db

BASE = "/api/v1/duty"


@pytest.fixture
def roll_call(world):
    return services.start_roll_call(actor=world.dispatcher_a, jurisdiction=world.county_a)


def test_read_matrix(api, world, roll_call):
    """SPEC §1: readers of the county and above; other county 404; others 403."""
    w = world
    detail = f"{BASE}/roll-calls/{roll_call.pk}/"
    for user, code in {
        w.dispatcher_a: 200,
        w.duty_officer_a: 200,
        w.approver_city: 200,
        w.dispatcher_b: 404,
        w.editor_a: 403,
        w.sync_client: 403,
    }.items():
        assert api(user).get(detail).status_code == code, user.username
    assert api().get(detail).status_code in (401, 403)
    body = api(w.dispatcher_a).get(detail).json()
    assert body["progress"] == {"total": 2, "on_time": 0, "late": 0, "no_answer": 0, "waiting": 2}
    assert api(w.dispatcher_b).get(f"{BASE}/roll-calls/").json()["count"] == 0


def test_start_by_api_and_bad_input(api, world):
    """Liaocheng §三.二.2: started by hand; bad input is a 400 with field errors."""
    w = world
    client = api(w.dispatcher_a)
    response = client.post(
        f"{BASE}/roll-calls/", {"jurisdiction": "371581", "window_minutes": 5}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["progress"]["total"] == 2
    bad = client.post(
        f"{BASE}/roll-calls/", {"jurisdiction": "999999", "window_minutes": 0}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"jurisdiction", "window_minutes"}
    refused = client.post(f"{BASE}/roll-calls/", {"jurisdiction": "371521"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    empty = client.post(
        f"{BASE}/roll-calls/", {"jurisdiction": "371581", "category": "expert"}, format="json"
    )
    assert (empty.status_code, empty.json()["code"]) == (409, "no_targets")
    assert RollCall.objects.count() == 1
    assert (
        api(w.force_account_a)
        .post(f"{BASE}/roll-calls/", {"jurisdiction": "371581"}, format="json")
        .status_code
        == 403
    )


def test_force_account_answers_by_api(api, world, roll_call):
    """Zhoushan §三.2: the force answers through its account; twice is a 409."""
    w = world
    client = api(w.force_account_a)
    mine = client.get(f"{BASE}/roll-call-targets/", {"outcome": "waiting"}).json()["results"]
    assert [t["force_name"] for t in mine] == ["临清市水利抢险队"]
    url = f"{BASE}/roll-call-targets/{mine[0]['id']}/answer/"
    response = client.post(url, {"people_on_duty": 5, "equipment_ready": True}, format="json")
    assert response.status_code == 200
    assert response.json()["outcome"] == "on_time"
    again = client.post(url, {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_answered")
    bad = client.post(url, {"people_on_duty": -1}, format="json")
    assert bad.status_code == 400
    other = roll_call.targets.get(force=w.force_power_a)
    assert client.post(f"{BASE}/roll-call-targets/{other.pk}/answer/").status_code == 404
    # A dispatcher sees the target but may not answer for the force.
    refused = api(w.dispatcher_a).post(f"{BASE}/roll-call-targets/{other.pk}/answer/")
    assert refused.status_code == 403


def test_close_and_answer_after_closing(api, world, roll_call):
    """Liaocheng §三.二.2: after closing, answers are refused with roll_call_closed."""
    w = world
    response = api(w.dispatcher_a).post(f"{BASE}/roll-calls/{roll_call.pk}/close/")
    assert response.status_code == 200
    assert response.json()["progress"]["no_answer"] == 2
    target = roll_call.targets.get(force=w.force_a)
    late = api(w.force_account_a).post(f"{BASE}/roll-call-targets/{target.pk}/answer/")
    assert (late.status_code, late.json()["code"]) == (409, "roll_call_closed")


def test_report_endpoint(api, world, roll_call):
    w = world
    services.close_expired(now=timezone.now() + timedelta(hours=2))
    body = api(w.duty_officer_a).get(f"{BASE}/roll-call-report/").json()
    assert body["roll_calls"] == 1
    assert body["overall"]["total"] == 2 and body["overall"]["answer_rate"] == 0.0
    bad = api(w.duty_officer_a).get(f"{BASE}/roll-call-report/", {"start": "yesterday"})
    assert bad.status_code == 400


def test_list_query_count_is_constant(api, world):
    w = world
    client = api(w.dispatcher_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{BASE}/roll-calls/").status_code == 200
        return len(ctx.captured_queries)

    services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
    few = count()
    for _ in range(6):
        services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
    assert count() == few
