"""Allocation pages: the list, the request form with its lines (on-hand shown), the
request's page with the buttons of each person's step, the print page, the incident
page's section and the hall screen's panel."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from support.choices import AllocationStatus
from support.models import AllocationRequest
from tests.support.allocation_fixtures import (
    approved,
    line,
    on_hand,
    stock_world,
    submitted,
)

__all__ = ["stock_world"]

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_form_shows_each_source_with_its_stock_and_saves_and_submits(stock_world):
    w = stock_world
    client = client_for(w.dispatcher_a)
    page = client.get(f"/support/allocations/new/?incident={w.incident_a.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "临清市防汛物资储备库" in html and "5000" in html
    assert "阳谷县防汛物资储备库" not in html  # another county's stock is not offered
    needed = (timezone.localtime() + datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/support/allocations/new/?incident={w.incident_a.pk}",
        {
            "incident": w.incident_a.pk,
            "purpose": "堤防加固",
            "destination": "松林镇大堤",
            "needed_by": needed,
            "receiver_name": "赵抢险",
            "receiver_phone": "13805351111",
            "lines-TOTAL_FORMS": "3",
            "lines-INITIAL_FORMS": "0",
            "lines-0-source": f"{w.store_a.pk}:{w.sandbags.pk}",
            "lines-0-quantity": "1200",
            "lines-1-source": "",
            "lines-1-quantity": "",
            "lines-2-source": "",
            "lines-2-quantity": "",
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    allocation = AllocationRequest.objects.get()
    assert allocation.status == AllocationStatus.SUBMITTED
    assert allocation.incident == w.incident_a


def test_the_form_shows_field_errors(stock_world):
    w = stock_world
    response = client_for(w.dispatcher_a).post(
        f"/support/allocations/new/?incident={w.incident_a.pk}",
        {
            "purpose": "",
            "destination": "松林镇大堤",
            "needed_by": "",
            "receiver_name": "赵抢险",
            "receiver_phone": "123",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-source": f"{w.store_a.pk}:{w.sandbags.pk}",
            "lines-0-quantity": "",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("field-error") >= 4
    assert not AllocationRequest.objects.exists()


def test_the_approver_sees_approve_and_a_short_line_is_named_on_the_page(stock_world):
    w = stock_world
    allocation = submitted(w, lines=[line(w.store_a, w.jackets, 301)])
    client = client_for(w.approver_a)
    page = client.get(f"/support/allocations/{allocation.pk}/")
    assert 'id="action-approve"' in page.content.decode()
    refused = client.post(f"/support/allocations/{allocation.pk}/approve/")
    assert refused.status_code == 409
    assert "allocation-refusal" in refused.content.decode()
    assert "300" in refused.content.decode()
    requester_page = client_for(w.duty_officer_a).get(f"/support/allocations/{allocation.pk}/")
    assert 'id="action-approve"' not in requester_page.content.decode()


def test_the_steps_from_the_page_approve_deliver_receive(stock_world):
    w = stock_world
    allocation = submitted(w)
    assert (
        client_for(w.approver_a).post(f"/support/allocations/{allocation.pk}/approve/").status_code
        == 302
    )
    assert on_hand(w.store_a, w.sandbags) == 3000
    duty = client_for(w.duty_officer_a)
    assert duty.post(f"/support/allocations/{allocation.pk}/deliver/").status_code == 302
    sandbag_line = allocation.lines.get(item=w.sandbags)
    response = duty.post(
        f"/support/allocations/{allocation.pk}/receive/",
        {f"received-{sandbag_line.pk}": "1990", "note": "破损10条"},
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.RECEIVED
    assert allocation.receipt_note == "破损10条"
    page = duty.get(f"/support/allocations/{allocation.pk}/").content.decode()
    assert page.count('<li class="mb-2">') == 5  # created, submitted, approved, delivered, received


def test_pages_refuse_other_roles_and_counties(stock_world):
    w = stock_world
    allocation = submitted(w)
    assert client_for(w.force_account_a).get("/support/allocations/").status_code == 403
    assert (
        client_for(w.duty_officer_b).get(f"/support/allocations/{allocation.pk}/").status_code
        == 404
    )
    assert (
        client_for(w.editor_b).post(f"/support/allocations/{allocation.pk}/approve/").status_code
        == 404
    )
    assert Client().get("/support/allocations/").status_code == 302


def test_the_print_page_is_the_allocation_order(stock_world):
    w = stock_world
    allocation = approved(w)
    page = client_for(w.duty_officer_a).get(f"/support/allocations/{allocation.pk}/print/")
    assert page.status_code == 200
    assert allocation.number in page.content.decode()


def test_list_and_detail_cost_fixed_queries(stock_world, django_assert_max_num_queries):
    w = stock_world
    approved(w)
    client = client_for(w.duty_officer_a)
    client.get("/support/allocations/")
    with django_assert_max_num_queries(30) as first:
        client.get("/support/allocations/")
    for _ in range(5):
        submitted(w)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/support/allocations/").status_code == 200
    allocation = AllocationRequest.objects.filter(status=AllocationStatus.APPROVED).get()
    with django_assert_max_num_queries(30):
        assert client.get(f"/support/allocations/{allocation.pk}/").status_code == 200


def test_the_incident_page_lists_its_allocations_with_a_request_button(stock_world):
    w = stock_world
    allocation = approved(w)
    html = client_for(w.dispatcher_a).get(f"/command/incidents/{w.incident_a.pk}/").content.decode()
    assert 'id="incident-allocations"' in html
    assert allocation.number in html
    assert f"/support/allocations/new/?incident={w.incident_a.pk}" in html


def test_the_hall_screen_shows_open_allocations(stock_world):
    w = stock_world
    allocation = approved(w)
    html = client_for(w.screen_a).get("/hall/screen/").content.decode()
    assert 'id="screen-allocation"' in html
    assert allocation.number in html
    assert "编织袋2000条" in html


def test_a_reader_who_may_not_request_gets_no_form(stock_world):
    w = stock_world
    response = client_for(w.sync_client).get(
        f"/support/allocations/new/?incident={w.incident_a.pk}"
    )
    assert response.status_code == 403
    assert (
        client_for(w.duty_officer_b)
        .get(f"/support/allocations/new/?incident={w.incident_a.pk}")
        .status_code
        == 404
    )
