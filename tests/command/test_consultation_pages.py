"""会商研判 pages and API: list, record with departments and experts (phones masked),
conclude, the printable record and its PDF; 4xx bodies; constant queries."""

from __future__ import annotations

import pytest

from command.consultations import conclude_consultation
from command.models import Consultation
from tests.command import consultation_fixtures
from tests.command.consultation_fixtures import meeting

pytestmark = pytest.mark.django_db

consult_world = consultation_fixtures.consult_world
API = "/api/v1/command/consultations/"


def test_the_form_offers_experts_of_the_area_with_masked_phones(consult_world, client):
    w = consult_world
    client.force_login(w.duty_officer_a)
    html = client.get(f"/command/consultations/new/?incident={w.incident_a.pk}").content.decode()
    assert "刘河清" in html and "陈地质" in html
    assert "孙阳谷" not in html  # county B's expert
    assert "13905351234" not in html and "139****1234" in html


def test_recording_on_the_page_then_concluding(consult_world, client):
    w = consult_world
    client.force_login(w.duty_officer_a)
    response = client.post(
        "/command/consultations/new/",
        {
            "incident": w.incident_a.pk,
            "topic": "漫堤险情会商",
            "held_at": "2026-07-12T15:30",
            "departments": [w.water_a.pk],
            "experts": [w.expert_water.pk],
            "situation": "水位超警戒。",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    c = Consultation.objects.get()
    assert c.incident == w.incident_a
    response = client.post(
        f"/command/consultations/{c.pk}/conclude/",
        {"conclusions": "建议启动IV级响应", "recommended_level": "iv"},
    )
    c.refresh_from_db()
    assert (c.status, c.recommended_level) == ("concluded", "iv")
    html = client.get(f"/command/consultations/{c.pk}/").content.decode()
    assert 'id="conclude-form"' not in html
    assert "建议启动IV级响应" in html


def test_the_incident_page_lists_its_meetings(consult_world, client):
    w = consult_world
    meeting(w)
    client.force_login(w.screen_a)
    html = client.get(w.incident_a.get_absolute_url()).content.decode()
    assert "卫运河临清段漫堤险情会商研判" in html


def test_the_printable_record_and_its_pdf(consult_world, client):
    w = consult_world
    c = meeting(w)
    conclude_consultation(
        actor=w.duty_officer_a, consultation_id=c.pk, conclusions="转移群众", recommended_level="iv"
    )
    client.force_login(w.dispatcher_a)
    html = client.get(f"/command/consultations/{c.pk}/print/").content.decode()
    assert "刘河清" in html and "转移群众" in html and "13905351234" not in html
    response = client.get(f"/command/consultations/{c.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 2000


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("duty_officer_a", 200),
        ("screen_a", 200),
        ("sync_client", 200),
        ("editor_a", 403),
        ("force_account_a", 403),
    ],
)
def test_who_opens_the_list(consult_world, client, persona, status):
    w = consult_world
    client.force_login(getattr(w, persona))
    assert client.get("/command/consultations/").status_code == status


def test_county_b_does_not_open_county_as_meeting(consult_world, client, api):
    w = consult_world
    c = meeting(w)
    client.force_login(w.duty_officer_b)
    assert client.get(f"/command/consultations/{c.pk}/").status_code == 404
    assert client.get(f"/command/consultations/{c.pk}/pdf/").status_code == 404
    assert api(w.duty_officer_b).get(f"{API}{c.pk}/").status_code == 404


def test_the_api_records_changes_and_concludes(consult_world, api):
    w = consult_world
    client = api(w.approver_a)
    response = client.post(
        API,
        {
            "topic": "汛期重点时段风险研判",
            "held_at": "2026-07-10T09:00:00+08:00",
            "departments": [w.water_a.pk, w.fire_a.pk],
            "experts": [w.expert_city.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["incident"] is None and data["jurisdiction_code"] == "371581"
    assert [e["name"] for e in data["experts"]] == ["陈地质"]
    assert "phone" not in data["experts"][0]
    pk = data["id"]
    response = client.patch(f"{API}{pk}/", {"place": "视频会商"}, format="json")
    assert response.json()["place"] == "视频会商"
    response = client.post(
        f"{API}{pk}/conclude/",
        {"conclusions": "加强巡堤", "recommended_level": "iv"},
        format="json",
    )
    assert response.json()["status"] == "concluded"
    response = client.post(f"{API}{pk}/conclude/", {"conclusions": "再议"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "consultation_concluded"


@pytest.mark.parametrize(
    ("persona", "body", "status"),
    [
        ("dispatcher_a", {"topic": "x", "held_at": "2026-07-10T09:00:00+08:00"}, 403),
        ("duty_officer_a", {"topic": "", "held_at": "2026-07-10T09:00:00+08:00"}, 400),
        ("duty_officer_a", {"topic": "x"}, 400),
    ],
)
def test_refusals_come_back_as_code_and_detail(consult_world, api, persona, body, status):
    w = consult_world
    response = api(getattr(w, persona)).post(API, body, format="json")
    assert response.status_code == status
    assert {"code", "detail"} <= set(response.json())


def test_experts_of_another_county_do_not_exist_for_the_api(consult_world, api):
    w = consult_world
    response = api(w.duty_officer_a).post(
        API,
        {"topic": "x", "held_at": "2026-07-10T09:00:00+08:00", "experts": [w.expert_b.pk]},
        format="json",
    )
    assert response.status_code == 404
    assert {"code", "detail"} <= set(response.json())
    # The city's experts are of the area's database (above it), but a city meeting's
    # departments must be of the city: a county B department is refused by the service.
    response = api(w.admin_city).post(
        API,
        {
            "topic": "x",
            "held_at": "2026-07-10T09:00:00+08:00",
            "incident": w.incident_a.pk,
            "departments": [w.water_b.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "阳谷县水利局" in str(response.json())


def test_the_list_takes_the_same_queries_however_many(
    consult_world, api, django_assert_max_num_queries
):
    w = consult_world
    client = api(w.duty_officer_a)
    meeting(w)
    client.get(API)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(API).status_code == 200
    for i in range(5):
        meeting(w, topic=f"会商{i}")
    with CaptureQueriesContext(connection) as six:
        assert len(client.get(API).json()["results"]) == 6
    assert len(six) == len(one)
