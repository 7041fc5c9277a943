"""Drill API: wiring, permission matrix (anonymous, wrong role, other jurisdiction, right
role), 409 codes for refused transitions, and constant query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from drills import services
from drills.models import Drill
from tests.drills.helpers import conducted, plan_drill

pytestmark = pytest.mark.django_db

BASE = "/api/v1/drills/"
DRILLS = f"{BASE}drills/"


@pytest.fixture
def drill_a(dw):
    return plan_drill(dw.admin_a, dw.bureau_a, planned_date=date(2026, 5, 20))


@pytest.fixture
def drill_b(dw):
    return plan_drill(
        dw.approver_b, dw.bureau_b, title="阳谷县演练", planned_date=date(2026, 5, 20)
    )


# --- permission matrix -------------------------------------------------------------------

ENDPOINTS = ["drills/", "follow-up-actions/", "contingency-plans/", "annual-plans/", "compliance/"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_gets_401(dw, api, endpoint):
    assert api().get(BASE + endpoint).status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", ["screen_a", "force_account_a"])
def test_roles_without_registry_access_get_403(dw, api, endpoint, persona):
    response = api(getattr(dw, persona)).get(BASE + endpoint)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "persona", ["duty_officer_a", "editor_a", "dispatcher_a", "expert_a", "sync_client"]
)
def test_readers_get_200(dw, api, endpoint, persona):
    assert api(getattr(dw, persona)).get(BASE + endpoint).status_code == 200


@pytest.mark.parametrize(
    ("persona", "own", "other"),
    [
        ("duty_officer_a", 200, 404),
        ("editor_power_a", 200, 404),
        ("duty_officer_b", 404, 200),
        ("admin_city", 200, 200),
        ("sync_client", 200, 200),
    ],
)
def test_retrieve_is_scoped_to_jurisdiction(dw, api, drill_a, drill_b, persona, own, other):
    client = api(getattr(dw, persona))
    assert client.get(f"{DRILLS}{drill_a.pk}/").status_code == own
    assert client.get(f"{DRILLS}{drill_b.pk}/").status_code == other


def test_list_is_limited_to_own_jurisdiction(dw, api, drill_a, drill_b):
    titles = {r["title"] for r in api(dw.duty_officer_b).get(DRILLS).json()["results"]}
    assert titles == {"阳谷县演练"}


# --- writes ------------------------------------------------------------------------------


def payload(dw, **extra):
    data = {
        "title": "防汛综合演练",
        "drill_type": "comprehensive",
        "hazard": "flood",
        "organiser": dw.bureau_a.pk,
        "planned_date": "2026-06-15",
        "participating_organisations": [dw.water_a.pk, dw.fire_a.pk],
        "participating_forces": [dw.force_a.pk],
        "contingency_plan": dw.flood_plan_a.pk,
    }
    data.update(extra)
    return data


def test_duty_officer_plans_drill(dw, api):
    response = api(dw.duty_officer_a).post(DRILLS, payload(dw), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "planned"
    assert body["is_multi_department"] is True
    assert body["jurisdiction"] == "371581"
    assert Drill.objects.get().history.latest().history_user == dw.duty_officer_a


@pytest.mark.parametrize(("persona", "code"), [("expert_a", 403), ("editor_power_a", 403)])
def test_wrong_role_or_organisation_cannot_plan(dw, api, persona, code):
    response = api(getattr(dw, persona)).post(DRILLS, payload(dw), format="json")
    assert response.status_code == code
    assert response.json()["code"] == "permission_denied"
    assert not Drill.objects.exists()


def test_organiser_of_other_county_is_not_found(dw, api):
    response = api(dw.duty_officer_b).post(
        DRILLS, payload(dw, participating_organisations=[], participating_forces=[]), format="json"
    )
    # The organiser is an organisation county B cannot see: not found, named in errors.
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "organiser" in response.json()["errors"]


def test_bad_input_is_400_with_field_errors(dw, api):
    response = api(dw.admin_a).post(DRILLS, payload(dw, drill_type="parade"), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "drill_type" in response.json()["errors"]


def test_conduct_evaluate_close_through_the_api(dw, api, drill_a):
    client = api(dw.duty_officer_a)
    today = timezone.localdate().isoformat()
    response = client.post(f"{DRILLS}{drill_a.pk}/conduct/", {"conducted_on": today})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "conducted"
    again = client.post(f"{DRILLS}{drill_a.pk}/conduct/", {"conducted_on": today})
    assert again.status_code == 409
    assert again.json()["code"] == "drill_not_planned"
    evaluation = {
        "score": 88,
        "improvements": "加强协同",
        "problems": [
            {
                "problem": "通信中断",
                "owner": dw.water_a.pk,
                "owner_person": "王水利",
                "deadline": "2099-01-01",
            }
        ],
    }
    response = client.post(f"{DRILLS}{drill_a.pk}/evaluate/", evaluation, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["score"] == 88
    action_id = response.json()["actions"][0]["id"]
    close = api(dw.editor_a).post(
        f"{BASE}follow-up-actions/{action_id}/close/", {"closure_note": "已整改"}
    )
    assert close.status_code == 200, close.json()
    assert close.json()["is_closed"] is True
    twice = api(dw.editor_a).post(
        f"{BASE}follow-up-actions/{action_id}/close/", {"closure_note": "again"}
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "action_already_closed"


def test_evaluate_planned_drill_is_409(dw, api, drill_a):
    response = api(dw.admin_a).post(f"{DRILLS}{drill_a.pk}/evaluate/", {"score": 80})
    assert response.status_code == 409
    assert response.json()["code"] == "drill_not_conducted"


def test_score_out_of_range_is_400(dw, api):
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23))
    response = api(dw.admin_a).post(f"{DRILLS}{drill.pk}/evaluate/", {"score": 101})
    assert response.status_code == 400
    assert "score" in response.json()["errors"]


@pytest.mark.parametrize(("persona", "code"), [("editor_power_a", 403), ("duty_officer_b", 404)])
def test_conduct_refused_by_organisation_and_jurisdiction(dw, api, drill_a, persona, code):
    response = api(getattr(dw, persona)).post(
        f"{DRILLS}{drill_a.pk}/conduct/", {"conducted_on": "2026-05-20"}
    )
    assert response.status_code == code
    assert Drill.objects.get(pk=drill_a.pk).status == "planned"


def test_annual_plan_and_contingency_plan_create(dw, api):
    client = api(dw.admin_a)
    response = client.post(f"{BASE}annual-plans/", {"organisation": dw.bureau_a.pk, "year": 2026})
    assert response.status_code == 201, response.json()
    dup = client.post(f"{BASE}annual-plans/", {"organisation": dw.bureau_a.pk, "year": 2026})
    assert dup.status_code == 400
    assert "year" in dup.json()["errors"]
    response = client.post(
        f"{BASE}contingency-plans/",
        {"organisation": dw.bureau_a.pk, "name": "临清市总体预案", "kind": "overall"},
    )
    assert response.status_code == 201, response.json()


def test_compliance_endpoint(dw, api):
    response = api(dw.duty_officer_a).get(f"{BASE}compliance/", {"status": "overdue"})
    assert response.status_code == 200
    rows = response.json()
    assert rows and {r["status"] for r in rows} == {"overdue"}
    assert {r["jurisdiction"] for r in rows} <= {"371581", "371581101"}
    bad = api(dw.duty_officer_a).get(f"{BASE}compliance/", {"status": "late"})
    assert bad.status_code == 400
    other = api(dw.duty_officer_a).get(f"{BASE}compliance/", {"jurisdiction": "371521"})
    assert other.status_code == 404


# --- query counts ------------------------------------------------------------------------


def _add_rows(dw, n, start):
    for i in range(n):
        drill = conducted(
            dw.admin_a,
            dw.bureau_a,
            date(2026, 1, start + i),
            title=f"演练{start + i}",
            organisations=[dw.water_a, dw.fire_a],
            forces=[dw.force_a],
        )
        services.evaluate_drill(
            actor=dw.admin_a,
            drill_id=drill.pk,
            score=80,
            problems=[
                services.ProblemInput(problem="问题", owner=dw.water_a, deadline=date(2026, 3, 1))
            ],
        )
        services.create_contingency_plan(
            actor=dw.admin_a,
            organisation=dw.bureau_a,
            name=f"预案{start + i}",
            kind="overall",
        )
        services.create_annual_plan(
            actor=dw.admin_a, organisation=dw.water_a, year=2000 + start + i
        )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_query_count_is_constant(dw, api, endpoint):
    client = api(dw.admin_city)
    _add_rows(dw, 2, 1)
    client.get(BASE + endpoint)  # the user's roles are cached after the first request
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(BASE + endpoint).status_code == 200
    first = len(ctx.captured_queries)
    _add_rows(dw, 8, 3)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(BASE + endpoint).status_code == 200
    assert len(ctx.captured_queries) == first
