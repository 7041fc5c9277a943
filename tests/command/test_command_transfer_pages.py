"""The command hand-over on the incident page and in the API: who commands now, the steps,
the form for those who may hand over; 4xx bodies from the API."""

from __future__ import annotations

import pytest

from command.choices import CommandAuthority as A
from command.command_transfers import transfer_command

pytestmark = pytest.mark.django_db


def _url(incident):
    return f"/api/v1/command/incidents/{incident.pk}/command-transfers/"


def test_the_incident_page_shows_who_commands_and_each_step(incident_world, client):
    w = incident_world
    transfer_command(
        actor=w.duty_officer_a,
        incident_id=w.incident_a.pk,
        to_authority=A.ONSITE_HQ,
        to_commander="李副市长",
        to_organisation=w.bureau_a,
    )
    client.force_login(w.dispatcher_a)
    html = client.get(w.incident_a.get_absolute_url()).content.decode()
    assert 'id="commander-now" data-authority="onsite_hq"' in html
    assert "李副市长" in html and "临清市应急管理局" in html
    assert 'id="command-transfer-form"' in html


def test_the_screen_sees_who_commands_but_no_form(incident_world, client):
    w = incident_world
    client.force_login(w.screen_a)
    html = client.get(w.incident_a.get_absolute_url()).content.decode()
    assert 'id="commander-now"' in html
    assert 'id="command-transfer-form"' not in html


def test_handing_over_on_the_page_records_the_step(incident_world, client):
    w = incident_world
    client.force_login(w.duty_officer_a)
    response = client.post(
        f"/command/incidents/{w.incident_a.pk}/command/",
        {"to_authority": "special_hq", "to_commander": "王市长", "note": "启动专项预案"},
    )
    assert response.status_code == 302
    w.incident_a.refresh_from_db()
    assert (w.incident_a.command_authority, w.incident_a.commander) == ("special_hq", "王市长")


def test_a_county_b_officer_cannot_post_to_county_a(incident_world, client):
    w = incident_world
    client.force_login(w.duty_officer_b)
    response = client.post(
        f"/command/incidents/{w.incident_a.pk}/command/",
        {"to_authority": "onsite_hq", "to_commander": "李副市长"},
    )
    assert response.status_code == 404


def test_the_api_lists_and_records_hand_overs(incident_world, api):
    w = incident_world
    client = api(w.approver_a)
    response = client.post(
        _url(w.incident_a),
        {"to_authority": "onsite_hq", "to_commander": "李副市长", "to_organisation": w.bureau_a.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["from_authority"] == "fire_brigade"
    steps = api(w.screen_a).get(_url(w.incident_a)).json()
    assert [s["to_commander"] for s in steps] == ["李副市长"]


@pytest.mark.parametrize(
    ("persona", "body", "status", "code"),
    [
        ("editor_a", {"to_authority": "onsite_hq", "to_commander": "甲"}, 403, None),
        ("screen_a", {"to_authority": "onsite_hq", "to_commander": "甲"}, 403, "permission_denied"),
        ("duty_officer_b", {"to_authority": "onsite_hq", "to_commander": "甲"}, 404, None),
        ("duty_officer_a", {"to_authority": "mayor", "to_commander": "甲"}, 400, None),
        ("duty_officer_a", {"to_authority": "fire_brigade", "to_commander": ""}, 400, None),
        ("dispatcher_a", {"to_authority": "fire_brigade", "to_commander": "赵队长"}, 409, None),
    ],
)
def test_refusals_come_back_as_code_and_detail(incident_world, api, persona, body, status, code):
    w = incident_world
    if status == 409:
        # The brigade already commands with no commander named: naming it is a relief;
        # naming it twice is refused.
        transfer_command(
            actor=w.dispatcher_a,
            incident_id=w.incident_a.pk,
            to_authority=A.FIRE_BRIGADE,
            to_commander="赵队长",
        )
    response = api(getattr(w, persona)).post(_url(w.incident_a), body, format="json")
    assert response.status_code == status, response.content
    data = response.json()
    assert {"code", "detail"} <= set(data)
    if code:
        assert data["code"] == code


def test_each_hand_over_is_a_line_on_the_incident_timeline(incident_world, client):
    w = incident_world
    for authority, who in ((A.ONSITE_HQ, "李副市长"), (A.SPECIAL_HQ, "王市长")):
        transfer_command(
            actor=w.duty_officer_a,
            incident_id=w.incident_a.pk,
            to_authority=authority,
            to_commander=who,
        )
    client.force_login(w.duty_officer_a)
    html = client.get(w.incident_a.get_absolute_url()).content.decode()
    assert "Fire brigade on scene → On-site command HQ (李副市长)" in html or (
        "消防救援队伍现场指挥 → 现场指挥部（李副市长）" in html
    )
    assert "(王市长)" in html or "（王市长）" in html


def test_the_hall_screen_shows_who_commands_each_open_incident(incident_world, client):
    w = incident_world
    transfer_command(
        actor=w.duty_officer_a,
        incident_id=w.incident_a.pk,
        to_authority=A.SPECIAL_HQ,
        to_commander="王市长",
    )
    client.force_login(w.screen_a)
    html = client.get("/hall/screen/").content.decode()
    assert 'id="command-panel"' in html
    assert 'data-authority="special_hq"' in html and "王市长" in html
    assert w.incident_b.title not in html.split('id="command-panel"')[1].split("</div>")[0]
