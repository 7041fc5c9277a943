"""After-action report pages and API: the brigade writes and submits on the page, the
bureau accepts or returns; the follow-up list shows drill and incident problems; 4xx
bodies; constant queries."""

from __future__ import annotations

import datetime

import pytest

from drills.after_action import submit_after_action
from drills.models import AfterActionReport
from tests.drills.after_action_fixtures import SECTIONS, draft, problem

pytestmark = pytest.mark.django_db
API = "/api/v1/drills/after-action-reports/"


def test_the_brigade_sees_what_it_owes_and_writes_it_on_the_page(closed_world, client):
    w = closed_world
    client.force_login(w.dispatcher_a)
    html = client.get("/drills/after-action/").content.decode()
    assert 'id="awaiting"' in html and w.incident_a.title in html
    deadline = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    response = client.post(
        f"/drills/after-action/incident/{w.incident_a.pk}/",
        {
            **SECTIONS,
            "problems-TOTAL_FORMS": "1",
            "problems-INITIAL_FORMS": "0",
            "problems-0-problem": "夜间照明不足",
            "problems-0-owner": w.fire_a.pk,
            "problems-0-deadline": deadline,
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    report = AfterActionReport.objects.get()
    assert report.status == "submitted"
    assert report.actions.get().problem == "夜间照明不足"


def test_the_bureau_returns_it_with_a_reason_on_the_page(closed_world, client):
    w = closed_world
    report = draft(w)
    submit_after_action(actor=w.dispatcher_a, report_id=report.pk)
    client.force_login(w.approver_a)
    html = client.get(report.get_absolute_url()).content.decode()
    assert 'id="review-form"' in html
    client.post(f"/drills/after-action/{report.pk}/return/", {"note": "补充伤亡情况"})
    report.refresh_from_db()
    assert (report.status, report.review_note) == ("returned", "补充伤亡情况")
    client.force_login(w.dispatcher_a)
    html = client.get(f"/drills/after-action/incident/{w.incident_a.pk}/").content.decode()
    assert "补充伤亡情况" in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("duty_officer_a", 200),
        ("dispatcher_a", 200),
        ("sync_client", 200),
        ("screen_a", 403),
        ("editor_a", 403),
        ("force_account_a", 403),
    ],
)
def test_who_opens_the_after_action_list(closed_world, client, persona, status):
    w = closed_world
    client.force_login(getattr(w, persona))
    assert client.get("/drills/after-action/").status_code == status


def test_county_b_does_not_open_county_as_report(closed_world, client, api):
    w = closed_world
    report = draft(w)
    client.force_login(w.duty_officer_b)
    assert client.get(report.get_absolute_url()).status_code == 404
    assert api(w.dispatcher_b).get(f"{API}{report.pk}/").status_code == 404


def test_the_follow_up_list_shows_both_kinds(closed_world, client):
    from drills import services
    from tests.drills.helpers import conducted

    w = closed_world
    drill = conducted(w.admin_a, w.bureau_a, datetime.date(2026, 5, 20))
    services.evaluate_drill(
        actor=w.admin_a, drill_id=drill.pk, score=80, problems=[problem(w, "预案不熟")]
    )
    draft(w, problems=[problem(w, "夜间照明不足")])
    client.force_login(w.duty_officer_a)
    html = client.get("/drills/actions/").content.decode()
    assert "预案不熟" in html and "夜间照明不足" in html
    html = client.get("/drills/actions/?kind=after_action").content.decode()
    assert "预案不熟" not in html and "夜间照明不足" in html
    client.force_login(w.duty_officer_b)
    html = client.get("/drills/actions/").content.decode()
    assert "预案不熟" not in html and "夜间照明不足" not in html


def test_the_api_saves_submits_and_accepts(closed_world, api):
    w = closed_world
    brigade = api(w.dispatcher_a)
    body = {
        "incident": w.incident_a.pk,
        **SECTIONS,
        "problems": [
            {
                "problem": "夜间照明不足",
                "owner": w.fire_a.pk,
                "deadline": (datetime.date.today() + datetime.timedelta(days=30)).isoformat(),
            }
        ],
    }
    response = brigade.post(API, body, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["actions"][0]["incident"] == w.incident_a.pk
    response = brigade.post(API, {**body, "summary": "改写"}, format="json")
    assert response.status_code == 200 and response.json()["summary"] == "改写"
    assert brigade.post(f"{API}{pk}/submit/").json()["status"] == "submitted"
    response = api(w.approver_a).post(f"{API}{pk}/accept/", {"note": "好"}, format="json")
    assert response.json()["status"] == "accepted"
    actions = api(w.duty_officer_a).get("/api/v1/drills/follow-up-actions/").json()["results"]
    assert [a["after_action"] for a in actions] == [pk]


@pytest.mark.parametrize(
    ("persona", "path", "body", "status", "code"),
    [
        ("approver_a", "", {"summary": "x"}, 403, "permission_denied"),
        ("dispatcher_a", "submit/", {}, 400, None),  # sections missing
        ("dispatcher_a", "accept/", {}, 403, "permission_denied"),
        ("approver_a", "return/", {"reason": ""}, 400, None),
        ("approver_a", "accept/", {}, 409, "after_action_not_submitted"),
        ("screen_a", "submit/", {}, 403, None),
    ],
)
def test_refusals_come_back_as_code_and_detail(
    closed_world, api, persona, path, body, status, code
):
    w = closed_world
    report = draft(w, what_failed="")
    url = f"{API}{report.pk}/{path}" if path else API
    if not path:
        body = {"incident": w.incident_a.pk, **body}
    response = api(getattr(w, persona)).post(url, body, format="json")
    assert response.status_code == status, response.content
    data = response.json()
    assert {"code", "detail"} <= set(data)
    if code:
        assert data["code"] == code


def test_an_open_incident_is_refused_with_incident_open(incident_world, api):
    w = incident_world
    response = api(w.dispatcher_a).post(
        API, {"incident": w.incident_a.pk, **SECTIONS}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "incident_open"


def test_the_list_takes_the_same_queries_however_many(closed_world, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = closed_world
    client = api(w.admin_city)
    draft(w, problems=[problem(w)])
    client.get(API)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(API).json()["results"]) == 1
    from drills.after_action import save_after_action

    save_after_action(
        actor=w.dispatcher_b,
        incident_id=w.incident_b.pk,
        problems=[problem(w, owner=w.fire_b), problem(w, "二", owner=w.fire_b)],
        **SECTIONS,
    )
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(API).json()["results"]) == 2
    assert len(two) == len(one)
