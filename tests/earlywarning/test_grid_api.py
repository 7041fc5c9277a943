"""The grid register over the API (/api/v1/warnings/grids/): reads scoped and masked like
the pages, writes through the services, idempotent upserts by external id, and grids in
the change feed."""

from __future__ import annotations

import pytest

from core import subjects
from core.choices import OrganisationKind as K
from core.models import Event
from core.roles import Role
from earlywarning.events import GridEvent
from earlywarning.models import Grid
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/warnings/grids/"
UPSERT = URL + "by-external-id/{}/"


def body(**overrides):
    data = {
        "code": "371581101002-02",
        "name": "东关村二网格",
        "jurisdiction": "371581101002",
        "person_name": "钱小红",
        "person_phone": "13805351010",
        "supervisor_name": "刘镇长",
        "supervisor_phone": "13905350001",
        "households": 120,
    }
    data.update(overrides)
    return data


@pytest.fixture
def gw(warning_world):
    w = warning_world
    w.town_gov_a = f.organisation("松林镇人民政府", K.GOVERNMENT_OFFICE, w.town_a)
    w.town_editor_a = f.user("town_editor_a", w.town_gov_a, Role.DEPARTMENT_EDITOR)
    return w


@pytest.mark.parametrize(
    ("persona", "seen", "create_status"),
    [
        ("admin_a", 5, 201),
        ("admin_city", 6, 201),
        ("duty_officer_a", 5, 201),
        ("approver_a", 5, 201),
        ("town_editor_a", 3, 201),
        ("dispatcher_a", 5, 403),
        ("editor_a", 5, 403),
        ("sync_client", 6, 403),
        ("dispatcher_b", 1, 403),
        ("duty_officer_b", 1, 400),  # a manager, but the village is in county A
        ("screen_a", None, 403),
        ("force_account_a", None, 403),
    ],
)
def test_api_permission_matrix_per_role_and_county(api, gw, persona, seen, create_status):
    client = api(getattr(gw, persona))
    listed = client.get(URL)
    if seen is None:
        assert listed.status_code == 403
    else:
        assert listed.status_code == 200
        assert listed.json()["count"] == seen
    created = client.post(URL, body(), format="json")
    assert created.status_code == create_status, created.content
    if create_status == 400:
        assert "jurisdiction" in created.json()["errors"]
    if create_status != 201:
        assert not Grid.objects.filter(code="371581101002-02").exists()


def test_anonymous_is_refused(api, gw):
    assert api().get(URL).status_code in (401, 403)


def test_phones_are_masked_by_viewer(api, gw):
    def first(user):
        return api(user).get(f"{URL}{gw.grid_a1.pk}/").json()

    shown = first(gw.duty_officer_a)
    assert (shown["person_phone"], shown["supervisor_phone"]) == ("13805351001", "13905350001")
    assert shown["jurisdiction"] == "371581101001"
    assert shown["jurisdiction_name"] == "松林村"
    for user in (gw.dispatcher_a, gw.editor_a, gw.sync_client):
        masked = first(user)
        assert (masked["person_phone"], masked["supervisor_phone"]) == (
            "138****1001",
            "139****0001",
        )


def test_other_county_grid_is_404_and_reader_patch_is_403(api, gw):
    assert api(gw.dispatcher_b).get(f"{URL}{gw.grid_a1.pk}/").status_code == 404
    patch = api(gw.duty_officer_b).patch(f"{URL}{gw.grid_a1.pk}/", {"note": "x"}, format="json")
    assert patch.status_code == 404
    patch = api(gw.dispatcher_a).patch(f"{URL}{gw.grid_a1.pk}/", {"note": "x"}, format="json")
    assert patch.status_code == 403
    assert patch.json()["code"] == "permission_denied"


def test_partial_update_changes_fields_and_records_an_event(api, gw):
    response = api(gw.approver_a).patch(
        f"{URL}{gw.grid_a1.pk}/",
        {"person_phone": "13805359999", "is_active": False},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["person_phone"] == "13805359999"
    gw.grid_a1.refresh_from_db()
    assert not gw.grid_a1.is_active
    event = Event.objects.get(type=GridEvent.UPDATED)
    assert set(event.payload["changed"]) == {"person_phone", "is_active"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("person_phone", "110"),
        ("person_phone", "1380535101x"),
        ("jurisdiction", "371581"),  # a county: grids belong to townships and villages
        ("code", "371581101001-01"),
        ("households", -1),
    ],
)
def test_invalid_bodies_answer_400_naming_the_field(api, gw, field, value):
    response = api(gw.admin_a).post(URL, body(**{field: value}), format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] and payload["detail"]
    assert field in payload["errors"], payload


def test_an_unknown_jurisdiction_code_is_not_found_like_any_reference(api, gw):
    response = api(gw.admin_a).post(URL, body(jurisdiction="999999"), format="json")
    assert response.status_code == 404
    assert not Grid.objects.filter(code="371581101002-02").exists()


def test_filters_by_external_id_jurisdiction_active_and_search(api, gw):
    Grid.objects.filter(pk=gw.grid_a2.pk).update(external_id="sd:grid-0002", is_active=False)
    client = api(gw.admin_city)

    def codes(**params):
        return [g["code"] for g in client.get(URL, params).json()["results"]]

    assert codes(external_id="sd:grid-0002") == [gw.grid_a2.code]
    assert codes(jurisdiction="371581102") == ["371581102000-01", "371581102001-01"]
    assert codes(jurisdiction="371521") == ["371521101000-01"]
    assert codes(jurisdiction="000000") == []
    assert codes(is_active="false") == [gw.grid_a2.code]
    assert codes(search="赵明") == [gw.grid_a3.code]
    assert client.get(URL, {"is_active": "maybe"}).status_code == 400


def test_upsert_by_external_id_is_idempotent(api, gw):
    client = api(gw.duty_officer_a)
    url = UPSERT.format("sd:grid-371581101002-02")

    first = client.put(url, body(), format="json")
    assert first.status_code == 201, first.content
    again = client.put(url, body(), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Grid.objects.filter(external_id="sd:grid-371581101002-02").count() == 1
    assert Event.objects.filter(type=GridEvent.CREATED).count() == 1
    assert not Event.objects.filter(type=GridEvent.UPDATED).exists()

    changed = client.put(url, body(person_name="钱红"), format="json")
    assert changed.status_code == 200
    assert changed.json()["person_name"] == "钱红"
    assert Event.objects.filter(type=GridEvent.UPDATED).count() == 1


def test_upsert_refuses_other_ids_and_other_counties(api, gw):
    url = UPSERT.format("sd:grid-1")
    assert api(gw.admin_a).put(url, body(external_id="sd:grid-2"), format="json").status_code == 400
    assert api(gw.admin_a).put(UPSERT.format("no-colon"), body(), format="json").status_code == 400
    api(gw.admin_a).put(url, body(), format="json")
    assert api(gw.duty_officer_b).put(url, body(), format="json").status_code == 404


def test_grids_are_in_the_change_feed_masked_like_the_api(gw, rf):
    assert "earlywarning.grid" in subjects.registered()
    entry = subjects.registered()["earlywarning.grid"]
    request = rf.get("/")
    request.user = gw.dispatcher_a
    data = entry.serializer(gw.grid_a1, context={"request": request}).data
    assert data["person_phone"] == "138****1001"
    assert set(entry.queryset(gw.dispatcher_b)) == {gw.grid_b1}


def test_list_queries_do_not_grow_with_the_grids(api, gw):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(gw.editor_a)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(20):
        f.grid(
            gw.village_a3, f"371581102001-{n + 10}", f"先锋社区{n + 10}网格", "孙丽", "13805351004"
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).json()["count"] == 25
    assert len(many) <= len(few) + 2
