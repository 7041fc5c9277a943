"""Incident pages (SPEC §3): the permission matrix, recording and editing through forms with
inline errors, closing, the list's order and filters and constant query count, and the
incident timeline read from the event log in sequence order."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from command.choices import IncidentStatus
from command.models import Incident
from core.models import Event
from dispatch import services as dispatch_services
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def incident_data(w, **changes):
    data = {
        "title": "松林镇化工仓库起火",
        "received_at": "2026-07-15T09:30",
        "source": "119",
        "incident_type": w.fire_type.pk,
        "level": "iii",
        "jurisdiction": w.town_a.pk,
        "address": "松林镇工业园3号",
        "latitude": "36.850000",
        "longitude": "115.690000",
        "area_type": "rural",
        "deaths": "0",
        "injuries": "2",
        "missing": "1",
        "description": "仓库内存有少量危化品",
    }
    data.update(changes)
    return data


def html(response) -> str:
    return response.content.decode()


# --- permission matrix ------------------------------------------------------------------------


def urls(w):
    pk = w.incident_a.pk
    return {
        "list": "/command/incidents/",
        "create": "/command/incidents/new/",
        "detail": f"/command/incidents/{pk}/",
        "edit": f"/command/incidents/{pk}/edit/",
    }


def test_anonymous_is_sent_to_login(incident_world, client):
    for url in urls(incident_world).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = client.post(f"/command/incidents/{incident_world.incident_a.pk}/close/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("persona", "forbidden"),
    [
        ("force_account_a", ["list", "create", "detail", "edit"]),
        ("editor_a", ["list", "create", "detail", "edit"]),
        ("screen_a", ["create", "edit"]),
        ("approver_a", ["create", "edit"]),
    ],
)
def test_wrong_role_gets_403(incident_world, as_user, persona, forbidden):
    w = incident_world
    client = as_user(getattr(w, persona))
    for name in forbidden:
        assert client.get(urls(w)[name]).status_code == 403, name
    assert client.post(f"/command/incidents/{w.incident_a.pk}/close/").status_code == 403


def test_other_jurisdiction_gets_404(incident_world, as_user):
    w = incident_world
    for persona in ("duty_officer_b", "dispatcher_b"):
        client = as_user(getattr(w, persona))
        assert client.get(urls(w)["detail"]).status_code == 404
        assert client.get(urls(w)["edit"]).status_code == 404
        assert client.post(f"/command/incidents/{w.incident_a.pk}/close/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("duty_officer_a", ["list", "create", "detail", "edit"]),
        ("dispatcher_a", ["list", "create", "detail", "edit"]),
        ("admin_a", ["list", "create", "detail", "edit"]),
        ("approver_a", ["list", "detail"]),
        ("screen_a", ["list", "detail"]),
        ("approver_city", ["list", "detail"]),
    ],
)
def test_right_role_gets_200(incident_world, as_user, persona, allowed):
    w = incident_world
    client = as_user(getattr(w, persona))
    for name in allowed:
        assert client.get(urls(w)[name]).status_code == 200, name


def test_navbar_shows_the_chain_to_roles_that_use_it(incident_world, as_user):
    w = incident_world
    page = html(as_user(w.approver_a).get("/"))
    for url in ("/command/incidents/", "/dispatch/plans/", "/dispatch/orders/"):
        assert f'href="{url}"' in page
    page = html(as_user(w.force_account_a).get("/"))
    assert 'href="/dispatch/orders/"' in page
    assert 'href="/command/incidents/"' not in page and 'href="/dispatch/plans/"' not in page


# --- forms --------------------------------------------------------------------------------------


def test_duty_officer_records_an_incident(incident_world, as_user):
    w = incident_world
    client = as_user(w.duty_officer_a)
    page = html(client.get("/command/incidents/new/"))
    assert 'type="datetime-local"' in page
    # Only the user's jurisdiction and below are offered.
    assert f'value="{w.town_a.pk}"' in page and f'value="{w.county_b.pk}"' not in page
    response = client.post("/command/incidents/new/", incident_data(w))
    assert response.status_code == 302
    incident = Incident.objects.get(title="松林镇化工仓库起火")
    assert response["Location"] == f"/command/incidents/{incident.pk}/"
    assert incident.reported_by == w.duty_officer_a and incident.jurisdiction == w.town_a
    assert (incident.injuries, incident.missing, incident.area_type) == (2, 1, "rural")
    assert incident.received_at.hour == 1  # 09:30 Beijing time is 01:30 UTC
    assert Event.objects.filter(
        type="incident.created", subject_type="command.incident", subject_id=str(incident.pk)
    ).exists()


def test_received_at_defaults_to_now(incident_world, as_user):
    w = incident_world
    client = as_user(w.dispatcher_a)
    response = client.post("/command/incidents/new/", incident_data(w, received_at=""))
    assert response.status_code == 302
    assert Incident.objects.get(title="松林镇化工仓库起火").received_at is not None


def test_invalid_incident_shows_field_errors_with_400(incident_world, as_user):
    w = incident_world
    client = as_user(w.duty_officer_a)
    response = client.post(
        "/command/incidents/new/",
        incident_data(w, title="", latitude="123", jurisdiction=w.county_b.pk),
    )
    assert response.status_code == 400
    page = html(response)
    for field in ("title", "latitude", "jurisdiction"):
        block = re.search(rf'id="field-{field}".*?</div>\s*</div>', page, re.S)
        assert block and "field-error" in block.group(0), field
    assert not Incident.objects.filter(title="").exists()


def test_edit_form_no_longer_changes_the_level_reassess_does(incident_world, as_user):
    w = incident_world
    client = as_user(w.duty_officer_a)
    data = incident_data(w, title=w.incident_a.title, level="ii", jurisdiction=w.county_a.pk)
    page = html(client.get(f"/command/incidents/{w.incident_a.pk}/edit/"))
    assert 'name="level"' not in page and 'id="level-note"' in page
    response = client.post(f"/command/incidents/{w.incident_a.pk}/edit/", data)
    assert response.status_code == 302
    w.incident_a.refresh_from_db()
    assert w.incident_a.level == "iv"
    assert not Event.objects.filter(type="incident.reassessed").exists()
    response = client.post(
        f"/command/incidents/{w.incident_a.pk}/reassess/",
        {"level": "ii", "reason": "水位继续上涨，影响两个乡镇"},
        follow=True,
    )
    w.incident_a.refresh_from_db()
    assert w.incident_a.level == "ii"
    assert "水位继续上涨，影响两个乡镇" in html(response)
    assert Event.objects.filter(type="incident.reassessed").exists()


def test_close_then_edit_is_refused_without_a_500(incident_world, as_user):
    w = incident_world
    client = as_user(w.duty_officer_a)
    response = client.post(f"/command/incidents/{w.incident_a.pk}/close/", follow=True)
    assert response.status_code == 200
    w.incident_a.refresh_from_db()
    assert w.incident_a.status == IncidentStatus.CLOSED
    page = html(response)
    assert 'id="close-incident"' not in page and 'id="draft-plan"' not in page
    response = client.post(f"/command/incidents/{w.incident_a.pk}/close/", follow=True)
    assert "alert-danger" in html(response)
    response = client.post(
        f"/command/incidents/{w.incident_a.pk}/edit/",
        incident_data(w, jurisdiction=w.county_a.pk),
    )
    assert response.status_code == 400 and "alert-danger" in html(response)


# --- list -----------------------------------------------------------------------------------------


def test_list_shows_open_incidents_first_and_filters(incident_world, as_user):
    w = incident_world
    later = f.incident(
        w.duty_officer_a, title="较晚已结束警情", incident_type=w.fire_type, level="i"
    )
    from command import services as command_services

    command_services.close_incident(actor=w.duty_officer_a, incident_id=later.pk)
    client = as_user(w.approver_city)
    page = html(client.get("/command/incidents/"))
    titles = re.findall(r'<a href="/command/incidents/\d+/">([^<]+)</a>', page)
    assert titles[-1] == "较晚已结束警情"
    assert {"卫运河临清段漫堤", "阳谷县城区内涝"} <= set(titles[:2])
    page = html(client.get("/command/incidents/?status=closed"))
    assert re.findall(r'<a href="/command/incidents/\d+/">([^<]+)</a>', page) == ["较晚已结束警情"]
    page = html(client.get(f"/command/incidents/?level=i&incident_type={w.fire_type.pk}"))
    assert "较晚已结束警情" in page and "卫运河临清段漫堤" not in page
    # A county's duty officer sees its own county only; htmx gets the rows alone.
    page = html(as_user(w.duty_officer_b).get("/command/incidents/", HTTP_HX_REQUEST="true"))
    assert "阳谷县城区内涝" in page and "卫运河临清段漫堤" not in page
    assert "<html" not in page


def test_list_query_count_is_constant(incident_world, as_user):
    w = incident_world
    client = as_user(w.approver_city)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/command/incidents/").status_code == 200
        return len(ctx)

    first = count()
    for n in range(4):
        incident = f.incident(w.duty_officer_a, title=f"警情{n}", incident_type=w.fire_type)
        f.plan(w.dispatcher_a, incident, [w.force_a])
    assert count() == first


# --- detail and timeline ---------------------------------------------------------------------


def test_detail_buttons_follow_the_services_predicates(incident_world, as_user):
    w = incident_world
    page = html(as_user(w.dispatcher_a).get(urls(w)["detail"]))
    assert 'id="draft-plan"' in page and 'id="request-reinforcement"' not in page
    page = html(as_user(w.approver_a).get(urls(w)["detail"]))
    assert 'id="draft-plan"' not in page and 'id="request-reinforcement"' in page
    assert 'id="close-incident"' not in page and 'id="reassess"' not in page
    page = html(as_user(w.duty_officer_a).get(urls(w)["detail"]))
    assert 'id="request-reinforcement"' in page and 'id="close-incident"' in page
    # The city's brigade sees the county's incident; the approver of the city may not apply.
    page = html(as_user(w.approver_city).get(urls(w)["detail"]))
    assert 'id="draft-plan"' not in page
    page = html(as_user(w.screen_a).get(urls(w)["detail"]))
    assert 'id="plans"' not in page and 'id="timeline"' in page


def test_timeline_shows_the_chain_in_sequence(incident_world, as_user):
    """SPEC §3 事件日志: every event of the incident, its plans, orders, notices and
    reinforcement requests, in sequence order, with actor and a sentence."""
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    [order] = dispatch_services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    dispatch_services.deliver_order(order_id=order.pk)
    dispatch_services.advance_order(
        actor=w.force_account_a, order_id=order.pk, action="acknowledge"
    )
    dispatch_services.request_reinforcement(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, needs="冲锋舟", reason="不足"
    )
    # Another incident's chain stays out of this timeline.
    f.plan(w.dispatcher_b, w.incident_b, [w.force_b], submit=True)

    client = as_user(w.approver_a)
    with CaptureQueriesContext(connection) as ctx:
        with translation.override("en"):
            page = html(client.get(urls(w)["detail"], HTTP_ACCEPT_LANGUAGE="en"))
    shown = re.findall(r'class="list-group-item small timeline-entry" data-type="([^"]+)"', page)
    assert shown == [
        "incident.created",
        "plan.drafted",
        "plan.submitted",
        "plan.approved",
        "order.issued",
        "order.delivered",
        "notice.delivered",
        "order.acknowledged",
        "reinforcement.requested",
    ]
    seqs = [int(s) for s in re.findall(r'timeline-entry" data-type="[^"]+" data-seq="(\d+)"', page)]
    assert seqs == sorted(seqs)
    assert f"Order {order.number} issued to {w.force_a.name}" in page
    assert f"{w.force_a.name} acknowledged order {order.number}" in page
    assert f"Notice for the record delivered to {w.water_a.name}" in page
    assert str(w.force_account_a) in page and str(w.dispatcher_a) in page
    # The timeline is read with a handful of queries, not one per event.
    event_queries = [q for q in ctx.captured_queries if 'FROM "core_event"' in q["sql"]]
    assert len(event_queries) == 1
