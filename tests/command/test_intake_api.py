"""The intake API (issue 13): incident fields (caller, masked call-back number, place
by address only, datum conversion), the actions transfer-to-hotline, hotline-reply,
hand-over, hand-to-maritime, notes, reassess and close (end_open_work + reason), their
4xx bodies and query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from command import services
from command.models import Incident
from tests.command.intake_fixtures import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db

INCIDENTS = "/api/v1/command/incidents/"


def detail(incident, suffix=""):
    return f"{INCIDENTS}{incident.pk}/{suffix}"


def payload(**extra):
    body = {
        "title": "临清市青年路民房火灾",
        "source": "119",
        "incident_type": "22A01",
        "level": "iv",
        "address": "青年路88号",
        "caller_name": "周先生",
        "callback_phone": "13905357788",
    }
    body.update(extra)
    return body


def test_a_call_by_address_only_and_its_number_masked_for_others(intake_world, api):
    w = intake_world
    response = api(w.duty_officer_a).post(INCIDENTS, payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["latitude"] is None and body["address"] == "青年路88号"
    assert body["callback_phone"] == "13905357788"  # the receiving unit reads it
    assert body["first_receiver_name"] == w.bureau_a.name and body["disposition"] == "emergency"
    # The brigade of the same county reads the incident, not the caller's number.
    other = api(w.dispatcher_a).get(f"{INCIDENTS}{body['id']}/").json()
    assert other["callback_phone"] == "139****7788"
    assert api(w.admin_city).get(f"{INCIDENTS}{body['id']}/").json()["callback_phone"] == (
        "13905357788"
    )


def test_coordinates_read_on_gcj02_are_stored_as_wgs84(intake_world, api):
    w = intake_world
    response = api(w.duty_officer_a).post(
        INCIDENTS,
        payload(latitude="36.852410", longitude="115.698730", datum="gcj02"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    incident = Incident.objects.get(pk=response.json()["id"])
    assert incident.latitude != incident.latitude.__class__("36.852410")
    assert abs(float(incident.latitude) - 36.852410) < 0.01


@pytest.mark.parametrize(
    "body,field",
    [
        ({"address": ""}, "address"),
        ({"latitude": "36.85"}, "longitude"),
        ({"callback_phone": "123"}, "callback_phone"),
    ],
)
def test_a_call_without_a_place_or_with_a_bad_number_is_400(intake_world, api, body, field):
    w = intake_world
    response = api(w.duty_officer_a).post(INCIDENTS, payload(**body), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Incident.objects.filter(title="临清市青年路民房火灾").count() == 0


def test_hotline_transfer_and_reply(intake_world, api):
    w = intake_world
    client = api(w.duty_officer_a)
    response = client.post(
        detail(w.incident_a, "transfer-to-hotline/"),
        {"summary": "路灯不亮", "work_order_number": "LC001"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["hotline_name"] == w.hotline.name
    assert client.get(detail(w.incident_a)).json()["disposition"] == "hotline"
    again = client.post(detail(w.incident_a, "transfer-to-hotline/"), {"summary": "x"})
    assert again.status_code == 409 and again.json()["code"] == "not_emergency"
    response = client.post(detail(w.incident_a, "hotline-reply/"), {"reply": "已处理"})
    assert response.status_code == 200 and response.json()["reply"] == "已处理"
    again = client.post(detail(w.incident_a, "hotline-reply/"), {"reply": "x"})
    assert again.status_code == 409 and again.json() == {
        "code": "already_replied",
        "detail": again.json()["detail"],
    }
    filtered = client.get(INCIDENTS, {"disposition": "hotline"}).json()
    assert [row["id"] for row in filtered["results"]] == [w.incident_a.pk]


def test_hand_over_and_maritime_and_the_centres_notes(intake_world, api):
    w = intake_world
    client = api(w.duty_officer_a)
    response = client.post(
        detail(w.incident_b, "hand-over/"), {"to_unit": w.ecology_a.pk}, format="json"
    )
    assert response.status_code == 404  # county B's incident
    response = client.post(
        detail(w.incident_a, "hand-to-maritime/"), {"note": "货船搁浅"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["to_unit_name"] == w.maritime.name
    assert response.json()["kind"] == "maritime"

    centre = api(w.maritime_user)
    listed = centre.get(INCIDENTS).json()
    assert [row["id"] for row in listed["results"]] == [w.incident_a.pk]
    assert centre.get(detail(w.incident_b)).status_code == 404
    response = centre.post(detail(w.incident_a, "notes/"), {"text": "拖轮已到场"}, format="json")
    assert response.status_code == 201, response.json()
    notes = centre.get(detail(w.incident_a, "notes/")).json()
    assert [n["text"] for n in notes] == ["拖轮已到场"]
    assert notes[0]["organisation_name"] == w.maritime.name
    # It reads and reports back; it does not direct, close or re-assess.
    for suffix, body in (
        ("close/", {}),
        ("reassess/", {"level": "ii", "reason": "x"}),
        ("transfer-to-hotline/", {"summary": "x"}),
    ):
        assert centre.post(detail(w.incident_a, suffix), body, format="json").status_code == 403
    assert centre.patch(detail(w.incident_a), {"injuries": 1}, format="json").status_code == 403


def test_reassess_needs_a_reason_and_patch_cannot_change_the_level(intake_world, api):
    w = intake_world
    client = api(w.dispatcher_a)
    response = client.post(detail(w.incident_a, "reassess/"), {"level": "ii"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(
        detail(w.incident_a, "reassess/"), {"level": "ii", "reason": "溃口扩大"}, format="json"
    )
    assert response.status_code == 200 and response.json()["level"] == "ii"
    response = client.patch(detail(w.incident_a), {"level": "i"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reassessment_required"


def test_close_with_open_work_is_409_listing_it_then_ends_it_with_a_reason(
    intake_world, open_work, api
):
    w = intake_world
    open_work.lines[w.incident_a.pk] = ["调令 DL-1 临清市水利抢险队：已到场"]
    client = api(w.duty_officer_a)
    response = client.post(detail(w.incident_a, "close/"), {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "open_work"
    assert body["errors"] == {"open_work": ["调令 DL-1 临清市水利抢险队：已到场"]}
    response = client.post(detail(w.incident_a, "close/"), {"end_open_work": True}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(
        detail(w.incident_a, "close/"),
        {"end_open_work": True, "reason": "险情排除，收队"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert open_work.ended[0][2] == "险情排除，收队"


def test_the_list_stays_at_constant_queries_with_intake_fields(intake_world, api):
    w = intake_world
    client = api(w.admin_city)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(INCIDENTS).status_code == 200
        return len(ctx)

    count()  # the user's roles and jurisdiction, once
    first = count()
    for n in range(3):
        incident = services.create_incident(
            actor=w.duty_officer_a,
            data={
                **{k: v for k, v in payload(title=f"警情{n}").items() if k != "incident_type"},
                "incident_type": w.fire_type,
            },
        )
        services.hand_over(
            actor=w.duty_officer_a, incident_id=incident.pk, to_unit_id=w.ecology_a.pk
        )
    assert count() == first
