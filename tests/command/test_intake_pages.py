"""The intake on the pages (issue 13): the form records caller, number and a place with
its datum; the incident page's intake section shows the number masked to others, the
steps each role may take, and the open work in the close form."""

from __future__ import annotations

import re

import pytest

from command.models import Incident
from tests.command.intake_fixtures import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def html(response) -> str:
    return response.content.decode()


def form_data(w, **changes):
    data = {
        "title": "运河西堤渗水",
        "received_at": "2026-07-15T09:30",
        "source": "public",
        "caller_name": "马大爷",
        "callback_phone": "13562051234",
        "incident_type": w.flood_type.pk,
        "level": "iv",
        "jurisdiction": w.county_a.pk,
        "address": "",
        "latitude": "36.852410",
        "longitude": "115.698730",
        "datum": "wgs84",
        "area_type": "rural",
        "deaths": "0",
        "injuries": "0",
        "missing": "0",
        "description": "",
    }
    data.update(changes)
    return data


def test_the_form_records_a_call_with_caller_and_a_map_point(intake_world, as_user):
    w = intake_world
    client = as_user(w.duty_officer_a)
    page = html(client.get("/command/incidents/new/"))
    assert 'id="incident-map"' in page and 'id="incident-map-config"' in page
    assert 'name="datum"' in page and "<script>" not in page.split("incident-map-config")[0][-200:]
    response = client.post("/command/incidents/new/", form_data(w))
    assert response.status_code == 302, html(response)
    incident = Incident.objects.get(title="运河西堤渗水")
    assert (incident.caller_name, incident.callback_phone) == ("马大爷", "13562051234")
    assert str(incident.latitude) == "36.852410"


def test_the_form_converts_baidu_coordinates(intake_world, as_user):
    w = intake_world
    client = as_user(w.duty_officer_a)
    response = client.post("/command/incidents/new/", form_data(w, datum="bd09"))
    assert response.status_code == 302
    incident = Incident.objects.get(title="运河西堤渗水")
    assert incident.latitude < 36.852410 - 0.003  # BD-09 sits some 600 m north-east


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"latitude": "", "longitude": ""}, "address"),
        ({"longitude": ""}, "longitude"),
    ],
)
def test_the_form_needs_a_place(intake_world, as_user, changes, field):
    w = intake_world
    response = as_user(w.duty_officer_a).post("/command/incidents/new/", form_data(w, **changes))
    assert response.status_code == 400
    block = re.search(rf'id="field-{field}".*?</div>\s*</div>', html(response), re.S)
    assert block and "field-error" in block.group(0)


def test_the_incident_page_masks_the_number_for_other_units(intake_world, as_user):
    w = intake_world
    incident = Incident.objects.get(pk=w.incident_a.pk)
    incident.callback_phone = "13562051234"
    incident.save(update_fields=["callback_phone"])
    page = html(as_user(w.duty_officer_a).get(incident.get_absolute_url()))
    assert "13562051234" in page and 'id="transfer-to-hotline"' in page
    assert 'id="hand-to-maritime"' in page and 'id="hand-over"' in page
    page = html(as_user(w.dispatcher_a).get(incident.get_absolute_url()))
    assert "13562051234" not in page and "135****1234" in page
    page = html(as_user(w.approver_a).get(incident.get_absolute_url()))
    assert 'id="transfer-to-hotline"' not in page and 'id="reassess"' not in page


def test_the_close_form_shows_open_work_and_ends_it_with_a_reason(intake_world, open_work, as_user):
    w = intake_world
    open_work.lines[w.incident_a.pk] = ["调令 DL-1 临清市水利抢险队：已到场"]
    client = as_user(w.duty_officer_a)
    url = w.incident_a.get_absolute_url()
    page = html(client.get(url))
    assert 'id="open-work"' in page and "调令 DL-1 临清市水利抢险队：已到场" in page
    page = html(client.post(f"{url}close/", {}, follow=True))
    assert "alert-danger" in page
    assert Incident.objects.get(pk=w.incident_a.pk).status == "open"
    client.post(f"{url}close/", {"end_open_work": "on", "reason": "全部收队"})
    assert Incident.objects.get(pk=w.incident_a.pk).status == "closed"


def test_12345_and_maritime_from_the_page_and_the_centre_reads_only_its_own(intake_world, as_user):
    w = intake_world
    client = as_user(w.duty_officer_a)
    response = client.post(f"{w.incident_b.get_absolute_url()}hotline/", {"summary": "x"})
    assert response.status_code == 404  # another county's incident
    url = w.incident_a.get_absolute_url()
    client.post(f"{url}maritime/", {"note": "货船搁浅"})
    assert Incident.objects.get(pk=w.incident_a.pk).disposition == "maritime"
    page = html(client.get(url))
    assert 'id="draft-plan"' not in page and "聊城市水上搜救中心" in page
    centre = as_user(w.maritime_user)
    page = html(centre.get("/command/incidents/"))
    assert w.incident_a.title in page and w.incident_b.title not in page
    assert centre.get(w.incident_b.get_absolute_url()).status_code == 404
    centre.post(f"{url}notes/", {"text": "拖轮已到场"})
    assert "拖轮已到场" in html(centre.get(url))
    # Before any hand-over, a department's account reads no incidents at all.
    assert as_user(w.editor_b).get("/command/incidents/").status_code == 403


def test_the_incident_page_gives_every_step_form_field_its_own_id(intake_world, as_user):
    w = intake_world
    page = html(as_user(w.duty_officer_a).get(w.incident_a.get_absolute_url()))
    ids = re.findall(r'\sid="([^"]+)"', page)
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert repeated == []
    assert 'id="reassess_reason"' in page and 'id="maritime_note"' in page


def test_a_refused_step_names_the_field_it_needs(intake_world, as_user):
    w = intake_world
    client = as_user(w.duty_officer_a)
    response = client.post(
        f"/command/incidents/{w.incident_a.pk}/reassess/",
        {"level": "iii", "reason": ""},
        follow=True,
    )
    from command.forms import ReassessForm

    label = str(ReassessForm().fields["reason"].label)
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith(label) for m in messages), messages
    w.incident_a.refresh_from_db()
    assert w.incident_a.level != "iii"
