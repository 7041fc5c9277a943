"""Reserves pages, API and workbook (issue 14): who opens what, forms show their errors,
lists in constant queries, upsert by external id, the Excel round trip."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from support.models import StockBatch, StockLevel, Warehouse
from support.reserves import excel
from tests.support.reserves_fixtures import *  # noqa: F403 (the fixtures)
from tests.support.reserves_fixtures import make_warehouse, put

pytestmark = pytest.mark.django_db
API = "/api/v1/support"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("duty_officer_a", 200),
        ("editor_a", 200),
        ("dispatcher_a", 200),
        ("admin_city", 200),
        ("screen_a", 403),
        ("force_account_a", 403),
    ],
)
def test_who_opens_the_warehouse_list(client, reserves_world, persona, status):
    client.force_login(getattr(reserves_world, persona))
    assert client.get(reverse("support:warehouse_list")).status_code == status


def test_anonymous_goes_to_login(client, reserves_world):
    response = client.get(reverse("support:warehouse_list"))
    assert response.status_code == 302


def test_other_county_warehouse_is_404(client, reserves_world):
    w = reserves_world
    client.force_login(w.duty_officer_b)
    assert client.get(reverse("support:warehouse_detail", args=[w.wh_a.pk])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def _more(w, n: int, start: int) -> None:
    for k in range(start, start + n):
        wh = make_warehouse(w.bureau_a, w.county_a, f"储备点{k}")
        put(wh, w.sandbag, 10 + k)
        StockLevel.objects.create(warehouse=wh, item=w.sandbag, minimum=15)
        put(w.wh_a, w.lifejacket, 3, batch=f"L{k}")


def test_list_and_detail_cost_the_same_queries_whatever_their_size(client, reserves_world):
    w = reserves_world
    client.force_login(w.duty_officer_a)
    list_url = reverse("support:warehouse_list")
    detail_url = reverse("support:warehouse_detail", args=[w.wh_a.pk])
    _more(w, 2, 0)
    small = (_queries(client, list_url), _queries(client, detail_url))
    _more(w, 8, 2)
    large = (_queries(client, list_url), _queries(client, detail_url))
    assert large == small
    assert large[0] <= 25 and large[1] <= 30


def test_low_stock_filter_lists_only_warehouses_below_minimum(client, reserves_world):
    w = reserves_world
    put(w.wh_a, w.sandbag, 5)
    StockLevel.objects.create(warehouse=w.wh_a, item=w.sandbag, minimum=100)
    put(w.wh_water_a, w.sandbag, 500)
    StockLevel.objects.create(warehouse=w.wh_water_a, item=w.sandbag, minimum=100)
    client.force_login(w.duty_officer_a)
    page = client.get(reverse("support:warehouse_list"), {"low": "on"}).content.decode()
    assert w.wh_a.name in page and w.wh_water_a.name not in page


def test_issue_form_shows_shortage_on_the_form(client, reserves_world):
    w = reserves_world
    put(w.wh_a, w.sandbag, 5)
    client.force_login(w.duty_officer_a)
    url = reverse("support:warehouse_action", args=[w.wh_a.pk, "issue"])
    response = client.post(
        url, {"issue-item": w.sandbag.pk, "issue-quantity": "9", "issue-reason": "抢险"}
    )
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert StockBatch.objects.get().quantity == 5
    response = client.post(
        url, {"issue-item": w.sandbag.pk, "issue-quantity": "4", "issue-reason": "抢险"}
    )
    assert response.status_code == 302
    assert StockBatch.objects.get().quantity == 1


def test_reader_cannot_post_stock_forms(client, reserves_world):
    w = reserves_world
    put(w.wh_a, w.sandbag, 5)
    client.force_login(w.dispatcher_a)
    url = reverse("support:warehouse_action", args=[w.wh_a.pk, "issue"])
    response = client.post(
        url, {"issue-item": w.sandbag.pk, "issue-quantity": "1", "issue-reason": "x"}
    )
    assert response.status_code == 403


def test_stock_search_finds_the_sandbags_across_warehouses(client, reserves_world):
    w = reserves_world
    put(w.wh_a, w.sandbag, 5)
    put(w.wh_water_a, w.sandbag, 7)
    put(w.wh_b, w.sandbag, 9)
    client.force_login(w.duty_officer_a)
    page = client.get(reverse("support:stock_search"), {"item": w.sandbag.pk}).content.decode()
    assert w.wh_a.name in page and w.wh_water_a.name in page
    assert w.wh_b.name not in page


def test_register_warehouse_form_shows_field_errors(client, reserves_world):
    w = reserves_world
    client.force_login(w.duty_officer_a)
    response = client.post(
        reverse("support:warehouse_create"),
        {
            "name": "",
            "kind": "community",
            "owner": w.bureau_a.pk,
            "jurisdiction": w.town_a.pk,
            "keeper_name": "赵",
            "keeper_phone": "123",
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


# --------------------------------------------------------------------------- API


def test_api_issue_refuses_overdraw_with_409_code(api, reserves_world):
    w = reserves_world
    put(w.wh_a, w.sandbag, 5)
    response = api(w.duty_officer_a).post(
        f"{API}/warehouses/{w.wh_a.pk}/issue/",
        {"item": w.sandbag.pk, "quantity": "6", "reason": "抢险"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    response = api(w.duty_officer_a).post(
        f"{API}/warehouses/{w.wh_a.pk}/issue/",
        {"item": w.sandbag.pk, "quantity": "5", "reason": "抢险"},
        format="json",
    )
    assert response.status_code == 201
    stock = api(w.duty_officer_a).get(f"{API}/stock/", {"warehouse": w.wh_a.pk}).json()
    assert stock == [{"warehouse": w.wh_a.pk, "item": w.sandbag.pk, "on_hand": "0.00"}]


def test_api_receive_by_reader_is_403_and_other_county_is_404(api, reserves_world):
    w = reserves_world
    body = {"item": w.sandbag.pk, "quantity": "1", "batch_number": "X"}
    assert (
        api(w.dispatcher_a).post(f"{API}/warehouses/{w.wh_a.pk}/receive/", body).status_code == 403
    )
    assert (
        api(w.duty_officer_b).post(f"{API}/warehouses/{w.wh_a.pk}/receive/", body).status_code
        == 404
    )


def test_api_upsert_warehouse_by_external_id_is_idempotent(api, reserves_world):
    w = reserves_world
    body = {
        "name": "松林镇社区储备站",
        "kind": "community",
        "owner": w.bureau_a.pk,
        "jurisdiction": w.town_a.code,
        "keeper_name": "李站长",
        "keeper_phone": "13805350011",
    }
    url = f"{API}/warehouses/by-external-id/sd:wh-001/"
    client = api(w.duty_officer_a)
    first = client.put(url, body, format="json")
    assert first.status_code == 201, first.json()
    second = client.put(url, body, format="json")
    assert second.status_code == 200
    assert Warehouse.objects.filter(external_id="sd:wh-001").count() == 1
    listed = client.get(f"{API}/warehouses/", {"external_id": "sd:wh-001"}).json()
    assert [r["name"] for r in listed["results"]] == ["松林镇社区储备站"]


def test_api_item_upsert_is_the_bureaus(api, reserves_world):
    w = reserves_world
    body = {"code": "RS-100", "name": "冲锋舟", "spec": "7.2m", "unit": "艘", "category": "rescue"}
    url = f"{API}/items/by-external-id/sd:item-100/"
    assert api(w.editor_a).put(url, body, format="json").status_code == 403
    assert api(w.duty_officer_a).put(url, body, format="json").status_code == 201
    assert api(w.duty_officer_a).put(url, body, format="json").status_code == 200


def test_api_lists_in_constant_queries(api, reserves_world, django_assert_max_num_queries):
    w = reserves_world
    for n in range(6):
        put(w.wh_a, w.sandbag, 5, batch=f"S{n}")
    client = api(w.duty_officer_a)
    for path in ("warehouses", "batches", "movements", "stock-levels", "items", "stock"):
        with django_assert_max_num_queries(12):
            assert client.get(f"{API}/{path}/").status_code == 200


def test_api_keeper_phone_is_masked_for_readers_who_do_not_keep(api, reserves_world):
    w = reserves_world
    url = f"{API}/warehouses/{w.wh_water_a.pk}/"
    assert api(w.editor_a).get(url).json()["keeper_phone"] == "13905351234"
    assert api(w.dispatcher_a).get(url).json()["keeper_phone"] != "13905351234"


# --------------------------------------------------------------------------- workbook


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("reserves.xlsx", content, content_type=excel.XLSX_CONTENT_TYPE)


def test_workbook_round_trip_counts_and_adjusts(reserves_world):
    w = reserves_world
    put(w.wh_a, w.sandbag, 100, batch="S1", expiry=datetime.date(2030, 1, 1))
    StockLevel.objects.create(warehouse=w.wh_a, item=w.sandbag, minimum=50)
    content = excel.export_reserves(queryset=Warehouse.objects.filter(pk=w.wh_a.pk))
    book = load_workbook(BytesIO(content))
    batches = book["库存批次"]
    assert batches.cell(row=2, column=5).value == "S1"
    batches.cell(row=2, column=7).value = "96"
    batches.append([w.county_a.code, w.wh_a.name, w.lifejacket.code, "", "L1", "2029-05-01", "40"])
    out = BytesIO()
    book.save(out)
    report = excel.import_reserves(actor=w.duty_officer_a, upload=_upload(out.getvalue()))
    assert report.ok, report.errors
    assert (report.warehouses, report.levels, report.batches) == (1, 1, 2)
    assert StockBatch.objects.get(batch_number="S1").quantity == 96
    assert StockBatch.objects.get(batch_number="L1").quantity == 40


def test_workbook_with_one_bad_row_saves_nothing(reserves_world):
    w = reserves_world
    book = load_workbook(BytesIO(excel.template_workbook()))
    book["储备库"].append(
        [w.county_a.code, "新库", "政府集中储备", w.bureau_a.name, "", "王", "13805350001"]
    )
    book["库存批次"].append([w.county_a.code, "新库", "NO-SUCH", "", "B1", "", "5"])
    out = BytesIO()
    book.save(out)
    report = excel.import_reserves(actor=w.duty_officer_a, upload=_upload(out.getvalue()))
    assert not report.ok
    assert [(e.sheet, e.row) for e in report.errors] == [("库存批次", 2)]
    assert not Warehouse.objects.filter(name="新库").exists()


def test_warehouse_page_lists_items_with_a_minimum_level_and_marks_the_low_ones(
    client, reserves_world
):
    w = reserves_world
    StockLevel.objects.create(warehouse=w.wh_a, item=w.sandbag, minimum=10_000)
    put(w.wh_a, w.lifejacket, 3, batch="L-page")
    client.force_login(w.duty_officer_a)
    response = client.get(reverse("support:warehouse_detail", args=[w.wh_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="level-{w.sandbag.pk}"' in body
    assert f'id="level-{w.lifejacket.pk}"' in body
    assert "低于最低储备" in body
