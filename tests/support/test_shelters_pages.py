"""Shelter pages: the list with its map and filters, detail, the form (field errors), and
the indicator page with jurisdictions below their target and the inline edit — role
matrix and query counts."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from support.models import Shelter, ShelterIndicator
from tests.support.shelters_fixtures import shelter_world

__all__ = ["shelter_world"]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _map(response):
    html = response.content.decode()
    start = html.index('id="shelter-map-config"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


READ_LIST = {
    "duty_officer_a": 200,
    "approver_b": 200,
    "admin_city": 200,
    "dispatcher_a": 200,
    "editor_a": 200,
    "sync_client": 200,
    "force_account_a": 403,
    "screen_a": 403,
}


@pytest.mark.parametrize(("persona", "status"), sorted(READ_LIST.items()))
def test_who_opens_the_shelter_list_and_indicator_page(shelter_world, persona, status):
    client = _client(getattr(shelter_world, persona))
    assert client.get(reverse("support:shelter_list")).status_code == status
    assert client.get(reverse("support:shelter_indicators")).status_code == status


def test_anonymous_goes_to_the_login_page(shelter_world):
    response = Client().get(reverse("support:shelter_list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_county_list_shows_its_shelters_and_map_markers_only(shelter_world):
    w = shelter_world
    response = _client(w.duty_officer_a).get(reverse("support:shelter_list"))
    html = response.content.decode()
    assert "运河公园" in html and "松林镇文化广场" in html
    assert "阳谷县体育场" not in html
    names = {m["name"] for m in _map(response)["shelters"]}
    # Out of service: listed, not on the map.
    assert names == {"运河公园", "松林镇文化广场"}


def test_list_filters_by_kind_and_facility(shelter_world):
    w = shelter_world
    client = _client(w.admin_city)
    html = client.get(reverse("support:shelter_list"), {"kind": "square"}).content.decode()
    assert "松林镇文化广场" in html and "运河公园" not in html
    Shelter.objects.filter(pk=w.stadium_b.pk).update(facilities=["medical"])
    html = client.get(reverse("support:shelter_list"), {"facility": "medical"}).content.decode()
    assert "阳谷县体育场" in html and "运河公园" not in html


def test_list_names_the_counties_below_the_indicator(shelter_world):
    html = _client(shelter_world.admin_city).get(reverse("support:shelter_list")).content.decode()
    assert 'id="below-indicator"' in html
    assert "阳谷县" in html[html.index('id="below-indicator"') :]


def test_other_countys_shelter_is_not_found(shelter_world):
    w = shelter_world
    client = _client(w.duty_officer_a)
    assert client.get(reverse("support:shelter_detail", args=[w.stadium_b.pk])).status_code == 404
    assert client.get(reverse("support:shelter_edit", args=[w.stadium_b.pk])).status_code == 404


def test_detail_shows_facilities_by_name(shelter_world):
    w = shelter_world
    html = (
        _client(w.dispatcher_a)
        .get(reverse("support:shelter_detail", args=[w.park_a.pk]))
        .content.decode()
    )
    assert "供水" in html or "Water supply" in html
    assert 'id="edit-shelter"' not in html


def test_bureau_registers_a_shelter_through_the_form(shelter_world):
    w = shelter_world
    response = _client(w.duty_officer_a).post(
        reverse("support:shelter_create"),
        {
            "name": "临清市第一中学操场",
            "kind": "school",
            "level": "immediate",
            "jurisdiction": w.county_a.pk,
            "address": "临清市新华路1号",
            "latitude": "36.840000",
            "longitude": "115.710000",
            "area_m2": "8000",
            "capacity": "4000",
            "facilities": ["water", "power"],
            "keeper_name": "赵老师",
            "keeper_phone": "13712345678",
            "is_active": "on",
        },
    )
    shelter = Shelter.objects.get(name="临清市第一中学操场")
    assert response.status_code == 302
    assert response["Location"] == reverse("support:shelter_detail", args=[shelter.pk])
    assert shelter.facilities == ["water", "power"]


def test_form_shows_the_services_refusal_on_the_field(shelter_world):
    w = shelter_world
    response = _client(w.duty_officer_a).post(
        reverse("support:shelter_create"),
        {
            "name": "新华路小游园",
            "kind": "park",
            "level": "immediate",
            "jurisdiction": w.county_a.pk,
            "address": "x",
            "area_m2": "100",
            "capacity": "50",
            "keeper_name": "李",
            "keeper_phone": "12",
        },
    )
    assert response.status_code == 400
    assert 'data-field="keeper_phone"' in response.content.decode()


@pytest.mark.parametrize("persona", ["dispatcher_a", "editor_a", "sync_client"])
def test_readers_without_the_bureau_role_may_not_open_the_form(shelter_world, persona):
    client = _client(getattr(shelter_world, persona))
    assert client.get(reverse("support:shelter_create")).status_code == 403


def test_managing_unit_edits_its_own_shelter(shelter_world):
    w = shelter_world
    client = _client(w.editor_a)
    assert client.get(reverse("support:shelter_edit", args=[w.square_town.pk])).status_code == 200
    assert client.get(reverse("support:shelter_edit", args=[w.park_a.pk])).status_code == 403


def test_indicator_page_flags_the_county_below_and_lets_the_bureau_edit(shelter_world):
    w = shelter_world
    html = _client(w.admin_city).get(reverse("support:shelter_indicators")).content.decode()
    assert 'id="indicator-371521" class="indicator-below" data-below="1"' in html
    assert 'id="indicator-371581" data-below="0"' in html
    assert 'id="indicator-edit-371521"' in html
    only = (
        _client(w.admin_city)
        .get(reverse("support:shelter_indicators"), {"below": "1"})
        .content.decode()
    )
    assert 'id="indicator-371581"' not in only and 'id="indicator-371521"' in only


def test_readers_see_the_indicators_without_edit_forms(shelter_world):
    html = (
        _client(shelter_world.dispatcher_a)
        .get(reverse("support:shelter_indicators"))
        .content.decode()
    )
    assert 'id="indicator-371581"' in html
    assert "indicator-edit" not in html


def test_bureau_sets_population_and_target_inline(shelter_world):
    w = shelter_world
    prefix = f"j{w.county_b.pk}"
    response = _client(w.approver_b).post(
        reverse("support:shelter_indicator_set", args=[w.county_b.pk]),
        {
            f"{prefix}-resident_population": "200000",
            f"{prefix}-area_per_resident": "2.5",
            f"{prefix}-population_year": "2025",
        },
    )
    assert response.status_code == 302
    indicator = ShelterIndicator.objects.get(jurisdiction=w.county_b)
    assert indicator.resident_population == 200000


def test_inline_edit_error_is_shown_on_its_field(shelter_world):
    w = shelter_world
    prefix = f"j{w.county_b.pk}"
    response = _client(w.approver_b).post(
        reverse("support:shelter_indicator_set", args=[w.county_b.pk]),
        {f"{prefix}-resident_population": "0", f"{prefix}-area_per_resident": "2"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="field-j{w.county_b.pk}-resident_population"' in html
    assert 'data-field="resident_population"' in html


def test_other_county_may_not_set_the_indicator(shelter_world):
    w = shelter_world
    prefix = f"j{w.county_b.pk}"
    response = _client(w.duty_officer_a).post(
        reverse("support:shelter_indicator_set", args=[w.county_b.pk]),
        {f"{prefix}-resident_population": "1", f"{prefix}-area_per_resident": "2"},
    )
    assert response.status_code == 404
    response = _client(w.dispatcher_a).post(
        reverse("support:shelter_indicator_set", args=[w.county_a.pk]),
        {f"j{w.county_a.pk}-resident_population": "1", f"j{w.county_a.pk}-area_per_resident": "2"},
    )
    assert response.status_code == 403


def _add_shelters(w, n):
    from support.shelters import services
    from tests.support.shelters_fixtures import shelter_data

    for i in range(n):
        services.create_shelter(
            actor=w.admin_city, data=shelter_data(w.county_b, f"广场{i}", "1000", 500)
        )


def test_list_queries_do_not_grow_with_shelters(shelter_world, django_assert_max_num_queries):
    w = shelter_world
    client = _client(w.admin_city)
    url = reverse("support:shelter_list")
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    _add_shelters(w, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_indicator_page_queries_are_constant(shelter_world, django_assert_max_num_queries):
    w = shelter_world
    client = _client(w.admin_city)
    url = reverse("support:shelter_indicators")
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    _add_shelters(w, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_detail_queries(shelter_world, django_assert_max_num_queries):
    w = shelter_world
    client = _client(w.admin_city)
    url = reverse("support:shelter_detail", args=[w.park_a.pk])
    client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200
