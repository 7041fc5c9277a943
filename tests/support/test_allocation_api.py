"""The allocation API (/api/v1/support/allocations/): wiring, errors as {"code","detail"}
(400/403/404/409, never 5xx), the steps and constant query counts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from support.choices import AllocationStatus
from tests.support.allocation_fixtures import approved, line, on_hand, stock_world, submitted

__all__ = ["stock_world"]

pytestmark = pytest.mark.django_db

URL = "/api/v1/support/allocations/"


def _body(w, **extra):
    body = {
        "incident": w.incident_a.pk,
        "purpose": "卫运河漫堤抢险",
        "destination": "临清市松林镇卫运河大堤",
        "needed_by": (timezone.now() + timezone.timedelta(hours=3)).isoformat(),
        "receiver_name": "赵抢险",
        "receiver_phone": "13805351111",
        "lines": [
            {"item": w.sandbags.pk, "warehouse": w.store_a.pk, "quantity": "1500"},
            {"item": w.jackets.pk, "warehouse": w.store_a.pk, "quantity": "50"},
        ],
    }
    body.update(extra)
    return body


def test_request_submit_approve_deliver_receive_through_the_api(stock_world, api):
    w = stock_world
    requester, approver = api(w.dispatcher_a), api(w.approver_a)
    created = requester.post(URL, _body(w), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "draft" and len(data["lines"]) == 2
    assert data["receiver_phone"] != "13805351111"  # masked
    pk = data["id"]
    assert requester.post(f"{URL}{pk}/submit/").json()["status"] == "submitted"
    refused = requester.post(f"{URL}{pk}/approve/", {}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    response = approver.post(f"{URL}{pk}/approve/", {"note": "同意"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert on_hand(w.store_a, w.sandbags) == 3500
    twice = approver.post(f"{URL}{pk}/approve/", {}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"
    assert on_hand(w.store_a, w.sandbags) == 3500
    assert api(w.duty_officer_a).post(f"{URL}{pk}/deliver/").status_code == 200
    line_id = data["lines"][0]["id"]
    received = requester.post(
        f"{URL}{pk}/receive/", {"received": {str(line_id): "1490"}, "note": ""}, format="json"
    )
    assert received.status_code == 200, received.json()
    assert received.json()["status"] == AllocationStatus.RECEIVED


def test_a_short_approval_is_409_naming_the_warehouse(stock_world, api):
    w = stock_world
    allocation = submitted(w, lines=[line(w.store_a, w.jackets, 999)])
    response = api(w.approver_a).post(f"{URL}{allocation.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert "临清市防汛物资储备库" in response.json()["detail"]


def test_bad_input_is_400_and_other_county_is_404(stock_world, api):
    w = stock_world
    bad = api(w.dispatcher_a).post(URL, _body(w, lines=[]), format="json")
    assert bad.status_code == 400
    wrong = api(w.dispatcher_a).post(
        URL,
        _body(w, lines=[{"item": w.sandbags.pk, "warehouse": w.store_b.pk, "quantity": "1"}]),
        format="json",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid"
    allocation = submitted(w)
    assert api(w.duty_officer_b).get(f"{URL}{allocation.pk}/").status_code == 404
    assert api(w.approver_b).post(f"{URL}{allocation.pk}/approve/").status_code == 404
    assert api(w.force_account_a).get(URL).status_code == 403
    assert api().get(URL).status_code in (401, 403)


def test_a_draft_is_updated_with_put(stock_world, api):
    w = stock_world
    client = api(w.duty_officer_a)
    pk = client.post(URL, _body(w), format="json").json()["id"]
    body = _body(w, destination="临清市先锋街道")
    body["lines"] = [{"item": w.sandbags.pk, "warehouse": w.store_a.pk, "quantity": "10"}]
    response = client.put(f"{URL}{pk}/", body, format="json")
    assert response.status_code == 200
    assert response.json()["destination"] == "临清市先锋街道"
    assert len(response.json()["lines"]) == 1


def test_the_list_filters_by_incident_and_status(stock_world, api):
    w = stock_world
    submitted(w)
    approved(w)
    client = api(w.duty_officer_a)
    rows = client.get(URL, {"status": "approved"}).json()
    results = rows["results"] if isinstance(rows, dict) else rows
    assert [r["status"] for r in results] == ["approved"]
    rows = client.get(URL, {"incident": w.incident_b.pk}).json()
    results = rows["results"] if isinstance(rows, dict) else rows
    assert results == []


def test_the_list_costs_the_same_for_many_allocations(
    stock_world, api, django_assert_max_num_queries
):
    w = stock_world
    for _ in range(2):
        approved(w, lines=None)
    client = api(w.duty_officer_a)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for _ in range(6):
        submitted(w)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert response.status_code == 200


def test_the_detail_costs_a_fixed_number_of_queries(
    stock_world, api, django_assert_max_num_queries
):
    w = stock_world
    allocation = approved(w)
    with django_assert_max_num_queries(12):
        assert api(w.duty_officer_a).get(f"{URL}{allocation.pk}/").status_code == 200
