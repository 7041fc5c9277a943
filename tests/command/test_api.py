"""Incident API: permission matrix, writes through command.services, 400/409 shapes and
query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from command.models import Incident
from tests import factories as f

pytestmark = pytest.mark.django_db

INCIDENTS = "/api/v1/command/incidents/"
TYPES = "/api/v1/command/incident-types/"
READERS = ["duty_officer_a", "dispatcher_a", "approver_a", "admin_a", "screen_a"]


def detail(incident, suffix=""):
    return f"{INCIDENTS}{incident.pk}/{suffix}"


def payload(**extra):
    body = {
        "title": "临清市青年路民房火灾",
        "source": "119",
        "incident_type": "22A01",
        "latitude": "36.841000",
        "longitude": "115.712000",
        "level": "iv",
        "address": "青年路88号",
    }
    body.update(extra)
    return body


# --- permission matrix -------------------------------------------------------------------


@pytest.mark.parametrize("url", [INCIDENTS, TYPES])
def test_anonymous_gets_401(incident_world, api, url):
    response = api().get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert api().post(INCIDENTS, payload(), format="json").status_code == 401


@pytest.mark.parametrize("persona", ["editor_a", "force_account_a"])
@pytest.mark.parametrize("url", [INCIDENTS, TYPES])
def test_roles_without_incident_access_get_403(incident_world, api, persona, url):
    response = api(getattr(incident_world, persona)).get(url)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("persona", [*READERS, "sync_client"])
def test_reader_roles_list_their_jurisdictions_incidents(incident_world, api, persona):
    w = incident_world
    response = api(getattr(w, persona)).get(INCIDENTS)
    assert response.status_code == 200
    titles = {row["title"] for row in response.json()["results"]}
    if persona == "sync_client":  # the city's client sees both counties
        assert titles == {"卫运河临清段漫堤", "阳谷县城区内涝"}
    else:
        assert titles == {"卫运河临清段漫堤"}


def test_incident_of_another_county_is_404(incident_world, api):
    w = incident_world
    client = api(w.dispatcher_b)
    assert client.get(detail(w.incident_a)).status_code == 404
    response = client.patch(detail(w.incident_a), {"injuries": 3}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.post(detail(w.incident_a, "close/")).status_code == 404


@pytest.mark.parametrize("persona", ["screen_a", "approver_a"])
def test_readers_who_do_not_record_get_403_on_writes(incident_world, api, persona):
    w = incident_world
    client = api(getattr(w, persona))
    assert client.post(INCIDENTS, payload(), format="json").status_code == 403
    assert client.patch(detail(w.incident_a), {"injuries": 1}, format="json").status_code == 403
    assert client.post(detail(w.incident_a, "close/")).status_code == 403
    assert Incident.objects.count() == 2


def test_detail_carries_names_and_labels(incident_world, api):
    w = incident_world
    body = api(w.approver_a).get(detail(w.incident_a)).json()
    assert body["incident_type"] == "11A01" and body["incident_type_name"] == "洪水"
    assert body["category"] == "natural"
    assert body["jurisdiction"] == "371581" and body["jurisdiction_name"] == "临清市"
    assert body["status"] == "open" and body["status_label"]
    assert body["reported_by_name"] == "duty_a"


# --- writes ------------------------------------------------------------------------------


def test_duty_officer_records_an_incident(incident_world, api):
    w = incident_world
    response = api(w.duty_officer_a).post(INCIDENTS, payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["jurisdiction"] == "371581"
    assert body["incident_type"] == "22A01" and body["level"] == "iv"
    incident = Incident.objects.get(pk=body["id"])
    assert incident.reported_by == w.duty_officer_a


def test_bad_input_is_400_with_field_errors(incident_world, api):
    client = api(incident_world.duty_officer_a)
    response = client.post(INCIDENTS, {"title": ""}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"title", "source", "incident_type"} <= set(body["errors"])
    # Coordinates are optional when an address is given (a caller rarely knows them).
    assert not {"latitude", "longitude"} & set(body["errors"])
    response = client.post(
        INCIDENTS,
        payload(incident_type="99Z99", latitude="95", injuries=-1, source="911"),
        format="json",
    )
    assert response.status_code == 400
    assert {"incident_type", "latitude", "injuries", "source"} <= set(response.json()["errors"])


def test_incident_outside_own_jurisdiction_is_400(incident_world, api):
    response = api(incident_world.duty_officer_a).post(
        INCIDENTS, payload(jurisdiction="371521"), format="json"
    )
    assert response.status_code == 400
    assert "jurisdiction" in response.json()["errors"]


def test_partial_update_refuses_a_level_change_reassess_makes_it(incident_world, api):
    w = incident_world
    client = api(w.dispatcher_a)
    response = client.patch(detail(w.incident_a), {"level": "iii", "injuries": 4}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "reassessment_required"
    assert "level" in response.json()["errors"]
    response = client.patch(detail(w.incident_a), {"injuries": 4}, format="json")
    assert response.status_code == 200, response.json()
    response = client.post(
        detail(w.incident_a, "reassess/"),
        {"level": "iii", "reason": "被困人员增至4人"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["level"], body["injuries"]) == ("iii", 4)
    response = client.patch(detail(w.incident_a), {"deaths": -1}, format="json")
    assert response.status_code == 400
    assert "deaths" in response.json()["errors"]


def test_close_then_any_change_is_409(incident_world, api):
    w = incident_world
    client = api(w.duty_officer_a)
    response = client.post(detail(w.incident_a, "close/"))
    assert response.status_code == 200
    assert response.json()["status"] == "closed" and response.json()["closed_at"]
    for response in (
        client.post(detail(w.incident_a, "close/")),
        client.patch(detail(w.incident_a), {"injuries": 1}, format="json"),
    ):
        assert response.status_code == 409
        assert response.json()["code"] == "incident_closed"


def test_put_and_delete_are_not_allowed(incident_world, api):
    w = incident_world
    client = api(w.admin_a)
    assert client.put(detail(w.incident_a), payload(), format="json").status_code == 405
    assert client.delete(detail(w.incident_a)).status_code == 405


def test_filters(incident_world, api):
    w = incident_world
    f.incident(w.duty_officer_a, title="临清市危化品泄漏", incident_type=w.fire_type, level="ii")
    client = api(w.admin_city)
    rows = client.get(INCIDENTS, {"incident_type__code": "22A01"}).json()["results"]
    assert [r["title"] for r in rows] == ["临清市危化品泄漏"]
    assert client.get(INCIDENTS, {"level": "ii"}).json()["count"] == 1
    assert client.get(INCIDENTS, {"search": "阳谷"}).json()["count"] == 1


def test_incident_types_are_reference_data_without_pagination(incident_world, api):
    body = api(incident_world.screen_a).get(TYPES).json()
    assert isinstance(body, list)
    assert {row["code"] for row in body} == {"11A01", "22A01"}
    assert body[0]["category_label"]


# --- query counts ------------------------------------------------------------------------


def _count_queries(client, url):
    client.get(url)  # warm the user's cached roles and organisation
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [INCIDENTS, TYPES])
def test_list_query_count_is_constant_in_page_size(incident_world, api, url):
    w = incident_world
    client = api(w.admin_city)
    small = _count_queries(client, f"{url}?page_size=2")
    for n in range(12):
        officer = w.duty_officer_a if n % 2 else w.duty_officer_b
        county = w.county_a if n % 2 else w.county_b
        f.incident(officer, jurisdiction=county, incident_type=f.incident_type(f"9{n:02d}A1"))
    large = _count_queries(client, f"{url}?page_size=40")
    assert small == large
