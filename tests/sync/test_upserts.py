"""Idempotent upserts by external id: PUT <list>by-external-id/<source>:<id>/ on the six
kinds the provincial platform writes, and ?external_id= on their lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from command.models import Incident
from core.models import Event
from forces.models import Equipment, Expert, Force, Material, Personnel


@dataclass(frozen=True)
class Kind:
    name: str
    url: str
    model: type
    created: str
    updated: str
    change: tuple[str, Any]

    def body(self, w, county: str) -> dict[str, Any]:
        a = county == "a"
        force = w.force_a if a else w.force_b
        org = w.water_a if a else w.water_b
        return {
            "incident": {
                "title": "省平台下发：卫运河险情",
                "source": "department",
                "incident_type": "11A01",
                "jurisdiction": "371581" if a else "371521",
                "latitude": "36.850000",
                "longitude": "115.710000",
                "received_at": "2026-07-20T08:30:00+08:00",
            },
            "force": {
                "name": "省水利抢险支队临清分队",
                "category": "government",
                "organisation": org.pk,
                "duty_phone": "0635-2345678",
            },
            "personnel": {"force": force.pk, "name": "李明"},
            "equipment": {"force": force.pk, "name": "冲锋舟", "quantity": 2},
            "material": {"force": force.pk, "name": "编织袋", "quantity": "500.00"},
            "expert": {
                "name": "赵工",
                "field": "水利工程",
                "phone": "13912345678",
                "organisation": org.pk,
            },
        }[self.name]


KINDS = [
    Kind(
        "incident",
        "/api/v1/command/incidents/",
        Incident,
        "incident.created",
        "incident.updated",
        ("title", "省平台下发：卫运河险情（续报）"),
    ),
    Kind(
        "force",
        "/api/v1/forces/forces/",
        Force,
        "force.created",
        "force.updated",
        ("name", "省水利抢险支队临清二分队"),
    ),
    Kind(
        "personnel",
        "/api/v1/forces/personnel/",
        Personnel,
        "force.personnel_added",
        "force.personnel_updated",
        ("name", "李明华"),
    ),
    Kind(
        "equipment",
        "/api/v1/forces/equipment/",
        Equipment,
        "force.equipment_added",
        "force.equipment_updated",
        ("quantity", 3),
    ),
    Kind(
        "material",
        "/api/v1/forces/materials/",
        Material,
        "force.material_added",
        "force.material_updated",
        ("quantity", "650.00"),
    ),
    Kind(
        "expert",
        "/api/v1/forces/experts/",
        Expert,
        "expert.created",
        "expert.updated",
        ("field", "堤防工程"),
    ),
]
PARAMS = pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])


def put(client, kind: Kind, external_id: str, body: dict[str, Any]):
    return client.put(f"{kind.url}by-external-id/{external_id}/", body, format="json")


class Events:
    """Events of one type recorded since the test's fixtures were built."""

    def __init__(self) -> None:
        self.start = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def __call__(self, kind: Kind, type_: str) -> int:
        return Event.objects.filter(pk__gt=self.start, type=type_).count()


@PARAMS
def test_two_identical_upserts_make_one_object_and_one_creation_event(incident_world, api, kind):
    events = Events()
    client = api(incident_world.sync_client)
    body = kind.body(incident_world, "a")
    first = put(client, kind, "sd:2026-0001", body)
    assert first.status_code == 201, first.json()
    second = put(client, kind, "sd:2026-0001", body)
    assert second.status_code == 200, second.json()
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["external_id"] == "sd:2026-0001"
    assert kind.model.objects.filter(external_id="sd:2026-0001").count() == 1
    assert events(kind, kind.created) == 1
    assert events(kind, kind.updated) == 0


@PARAMS
def test_a_changed_upsert_records_one_update_event(incident_world, api, kind):
    events = Events()
    client = api(incident_world.sync_client)
    body = kind.body(incident_world, "a")
    created = put(client, kind, "sd:2026-0002", body).json()
    field, value = kind.change
    changed = put(client, kind, "sd:2026-0002", {**body, field: value})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["id"] == created["id"]
    assert str(changed.json()[field]) == str(value)
    assert events(kind, kind.updated) == 1
    again = put(client, kind, "sd:2026-0002", {**body, field: value})
    assert again.status_code == 200
    assert events(kind, kind.updated) == 1


@PARAMS
def test_an_upsert_of_a_record_outside_the_jurisdiction_is_not_found(incident_world, api, kind):
    events = Events()
    w = incident_world
    outside = put(api(w.admin_city), kind, "sd:2026-0003", kind.body(w, "b"))
    assert outside.status_code == 201, outside.json()
    answer = put(api(w.admin_a), kind, "sd:2026-0003", kind.body(w, "a"))
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    assert kind.model.objects.filter(external_id="sd:2026-0003").count() == 1
    assert events(kind, kind.updated) == 0


@PARAMS
def test_bad_input_is_a_400_with_field_errors(incident_world, api, kind):
    client = api(incident_world.sync_client)
    body = kind.body(incident_world, "a")
    body.pop("name", None)
    body.pop("title", None)
    answer = put(client, kind, "sd:2026-0004", body)
    assert answer.status_code == 400
    data = answer.json()
    assert data["code"] == "invalid"
    assert data["detail"]
    assert set(data["errors"]) & {"name", "title"}
    assert not kind.model.objects.filter(external_id="sd:2026-0004").exists()


@PARAMS
def test_a_malformed_external_id_in_the_url_is_a_400(incident_world, api, kind):
    answer = put(api(incident_world.sync_client), kind, "no-source", kind.body(incident_world, "a"))
    assert answer.status_code == 400
    assert "external_id" in answer.json()["errors"]


@PARAMS
def test_the_url_external_id_wins_and_a_different_one_in_the_body_is_a_400(
    incident_world, api, kind
):
    client = api(incident_world.sync_client)
    body = kind.body(incident_world, "a")
    mismatch = put(client, kind, "sd:2026-0005", {**body, "external_id": "sd:other"})
    assert mismatch.status_code == 400
    assert "external_id" in mismatch.json()["errors"]
    same = put(client, kind, "sd:2026-0005", {**body, "external_id": "sd:2026-0005"})
    assert same.status_code == 201
    assert same.json()["external_id"] == "sd:2026-0005"


@PARAMS
def test_the_list_filters_by_external_id(incident_world, api, kind):
    client = api(incident_world.sync_client)
    body = kind.body(incident_world, "a")
    wanted = put(client, kind, "sd:2026-0006", body).json()
    field, value = kind.change
    put(client, kind, "sd:2026-0007", {**body, field: value})
    listed = client.get(kind.url, {"external_id": "sd:2026-0006"})
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [wanted["id"]]
    assert client.get(kind.url, {"external_id": "sd:none"}).json()["results"] == []


def test_a_repeated_upsert_of_a_closed_incident_changes_nothing(incident_world, api):
    from command import services

    w = incident_world
    kind = KINDS[0]
    body = kind.body(w, "a")
    created = put(api(w.sync_client), kind, "sd:2026-0008", body).json()
    services.close_incident(actor=w.duty_officer_a, incident_id=created["id"])
    same = put(api(w.sync_client), kind, "sd:2026-0008", body)
    assert same.status_code == 200
    assert same.json()["status"] == "closed"
    changed = put(api(w.sync_client), kind, "sd:2026-0008", {**body, "title": "改"})
    assert changed.status_code == 409


def _id_number_with_x() -> str:
    from tests.idnumbers import id_number

    return next(n for seq in range(100, 999) if (n := id_number(sequence=seq)).endswith("X"))


@pytest.mark.parametrize("kind", [KINDS[2], KINDS[5]], ids=["personnel", "expert"])
def test_an_id_number_sent_with_a_lower_case_x_is_unchanged_on_the_next_upsert(
    incident_world, api, kind
):
    events = Events()
    client = api(incident_world.sync_client)
    body = {**kind.body(incident_world, "a"), "id_number": _id_number_with_x().lower()}
    assert put(client, kind, "sd:2026-0009", body).status_code == 201
    assert put(client, kind, "sd:2026-0009", body).status_code == 200
    assert kind.model.objects.get(external_id="sd:2026-0009").id_number.endswith("X")
    assert events(kind, kind.updated) == 0
