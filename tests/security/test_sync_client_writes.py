"""What the provincial sync client (a city-level ``sync_client`` account) may write: the
incidents it hands down and the provincial teams (forces, experts, their personnel,
equipment and materials) of organisations in its jurisdiction — nothing else, and
nothing in another city."""

from __future__ import annotations

import pytest

from command.models import Incident
from core.choices import JurisdictionLevel as L
from core.choices import OrganisationKind as K
from core.exceptions import PermissionDeniedError
from core.models import Event
from core.roles import Role
from dispatch.models import CallOutPlan
from forces import services as force_services
from forces.models import Expert, ExpertGroup, Force
from tests import factories as f

INCIDENTS = "/api/v1/command/incidents/"
FORCES = "/api/v1/forces/forces/"
EXPERTS = "/api/v1/forces/experts/"


def incident_body(code: str) -> dict:
    return {
        "title": "省平台下发：黄河滩区漫滩",
        "source": "department",
        "incident_type": "11A01",
        "jurisdiction": code,
        "latitude": "36.500000",
        "longitude": "115.900000",
    }


def force_body(org) -> dict:
    return {
        "name": "省防汛机动抢险队聊城分队",
        "category": "government",
        "organisation": org.pk,
        "duty_phone": "0635-8123456",
    }


def expert_body(org) -> dict:
    return {"name": "孙工", "field": "防汛", "phone": "13712345678", "organisation": org.pk}


@pytest.fixture
def other_city(incident_world):
    w = incident_world
    w.binzhou = f.jurisdiction("371600", "滨州市", L.CITY, w.province)
    w.binzhou_water = f.organisation("滨州市水利局", K.INDUSTRY_DEPARTMENT, w.binzhou)
    w.binzhou_editor = f.user("editor_binzhou", w.binzhou_water, Role.DEPARTMENT_EDITOR)
    return w


@pytest.mark.parametrize("code", ["371500", "371581", "371521"])
def test_sync_client_hands_incidents_down_to_its_city_and_counties(incident_world, api, code):
    answer = api(incident_world.sync_client).put(
        f"{INCIDENTS}by-external-id/sd:hand-{code}/", incident_body(code), format="json"
    )
    assert answer.status_code == 201, answer.json()
    incident = Incident.objects.get(external_id=f"sd:hand-{code}")
    assert incident.jurisdiction.code == code
    assert incident.reported_by == incident_world.sync_client


def test_sync_client_registers_forces_and_experts_of_organisations_in_its_city(incident_world, api):
    w = incident_world
    client = api(w.sync_client)
    for org in (w.water_a, w.water_b, w.city_bureau):
        force = client.put(
            f"{FORCES}by-external-id/sd:force-{org.pk}/", force_body(org), format="json"
        )
        assert force.status_code == 201, force.json()
        expert = client.put(
            f"{EXPERTS}by-external-id/sd:expert-{org.pk}/", expert_body(org), format="json"
        )
        assert expert.status_code == 201, expert.json()
    force = Force.objects.get(external_id=f"sd:force-{w.water_b.pk}")
    item = client.put(
        "/api/v1/forces/personnel/by-external-id/sd:person-1/",
        {"force": force.pk, "name": "周强"},
        format="json",
    )
    assert item.status_code == 201, item.json()
    # and keeps editing what a county registered, like an administrator of the city
    edited = client.patch(f"{FORCES}{w.force_a.pk}/", {"headcount": 40}, format="json")
    assert edited.status_code == 200, edited.json()


def test_sync_client_may_not_close_an_incident(incident_world, api):
    w = incident_world
    answer = api(w.sync_client).post(f"{INCIDENTS}{w.incident_a.pk}/close/")
    assert answer.status_code == 403
    w.incident_a.refresh_from_db()
    assert w.incident_a.status == "open"


def test_sync_client_may_not_write_plans(incident_world, api):
    w = incident_world
    before = CallOutPlan.objects.count()
    answer = api(w.sync_client).post(
        "/api/v1/dispatch/plans/",
        {
            "incident": w.incident_a.pk,
            "task": "抢险",
            "reason": "省平台要求",
            "lines": [{"force": w.force_a.pk, "people": 5}],
        },
        format="json",
    )
    assert answer.status_code == 403
    assert CallOutPlan.objects.count() == before


def test_sync_client_may_not_approve_a_plan(incident_world, api):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    answer = api(w.sync_client).post(f"/api/v1/dispatch/plans/{plan.pk}/approve/")
    assert answer.status_code == 403
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_sync_client_may_not_write_rosters(incident_world, api):
    w = incident_world
    answer = api(w.sync_client).post(
        "/api/v1/duty/rosters/",
        {"organisation": w.bureau_a.pk, "name": "省平台排班"},
        format="json",
    )
    assert answer.status_code in (403, 405)
    assert answer.json()["code"] in ("permission_denied", "method_not_allowed")


def test_sync_client_may_not_form_expert_groups(incident_world):
    w = incident_world
    with pytest.raises(PermissionDeniedError):
        force_services.create_expert_group(
            actor=w.sync_client, organisation=w.water_a, name="防汛专家组", disaster_type="flood"
        )
    assert not ExpertGroup.objects.exists()


def test_sync_client_may_not_write_in_another_city(other_city, api):
    w = other_city
    client = api(w.sync_client)
    incident = client.put(
        f"{INCIDENTS}by-external-id/sd:bz-1/", incident_body("371600"), format="json"
    )
    assert incident.status_code == 400
    assert "jurisdiction" in incident.json()["errors"]
    force = client.put(
        f"{FORCES}by-external-id/sd:bz-2/", force_body(w.binzhou_water), format="json"
    )
    # An organisation of another city is one this client cannot see: not found, as for
    # every reference the caller cannot see (README, "The contract").
    assert force.status_code == 404
    assert "organisation" in force.json()["errors"]
    expert = client.put(
        f"{EXPERTS}by-external-id/sd:bz-3/", expert_body(w.binzhou_water), format="json"
    )
    assert expert.status_code == 404
    assert not Incident.objects.filter(external_id__startswith="sd:bz-").exists()
    assert not Force.objects.filter(external_id__startswith="sd:bz-").exists()
    assert not Expert.objects.filter(external_id__startswith="sd:bz-").exists()


def test_a_force_of_another_city_with_the_same_external_id_is_not_found(other_city, api):
    w = other_city
    theirs = f.force(w.binzhou_editor, w.binzhou_water, name="滨州水利抢险队", external_id="sd:f-9")
    before = Event.objects.filter(type__startswith="force.").count()
    answer = api(w.sync_client).put(
        f"{FORCES}by-external-id/sd:f-9/", force_body(w.water_a), format="json"
    )
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.name == "滨州水利抢险队"
    assert Event.objects.filter(type__startswith="force.").count() == before


def test_sync_client_may_record_and_change_but_not_close_through_the_api(incident_world, api):
    w = incident_world
    client = api(w.sync_client)
    created = client.post(INCIDENTS, incident_body("371581"), format="json")
    assert created.status_code == 201, created.json()
    url = f"{INCIDENTS}{created.json()['id']}/"
    assert client.patch(url, {"injuries": 2}, format="json").status_code == 200
    assert client.post(f"{url}close/").status_code == 403
