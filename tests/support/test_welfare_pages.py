"""Welfare pages and API: who opens them, rows scoped to the reader's reach, personal
data masked as the registry masks it, forms showing field errors, constant queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forces.models import Personnel
from support.models import CasualtyCase, HealthRecord
from support.welfare import services
from tests.idnumbers import id_number
from tests.support.welfare_fixtures import *  # noqa: F403 (the fixtures)

API = "/api/v1/support"


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def records(rescuers):
    w = rescuers
    today = timezone.localdate()
    services.record_insurance(
        actor=w.editor_a,
        personnel_id=w.rescuer_a.pk,
        data={
            "insurer": "中国人寿临清支公司",
            "policy_number": "P-A",
            "starts_on": today - timedelta(days=340),
            "expires_on": today + timedelta(days=10),
        },
    )
    services.record_insurance(
        actor=w.editor_a,
        personnel_id=w.rescuer_a2.pk,
        data={
            "insurer": "中国人寿临清支公司",
            "policy_number": "P-A2",
            "starts_on": today - timedelta(days=100),
            "expires_on": today + timedelta(days=200),
        },
    )
    services.record_health(
        actor=w.editor_a,
        personnel_id=w.rescuer_a2.pk,
        data={"kind": "medical_exam", "examined_on": today - timedelta(days=30)},
    )
    services.record_health(
        actor=w.editor_b,
        personnel_id=w.rescuer_b.pk,
        data={"kind": "medical_exam", "examined_on": today - timedelta(days=400)},
    )
    w.case_a = services.submit_casualty(
        actor=w.editor_a,
        personnel_id=w.rescuer_a.pk,
        data={
            "kind": "injured",
            "procedure": "disability",
            "occurred_at": timezone.now() - timedelta(days=2),
            "circumstances": "抢险中受伤",
        },
    )
    return w


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("duty_officer_a", 200),
        ("approver_a", 200),
        ("dispatcher_a", 200),
        ("editor_a", 200),
        ("admin_a", 200),
        ("sync_client", 200),
        ("force_account_a", 403),
        ("screen_a", 403),
    ],
)
def test_who_opens_the_welfare_index(records, who, status):
    assert _page(getattr(records, who)).get("/support/welfare/").status_code == status


def test_the_index_lists_the_readers_rescuers_and_highlights_lapsing_insurance(records):
    w = records
    body = _page(w.duty_officer_a).get("/support/welfare/").content.decode()
    assert "李勇" in body and "赵刚" in body and "孙强" not in body  # county B is not A's
    assert "table-warning" in body
    only = _page(w.duty_officer_a).get("/support/welfare/?attention=1").content.decode()
    assert "李勇" in only and "赵刚" not in only  # 赵刚: examined a month ago, insured
    city = _page(w.admin_city).get("/support/welfare/").content.decode()
    assert "孙强" in city
    # Another department of the county sees none of the water force's people.
    assert "李勇" not in _page(w.editor_power_a).get("/support/welfare/").content.decode()


def test_personal_data_is_masked_as_the_registry_masks_it(records):
    w = records
    url = f"/support/welfare/people/{w.rescuer_a.pk}/"
    own = _page(w.editor_a).get(url).content.decode()
    assert w.rescuer_a.id_number in own and "13912345678" in own
    for who in ("duty_officer_a", "dispatcher_a", "sync_client"):
        body = _page(getattr(w, who)).get(url).content.decode()
        assert w.rescuer_a.id_number not in body and "13912345678" not in body
        assert "139****5678" in body and w.rescuer_a.id_number[:6] + "********" in body
    assert w.rescuer_a.id_number in _page(w.admin_a).get(url).content.decode()
    assert _page(w.duty_officer_b).get(url).status_code == 404
    case = _page(w.dispatcher_a).get(f"/support/welfare/casualties/{w.case_a.pk}/")
    assert "139****5678" in case.content.decode()


def test_the_health_form_records_and_shows_field_errors(records):
    w = records
    url = f"/support/welfare/people/{w.rescuer_a.pk}/health/"
    client = _page(w.editor_a)
    assert client.get(url).status_code == 200
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    bad = client.post(url, {"kind": "medical_exam", "examined_on": future})
    assert bad.status_code == 400
    assert 'id="field-examined_on"' in bad.content.decode()
    assert "field-error" in bad.content.decode()
    ok = client.post(
        url,
        {"kind": "medical_exam", "examined_on": "2026-03-01", "fit_for_duty": "on"},
    )
    assert ok.status_code == 302
    w.rescuer_a.refresh_from_db()
    assert w.rescuer_a.medical_exam_date == date(2026, 3, 1)
    # A reader who may not record: the form is not there.
    assert _page(w.dispatcher_a).get(url).status_code == 404


def test_the_casualty_procedure_through_the_pages(records):
    w = records
    detail = f"/support/welfare/casualties/{w.case_a.pk}/"
    assert 'id="casualty-review"' in _page(w.editor_a).get(detail).content.decode()
    assert 'id="casualty-review"' not in _page(w.dispatcher_a).get(detail).content.decode()
    empty = _page(w.duty_officer_a).post(detail + "review/", {"opinion": ""})
    assert empty.status_code == 400 and "field-opinion" in empty.content.decode()
    assert _page(w.duty_officer_a).post(detail + "review/", {"opinion": "属实"}).status_code == 302
    page = _page(w.approver_a).get(detail).content.decode()
    assert 'id="casualty-decide"' in page
    missing = _page(w.approver_a).post(
        detail + "decide/", {"decision": "伤残八级", "authority": "临清市人社局"}
    )
    assert missing.status_code == 400 and "field-reference" in missing.content.decode()
    done = _page(w.approver_a).post(
        detail + "decide/",
        {"decision": "伤残八级", "authority": "临清市人社局", "reference": "临人社〔2026〕8号"},
    )
    assert done.status_code == 302
    assert CasualtyCase.objects.get(pk=w.case_a.pk).status == "decided"
    assert _page(w.approver_b).post(detail + "decide/", {}).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_rows(w, n=3):
    """More rescuers, each with an examination, a policy, a commendation and a case."""
    today = timezone.localdate()
    start = Personnel.objects.count()
    for i in range(start, start + n):
        person = Personnel.objects.create(
            force=w.force_a, name=f"队员{i}", id_number=id_number(sequence=201 + 2 * i)
        )
        services.record_health(
            actor=w.editor_a,
            personnel_id=person.pk,
            data={"kind": "medical_exam", "examined_on": today - timedelta(days=400)},
        )
        services.record_insurance(
            actor=w.editor_a,
            personnel_id=person.pk,
            data={
                "insurer": "中国人寿",
                "policy_number": f"Q-{i}",
                "starts_on": today - timedelta(days=300),
                "expires_on": today + timedelta(days=5),
            },
        )
        services.record_commendation(
            actor=w.editor_a,
            data={
                "personnel": person.pk,
                "level": "praise",
                "title": "表扬",
                "reason": "抢险有功",
                "awarded_by": "临清市应急管理局",
                "awarded_on": today,
            },
        )
        services.submit_casualty(
            actor=w.editor_a,
            personnel_id=person.pk,
            data={
                "kind": "injured",
                "occurred_at": timezone.now() - timedelta(days=1),
                "circumstances": "扭伤",
            },
        )


def test_lists_and_details_take_constant_queries(records, django_assert_max_num_queries):
    w = records
    client = _page(w.admin_city)
    lists = ("/support/welfare/", "/support/welfare/casualties/", "/support/welfare/commendations/")
    before = {url: _queries(client, url) for url in lists}
    _more_rows(w)
    assert {url: _queries(client, url) for url in lists} == before
    for url in (
        *lists,
        f"/support/welfare/people/{w.rescuer_a.pk}/",
        f"/support/welfare/casualties/{w.case_a.pk}/",
    ):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200


def test_api_lists_scoped_and_records_through_the_services(records, api):
    w = records
    api = api(w.duty_officer_a)
    rows = api.get(f"{API}/health-records/").json()
    names = {r["personnel_name"] for r in rows.get("results", rows)}
    assert names == {"赵刚"}
    created = api.post(
        f"{API}/insurance-policies/",
        {
            "personnel": w.rescuer_a2.pk,
            "insurer": "中国平安",
            "policy_number": "PA-9",
            "starts_on": "2026-01-01",
            "expires_on": "2028-01-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    w.rescuer_a2.refresh_from_db()
    assert w.rescuer_a2.insurance_expiry == date(2028, 1, 1)
    outside = api.post(
        f"{API}/health-records/",
        {"personnel": w.rescuer_b.pk, "kind": "medical_exam", "examined_on": "2026-01-01"},
        format="json",
    )
    assert outside.status_code == 404 and outside.json()["code"] == "not_found"
    case = f"{API}/casualty-cases/{w.case_a.pk}/"
    assert api.post(case + "decide/", {"decision": "x", "authority": "y"}).status_code == 409
    reviewed = api.post(case + "review/", {"opinion": "属实"}, format="json")
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "reviewed"
    api.force_authenticate(w.dispatcher_a)
    refused = api.post(
        case + "decide/", {"decision": "伤残八级", "authority": "人社局", "reference": "1号"}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    api.force_authenticate(w.force_account_a)
    assert api.get(f"{API}/casualty-cases/").status_code == 403
    assert HealthRecord.objects.filter(personnel=w.rescuer_b).count() == 1


def test_api_lists_take_constant_queries(records, api):
    client = api(records.admin_city)
    urls = [
        f"{API}/{name}/"
        for name in ("health-records", "insurance-policies", "commendations", "casualty-cases")
    ]
    _more_rows(records, n=1)
    for url in urls:  # warm the per-process caches (content types, permissions)
        client.get(url)
    before = {url: _queries(client, url) for url in urls}
    _more_rows(records, n=3)
    assert {url: _queries(client, url) for url in urls} == before
    assert all(n <= 10 for n in before.values()), before
