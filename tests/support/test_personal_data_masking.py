"""Keepers' and owners' phones in the support chapter: in full for those who manage the
record (and administrators), masked for every other reader — on the pages and over the
API alike, and always for the provincial sync client."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.support.requisition_fixtures import (  # noqa: F401 (the fixture)
    make_requisition,
    requisition_world_fixture,
)
from tests.support.reserves_fixtures import *  # noqa: F403 (the fixtures)
from tests.support.reserves_fixtures import make_warehouse
from tests.support.shelters_fixtures import shelter_world  # noqa: F401 (the fixture)

SHELTER_PHONE = "13912345678"
PRIVATE_OWNER_PHONE = "13805359999"


def _page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_shelter_keeper_mobile_is_masked_for_other_departments_and_the_sync_client(
    shelter_world,  # noqa: F811
    api,
):
    w = shelter_world
    url = f"/api/v1/support/shelters/{w.square_town.pk}/"
    assert api(w.duty_officer_a).get(url).json()["keeper_phone"] == SHELTER_PHONE
    assert api(w.sync_client).get(url).json()["keeper_phone"] == "139****5678"
    detail = reverse("support:shelter_detail", args=[w.park_a.pk])
    assert SHELTER_PHONE in _page(w.duty_officer_a, detail)
    shown_to_editor = _page(w.editor_a, detail)
    assert SHELTER_PHONE not in shown_to_editor and "139****5678" in shown_to_editor
    assert SHELTER_PHONE not in _page(w.dispatcher_a, reverse("support:shelter_list"))


def test_private_owner_mobile_of_a_requisition_is_masked_for_the_sync_client(
    requisition_world, api
):
    w = requisition_world
    req = make_requisition(
        w, owner_organisation=None, owner_name="李师傅", owner_phone=PRIVATE_OWNER_PHONE
    )
    url = f"/api/v1/support/requisitions/{req.pk}/"
    assert api(w.duty_officer_a).get(url).json()["owner_phone"] == PRIVATE_OWNER_PHONE
    assert api(w.sync_client).get(url).json()["owner_phone"] == "138****9999"
    listed = api(w.sync_client).get("/api/v1/support/requisitions/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert PRIVATE_OWNER_PHONE not in str(rows)
    assert PRIVATE_OWNER_PHONE in _page(
        w.duty_officer_a, reverse("support:requisition_detail", args=[req.pk])
    )


def test_warehouse_keeper_phone_is_masked_on_the_pages_for_readers_who_do_not_keep(
    reserves_world,
):
    w = reserves_world
    wh = make_warehouse(w.water_a, w.county_a, "水利局防汛仓库", keeper_phone="13905357777")
    detail = reverse("support:warehouse_detail", args=[wh.pk])
    assert "13905357777" in _page(w.editor_a, detail)
    shown = _page(w.dispatcher_a, detail)
    assert "13905357777" not in shown and "139****7777" in shown
