"""Shelter API: permission matrix, jurisdiction scoping, upsert by external id
(idempotent), the per-capita rows and the bureau's PUT by jurisdiction code, query counts."""

from __future__ import annotations

import pytest

from core.events import Event
from support.events import ShelterEvent
from support.models import Shelter, ShelterIndicator
from support.shelters import services
from tests.support.shelters_fixtures import shelter_data, shelter_world

__all__ = ["shelter_world"]

LIST = "/api/v1/support/shelters/"
INDICATORS = "/api/v1/support/shelter-indicators/"


def _body(**extra):
    body = {
        "name": "临清市体育中心",
        "kind": "stadium",
        "level": "short_term",
        "jurisdiction": "371581",
        "address": "临清市青年路",
        "latitude": "36.845000",
        "longitude": "115.712000",
        "area_m2": "30000.0",
        "capacity": 15000,
        "facilities": ["power", "water", "toilets"],
        "keeper_name": "孙强",
        "keeper_phone": "13612345678",
        "is_active": True,
    }
    body.update(extra)
    return body


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("duty_officer_a", 200),
        ("dispatcher_a", 200),
        ("sync_client", 200),
        ("editor_a", 200),
        ("force_account_a", 403),
        ("screen_a", 403),
    ],
)
def test_who_reads_the_shelter_api(shelter_world, api, persona, status):
    client = api(getattr(shelter_world, persona))
    assert client.get(LIST).status_code == status
    assert client.get(INDICATORS).status_code == status


def test_anonymous_is_refused(shelter_world, api):
    assert api().get(LIST).status_code in (401, 403)


def test_list_is_scoped_to_the_jurisdiction(shelter_world, api):
    names = {r["name"] for r in api(shelter_world.approver_b).get(LIST).json()["results"]}
    assert names == {"阳谷县体育场"}


def test_filter_by_external_id(shelter_world, api):
    rows = api(shelter_world.admin_city).get(LIST, {"external_id": "lq:sh-1"}).json()["results"]
    assert [r["name"] for r in rows] == ["运河公园"]


def test_upsert_creates_then_updates_and_an_identical_body_records_nothing(world, api):
    client = api(world.duty_officer_a)
    url = f"{LIST}by-external-id/lq:stadium-1/"
    first = client.put(url, _body(), format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["facilities"] == ["water", "power", "toilets"]
    events = Event.objects.filter(type__startswith="shelter.").count()
    again = client.put(url, _body(), format="json")
    assert again.status_code == 200
    assert Shelter.objects.filter(external_id="lq:stadium-1").count() == 1
    assert Event.objects.filter(type__startswith="shelter.").count() == events
    changed = client.put(url, _body(capacity=16000), format="json")
    assert changed.status_code == 200
    assert changed.json()["capacity"] == 16000
    assert Event.objects.filter(type=ShelterEvent.UPDATED).count() == 1


def test_upsert_of_another_countys_record_is_not_found(shelter_world, api):
    services.create_shelter(
        actor=shelter_world.approver_b,
        data=shelter_data(shelter_world.county_b, "阳谷广场", "1000", 500, external_id="yg:1"),
    )
    response = api(shelter_world.duty_officer_a).put(
        f"{LIST}by-external-id/yg:1/", _body(), format="json"
    )
    assert response.status_code == 404
    assert set(response.json()) >= {"code", "detail"}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("duty_officer_a", 201), ("admin_city", 201), ("dispatcher_a", 403), ("editor_a", 403)],
)
def test_who_may_create_a_shelter_by_api(world, api, persona, status):
    response = api(getattr(world, persona)).post(LIST, _body(), format="json")
    assert response.status_code == status
    if status != 201:
        assert response.json()["code"]


def test_county_b_may_not_create_in_county_a(world, api):
    response = api(world.approver_b).post(LIST, _body(), format="json")
    assert response.status_code in (400, 403)
    assert not Shelter.objects.exists()


def test_bad_fields_are_400_with_field_errors(world, api):
    response = api(world.duty_officer_a).post(
        LIST, _body(facilities=["sauna"], keeper_phone="1"), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] and "facilities" in body.get("errors", body)


def test_indicator_rows_flag_the_county_below(shelter_world, api):
    rows = {r["jurisdiction"]: r for r in api(shelter_world.admin_city).get(INDICATORS).json()}
    assert rows["371521"]["below"] is True
    assert rows["371521"]["per_capita"] == "1.25"
    assert rows["371581"]["below"] is False
    assert rows["371500"]["area_per_resident"] == "1.50"
    below = api(shelter_world.admin_city).get(INDICATORS, {"below": "1"}).json()
    assert [r["jurisdiction"] for r in below] == ["371521"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("approver_b", 200),
        ("admin_city", 200),
        ("duty_officer_a", 404),
        ("dispatcher_b", 403),
        ("sync_client", 403),
    ],
)
def test_who_may_put_county_bs_indicator(shelter_world, api, persona, status):
    response = api(getattr(shelter_world, persona)).put(
        f"{INDICATORS}371521/",
        {"resident_population": 250000, "area_per_resident": "2.00", "population_year": 2025},
        format="json",
    )
    assert response.status_code == status
    population = ShelterIndicator.objects.get(jurisdiction=shelter_world.county_b)
    assert (population.resident_population == 250000) is (status == 200)
    if status == 200:
        assert response.json()["per_capita"] == "2.00"
        assert response.json()["below"] is False


def test_indicator_put_is_idempotent(shelter_world, api):
    client = api(shelter_world.approver_b)
    body = {"resident_population": 250000, "area_per_resident": "2.00"}
    client.put(f"{INDICATORS}371521/", body, format="json")
    count = Event.objects.filter(type=ShelterEvent.INDICATOR_SET).count()
    client.put(f"{INDICATORS}371521/", body, format="json")
    assert Event.objects.filter(type=ShelterEvent.INDICATOR_SET).count() == count


def test_list_query_count_is_constant(shelter_world, api, django_assert_max_num_queries):
    client = api(shelter_world.admin_city)
    with django_assert_max_num_queries(10) as small:
        client.get(LIST)
    for i in range(10):
        services.create_shelter(
            actor=shelter_world.admin_city,
            data=shelter_data(shelter_world.county_a, f"小区广场{i}", "500", 250),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(LIST)
    with django_assert_max_num_queries(8):
        client.get(INDICATORS)
    with django_assert_max_num_queries(8):
        client.get(f"{LIST}{shelter_world.park_a.pk}/")


def test_partial_update_answers_the_whole_shelter_and_a_clash_is_409(shelter_world, api):
    w = shelter_world
    client = api(w.admin_city)
    response = client.patch(f"{LIST}{w.park_a.pk}/", {"capacity": 290000}, format="json")
    assert response.status_code == 200
    assert response.json()["owner_name"] is None
    clash = client.patch(f"{LIST}{w.park_a.pk}/", {"name": "旧体育场"}, format="json")
    assert clash.status_code == 409
    assert "name" in clash.json()["errors"]
