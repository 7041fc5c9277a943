"""Requisition and compensation pages and API: who opens them, what each sees, the
request form from the incident page, field errors on the forms, constant query counts,
and API errors as {"code", "detail"}."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from support.choices import CompensationStatus, RequisitionStatus
from support.models import CompensationClaim, Requisition
from tests.support.requisition_fixtures import (  # noqa: F401
    make_claim,
    make_requisition,
    requisition_world_fixture,
    returned_requisition,
    reviewed_claim,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/support"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "code", "sees"),
    [
        ("duty_officer_a", 200, True),
        ("dispatcher_a", 200, True),
        ("admin_city", 200, True),
        ("sync_client", 200, True),
        ("duty_officer_b", 200, False),
        ("editor_builder_a", 200, True),  # the owner unit: its own
        ("editor_a", 200, False),
        ("force_account_a", 403, False),
        ("screen_a", 403, False),
    ],
)
def test_who_opens_the_requisition_list_and_what_they_see(requisition_world, persona, code, sees):
    w = requisition_world
    req = make_requisition(w)
    response = _client(getattr(w, persona)).get(reverse("support:requisition_list"))
    assert response.status_code == code
    if code == 200:
        assert (req.number in response.content.decode()) is sees
        detail = _client(getattr(w, persona)).get(
            reverse("support:requisition_detail", args=[req.pk])
        )
        assert detail.status_code == (200 if sees else 404)


def test_the_incident_page_offers_a_requisition_and_the_form_sends_it(requisition_world):
    w = requisition_world
    client = _client(w.duty_officer_a)
    page = client.get(reverse("command:incident_detail", args=[w.incident_a.pk]))
    assert page.status_code == 200
    assert 'id="requisition-create"' in page.content.decode()
    url = f"{reverse('support:requisition_create')}?incident={w.incident_a.pk}"
    now = timezone.localtime()
    data = {
        "incident": w.incident_a.pk,
        "mode": "requisition",
        "description": "装载机",
        "quantity": 1,
        "owner_organisation": w.builder_a.pk,
        "owner_phone": "13963501234",
        "needed_from": now.strftime("%Y-%m-%dT%H:%M"),
        "needed_until": (now - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "purpose": "装运砂石",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert 'id="field-needed_until"' in refused.content.decode()
    assert "field-error" in refused.content.decode()
    data["needed_until"] = (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    sent = client.post(url, data)
    assert sent.status_code == 302
    req = Requisition.objects.get()
    assert sent.url == reverse("support:requisition_detail", args=[req.pk])
    other = _client(w.duty_officer_b).get(url)
    assert other.status_code == 404


def test_hand_over_and_return_through_the_detail_page_and_the_voucher(requisition_world):
    w = requisition_world
    req = make_requisition(w)
    client = _client(w.editor_builder_a)
    bad = client.post(
        reverse("support:requisition_action", args=[req.pk, "handover"]),
        {"handover-condition": ""},
    )
    assert bad.status_code == 400 and "field-error" in bad.content.decode()
    client.post(
        reverse("support:requisition_action", args=[req.pk, "handover"]),
        {"handover-condition": "完好"},
    )
    client.post(
        reverse("support:requisition_action", args=[req.pk, "return"]),
        {"return-condition": "完好", "return-damage": ""},
    )
    req.refresh_from_db()
    assert req.status == RequisitionStatus.RETURNED
    voucher = client.get(reverse("support:requisition_print", args=[req.pk]))
    assert voucher.status_code == 200 and req.number in voucher.content.decode()
    assert "<script" not in voucher.content.decode()


def test_requisition_list_and_detail_take_constant_queries(
    requisition_world, django_assert_max_num_queries
):
    w = requisition_world
    for _ in range(4):
        make_requisition(w)
    client = _client(w.duty_officer_a)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("support:requisition_list")).status_code == 200
    req = Requisition.objects.first()
    with django_assert_max_num_queries(14):
        assert client.get(reverse("support:requisition_detail", args=[req.pk])).status_code == 200
    api = _client(w.duty_officer_a)
    with django_assert_max_num_queries(10):
        assert api.get(f"{API}/requisitions/").status_code == 200


def test_the_requisition_api_requests_hands_over_and_refuses_with_a_code(requisition_world, api):
    w = requisition_world
    now = timezone.now()
    body = {
        "incident": w.incident_a.pk,
        "mode": "call",
        "description": "大型排涝泵车",
        "owner_organisation": w.builder_a.pk,
        "owner_phone": "13963501234",
        "needed_from": now.isoformat(),
        "needed_until": (now + datetime.timedelta(days=1)).isoformat(),
        "purpose": "城区排涝",
    }
    created = api(w.dispatcher_a).post(f"{API}/requisitions/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = api(w.duty_officer_b).post(f"{API}/requisitions/", body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    handed = api(w.dispatcher_a).post(
        f"{API}/requisitions/{pk}/handover/", {"condition": "完好"}, format="json"
    )
    assert handed.status_code == 200 and handed.json()["status"] == "handed_over"
    again = api(w.dispatcher_a).post(
        f"{API}/requisitions/{pk}/handover/", {"condition": "完好"}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "requisition_state"
    hidden = api(w.duty_officer_b).get(f"{API}/requisitions/{pk}/")
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    ("persona", "code", "sees"),
    [
        ("duty_officer_a", 200, True),
        ("approver_city", 200, True),
        ("editor_a", 200, True),  # the force's organisation and the reviewing department
        ("force_account_a", 200, True),
        ("force_account_b", 200, False),
        ("duty_officer_b", 200, False),
        ("screen_a", 403, False),
    ],
)
def test_who_opens_the_compensation_list_and_what_they_see(requisition_world, persona, code, sees):
    w = requisition_world
    claim = make_claim(w)
    response = _client(getattr(w, persona)).get(reverse("support:compensation_list"))
    assert response.status_code == code
    if code == 200:
        assert (claim.number in response.content.decode()) is sees


def test_a_claim_is_made_reviewed_and_approved_through_the_pages(requisition_world):
    w = requisition_world
    client = _client(w.force_account_a)
    data = {
        "force": w.force_a.pk,
        "incident": w.incident_a.pk,
        "basis": "no_liable_party",
        "summary": "抢险两天",
        "costs-TOTAL_FORMS": "2",
        "costs-INITIAL_FORMS": "0",
        "costs-MIN_NUM_FORMS": "0",
        "costs-MAX_NUM_FORMS": "100",
        "costs-0-category": "fuel",
        "costs-0-description": "柴油",
        "costs-0-amount": "600",
        "costs-1-category": "board",
        "costs-1-description": "餐费",
        "costs-1-amount": "-3",
    }
    refused = client.post(reverse("support:compensation_create"), data)
    assert refused.status_code == 200 and "field-error" in refused.content.decode()
    data["costs-1-amount"] = "400.50"
    saved = client.post(reverse("support:compensation_create"), data)
    assert saved.status_code == 302
    claim = CompensationClaim.objects.get()
    assert str(claim.claimed_amount) == "1000.50"
    client.post(reverse("support:compensation_action", args=[claim.pk, "submit"]))
    _client(w.editor_a).post(
        reverse("support:compensation_action", args=[claim.pk, "review"]), {"opinion": "属实"}
    )
    over = _client(w.approver_a).post(
        reverse("support:compensation_action", args=[claim.pk, "approve"]),
        {"amount": "2000", "approval_reference": "临政字〔2026〕9号"},
    )
    assert over.status_code == 400 and "field-error" in over.content.decode()
    _client(w.approver_a).post(
        reverse("support:compensation_action", args=[claim.pk, "approve"]),
        {"amount": "900", "approval_reference": "临政字〔2026〕9号"},
    )
    claim.refresh_from_db()
    assert claim.status == CompensationStatus.APPROVED
    page = _client(w.duty_officer_a).get(reverse("support:compensation_detail", args=[claim.pk]))
    assert 'id="payment-form"' in page.content.decode()


def test_compensation_list_and_detail_take_constant_queries(
    requisition_world, django_assert_max_num_queries
):
    w = requisition_world
    client = _client(w.duty_officer_a)
    make_claim(w)
    with CaptureQueriesContext(connection) as page_one:
        assert client.get(reverse("support:compensation_list")).status_code == 200
    with CaptureQueriesContext(connection) as api_one:
        assert client.get(f"{API}/compensation-claims/").status_code == 200
    for _ in range(3):
        make_claim(w)
    with django_assert_max_num_queries(len(page_one.captured_queries)):
        assert client.get(reverse("support:compensation_list")).status_code == 200
    with django_assert_max_num_queries(len(api_one.captured_queries)):
        assert client.get(f"{API}/compensation-claims/").status_code == 200
    claim = CompensationClaim.objects.first()
    with django_assert_max_num_queries(18):
        detail = client.get(reverse("support:compensation_detail", args=[claim.pk]))
        assert detail.status_code == 200


def test_the_compensation_api_approves_once_and_answers_409_the_second_time(requisition_world, api):
    w = requisition_world
    claim = reviewed_claim(w)
    body = {"amount": "15000.00", "approval_reference": "临政字〔2026〕88号"}
    first = api(w.approver_a).post(
        f"{API}/compensation-claims/{claim.pk}/approve/", body, format="json"
    )
    assert first.status_code == 200 and first.json()["approved_amount"] == "15000.00"
    second = api(w.approver_city).post(
        f"{API}/compensation-claims/{claim.pk}/approve/", body, format="json"
    )
    assert second.status_code == 409 and second.json()["code"] == "claim_state"


def test_the_compensation_api_creates_a_force_claim_with_costs(requisition_world, api):
    w = requisition_world
    created = api(w.force_account_a).post(
        f"{API}/compensation-claims/",
        {
            "force": w.force_a.pk,
            "incident": w.incident_a.pk,
            "basis": "no_liable_party",
            "summary": "抢险",
            "costs": [{"category": "fuel", "description": "柴油", "amount": "88.80"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["claimed_amount"] == "88.80"
    pk = created.json()["id"]
    patched = api(w.force_account_a).patch(
        f"{API}/compensation-claims/{pk}/",
        {"costs": [{"category": "fuel", "description": "柴油", "amount": "90"}]},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["claimed_amount"] == "90.00"
    refused = api(w.force_account_b).post(
        f"{API}/compensation-claims/",
        {"force": w.force_a.pk, "incident": w.incident_a.pk, "basis": "x", "summary": "s"},
        format="json",
    )
    assert refused.status_code == 400 and "code" in refused.json()
