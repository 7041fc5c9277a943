"""The command-hall screen and the duty dashboard (SPEC §3: map of incidents and forces,
live feed, counters that matter now — open incidents, plans awaiting approval, orders
overdue). Who may open them, what each jurisdiction sees, that the counters follow the
dispatch chain (Liaocheng §三.一.2; Zhoushan §三.2 deadlines), and that each read costs a
fixed number of queries."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.choices import JurisdictionLevel as L
from core.choices import OrganisationKind as K
from core.events import record_event
from core.models import Event
from core.roles import Role
from dispatch import services as dispatch
from dispatch.models import DispatchAlert
from dispatch.sentences import event_sentences
from forces.models import Force
from tests import factories as f

pytestmark = pytest.mark.django_db

SCREEN = "/hall/screen/"
DATA = "/hall/screen/data.json"
FEED = "/hall/feed/"
DASHBOARD = "/hall/dashboard/"
PANELS = [f"/hall/dashboard/panel/{name}/" for name in ("incidents", "plans", "orders", "overdue")]
SCREEN_URLS = [SCREEN, DATA, FEED]
DASHBOARD_URLS = [DASHBOARD, *PANELS]
ALL_URLS = SCREEN_URLS + DASHBOARD_URLS


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def locate(*forces):
    """Give forces a base on the map (the personas' forces have no coordinates)."""
    for force in forces:
        Force.objects.filter(pk=force.pk).update(latitude="36.8", longitude="115.7")


def hall_config(html):
    return json.loads(html.split('id="hall-config" type="application/json">')[1].split("<")[0])


def data_of(client):
    response = client.get(DATA)
    assert response.status_code == 200
    return response.json()


# --- who may open what --------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_URLS)
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("url", ALL_URLS)
@pytest.mark.parametrize(
    "persona", ["duty_officer_a", "approver_a", "dispatcher_a", "admin_a", "approver_city"]
)
def test_commanding_roles_open_screen_and_dashboard(as_user, world, persona, url):
    assert as_user(getattr(world, persona)).get(url).status_code == 200


@pytest.mark.parametrize("url", SCREEN_URLS)
def test_screen_account_opens_the_screen(as_user, world, url):
    assert as_user(world.screen_a).get(url).status_code == 200


@pytest.mark.parametrize("url", DASHBOARD_URLS)
def test_screen_account_has_no_dashboard(as_user, world, url):
    assert as_user(world.screen_a).get(url).status_code == 403


@pytest.mark.parametrize("url", ALL_URLS)
@pytest.mark.parametrize("persona", ["force_account_a", "editor_a", "sync_client", "expert"])
def test_other_roles_are_refused(as_user, world, persona, url):
    if persona == "expert":
        world.expert = f.user("expert_a", world.water_a, Role.EXPERT)
    assert as_user(getattr(world, persona)).get(url).status_code == 403


def test_screen_account_lands_on_the_screen(as_user, world):
    response = as_user(world.screen_a).get("/")
    assert response.status_code == 302
    assert response["Location"] == SCREEN


def test_unknown_dashboard_panel_is_404(as_user, world):
    assert as_user(world.duty_officer_a).get("/hall/dashboard/panel/nope/").status_code == 404


# --- what each jurisdiction sees ----------------------------------------------------------


def test_county_user_sees_only_own_county(as_user, incident_world):
    w = incident_world
    locate(w.force_a, w.force_b)
    data = data_of(as_user(w.duty_officer_b))
    assert [i["id"] for i in data["incidents"]] == [w.incident_b.pk]
    assert {x["id"] for x in data["forces"]} == {w.force_b.pk}
    assert data["counters"]["open_incidents"] == 1


def test_city_user_sees_both_counties(as_user, incident_world):
    w = incident_world
    locate(w.force_a, w.force_b)
    data = data_of(as_user(w.screen_city))
    assert {i["id"] for i in data["incidents"]} == {w.incident_a.pk, w.incident_b.pk}
    assert {x["id"] for x in data["forces"]} >= {w.force_a.pk, w.force_b.pk}
    assert data["counters"]["open_incidents"] == 2


def test_incident_rows_carry_map_fields(as_user, incident_world):
    w = incident_world
    row = data_of(as_user(w.screen_a))["incidents"][0]
    assert row["id"] == w.incident_a.pk
    assert row["level"] == "iv" and row["status"] == "open"
    assert row["lat"] == pytest.approx(36.838) and row["lng"] == pytest.approx(115.705)
    assert row["title"] == "卫运河临清段漫堤"


def test_feed_is_scoped_and_in_sequence(as_user, incident_world):
    w = incident_world
    body = as_user(w.duty_officer_b).get(FEED).json()
    subjects = {e["subject_id"] for e in body["events"] if e["type"].startswith("incident.")}
    assert subjects == {str(w.incident_b.pk)}
    seqs = [e["seq"] for e in body["events"]]
    assert seqs == sorted(seqs)
    assert body["last_seq"] == seqs[-1]


def test_feed_after_returns_only_newer_events_with_a_sentence(as_user, incident_world):
    w = incident_world
    client = as_user(w.duty_officer_a)
    last = client.get(FEED).json()["last_seq"]
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    body = client.get(FEED, {"after": last}).json()
    assert [e["type"] for e in body["events"]] == ["plan.drafted", "plan.submitted"]
    event = body["events"][-1]
    assert event["subject_id"] == str(plan.pk)
    assert event["jurisdiction_name"] == "临清市"
    assert event["sentence"] and event["time"]
    assert client.get(FEED, {"after": body["last_seq"]}).json()["events"] == []


def test_the_screen_and_its_feed_speak_the_one_sentence_table(as_user, incident_world):
    """The browser fills live events from the table the page carries; the first paint and
    the feed JSON are filled from the same table on the server (dispatch/sentences.py)."""
    w = incident_world
    client = as_user(w.duty_officer_a)
    last = client.get(FEED).json()["last_seq"]
    f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    html = client.get(SCREEN).content.decode()
    labels = json.loads(html.split('id="hall-labels" type="application/json">')[1].split("<")[0])
    with translation.override("zh-hans"):
        assert labels["sentences"] == event_sentences()
    submitted = client.get(FEED, {"after": last}).json()["events"][-1]
    expected = labels["sentences"]["plan.submitted"].format(subject=submitted["subject_label"])
    assert submitted["sentence"] == expected
    assert f'<span class="feed-sentence">{expected}</span>' in html


def test_feed_leaves_out_registry_noise(as_user, incident_world):
    w = incident_world
    with transaction.atomic():
        record_event(type="force.equipment_added", jurisdiction=w.county_a, subject=w.force_a)
    body = as_user(w.admin_a).get(FEED, {"after": 0, "limit": 200}).json()
    types = {e["type"] for e in body["events"]}
    assert "incident.created" in types and "force.created" in types
    assert "force.equipment_added" not in types


def test_feed_limit_is_capped_and_bad_input_is_400(as_user, incident_world):
    client = as_user(incident_world.admin_a)
    assert len(client.get(FEED, {"after": 0, "limit": 1}).json()["events"]) == 1
    assert client.get(FEED, {"after": "x"}).status_code == 400


# --- counters follow the chain ------------------------------------------------------------


def test_plans_awaiting_counter_follows_submit_and_approve(as_user, incident_world):
    w = incident_world
    client = as_user(w.screen_a)
    assert data_of(client)["counters"]["plans_awaiting"] == 0
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_power_a])
    assert data_of(client)["counters"]["plans_awaiting"] == 0  # a draft waits for nobody
    dispatch.submit_plan(actor=w.dispatcher_a, plan_id=plan.pk)
    assert data_of(client)["counters"]["plans_awaiting"] == 1
    dispatch.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    data = data_of(client)
    assert data["counters"]["plans_awaiting"] == 0
    assert data["counters"]["orders_active"] == 2
    assert data["orders_by_status"]["issued"] == 2
    assert data["counters"]["orders_overdue"] == 0
    assert data["counters"]["forces_deployed"] == 2
    assert data["forces_by_status"]["deployed"] == 2
    assert data["seq"] == Event.objects.latest("seq").seq


def test_county_b_does_not_count_county_a_plans(as_user, incident_world):
    w = incident_world
    f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    assert data_of(as_user(w.duty_officer_b))["counters"]["plans_awaiting"] == 0
    assert data_of(as_user(w.screen_city))["counters"]["plans_awaiting"] == 1


def _approved(w):
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_power_a], submit=True)
    return dispatch.approve_plan(actor=w.approver_a, plan_id=plan.pk)


def test_orders_overdue_counts_passed_deadlines_before_and_after_the_sweep(as_user, incident_world):
    """Zhoushan §三.2: an order not acknowledged in time is overdue at once on the screen,
    whether or not the periodic sweep has raised its alert yet."""
    w = incident_world
    orders = _approved(w)
    client = as_user(w.screen_a)
    later = timezone.now() + timedelta(minutes=10)  # ack deadline is 5 min
    with time_machine.travel(later, tick=False):
        assert data_of(client)["counters"]["orders_overdue"] == 2
        dispatch.mark_overdue()
        assert DispatchAlert.objects.filter(resolved_at__isnull=True).count() == 2
        assert data_of(client)["counters"]["orders_overdue"] == 2
        dispatch.acknowledge_order(actor=w.force_account_a, order_id=orders[0].pk)
        data = data_of(client)
        assert data["counters"]["orders_overdue"] == 1
        assert data["orders_by_status"]["acknowledged"] == 1
        assert data["orders_by_status"]["issued"] == 1


def test_overdue_panel_names_the_late_step(as_user, incident_world):
    w = incident_world
    orders = _approved(w)
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        dispatch.mark_overdue()
        html = as_user(w.duty_officer_a).get(PANELS[3]).content.decode()
    assert html.count('class="overdue-row') == 2
    assert orders[0].number in html


def test_unresolved_alert_counts_even_when_deadline_fields_say_nothing(as_user, incident_world):
    w = incident_world
    order = _approved(w)[0]
    DispatchAlert.objects.create(
        order=order,
        kind="result_overdue",
        raised_at=timezone.now(),
        deadline=timezone.now(),
    )
    assert data_of(as_user(w.screen_a))["counters"]["orders_overdue"] == 1


# --- dashboard ----------------------------------------------------------------------------


def test_approver_sees_the_plans_they_can_approve(as_user, incident_world):
    w = incident_world
    plan_a = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    plan_b = f.plan(w.dispatcher_b, w.incident_b, [w.force_b], submit=True)
    html_a = as_user(w.approver_a).get(PANELS[1]).content.decode()
    assert f'data-id="{plan_a.pk}"' in html_a and f'data-id="{plan_b.pk}"' not in html_a
    # The city approver sees both counties but approves neither county's plans.
    html_city = as_user(w.approver_city).get(PANELS[1]).content.decode()
    assert 'class="plan-row' not in html_city
    # A city duty officer watches everything that waits.
    w.duty_city = f.user("duty_city", w.city_bureau, Role.DUTY_OFFICER)
    html_duty = as_user(w.duty_city).get(PANELS[1]).content.decode()
    assert f'data-id="{plan_a.pk}"' in html_duty and f'data-id="{plan_b.pk}"' in html_duty


def test_dashboard_panels_refetch_on_live_events(as_user, incident_world):
    user = incident_world.duty_officer_a
    html = as_user(user).get(DASHBOARD).content.decode()
    # incl. roll calls, duty gaps, report deadlines, graded response, and the bell
    assert html.count("linkage:event from:document") == 9
    assert 'id="live-status"' in html
    assert f'data-live-seq="{Event.objects.visible_to(user).latest("seq").seq}"' in html


def test_panel_is_a_fragment(as_user, incident_world):
    html = as_user(incident_world.duty_officer_a).get(PANELS[0]).content.decode()
    assert "<html" not in html and "卫运河临清段漫堤" in html


# --- the screen page ----------------------------------------------------------------------


def test_screen_renders_last_events_and_resumes_from_last_seq(as_user, incident_world):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    html = as_user(w.screen_a).get(SCREEN).content.decode()
    last = Event.objects.visible_to(w.screen_a).latest("seq").seq
    assert f'data-live-seq="{last}"' in html
    assert 'id="live-status"' in html and "data-text-catching-up" in html
    first_line = html.index('class="feed-line"')
    assert 'data-type="plan.submitted"' in html[first_line : first_line + 200]
    assert str(plan.pk) in html
    config = hall_config(html)
    assert config["outlineUrl"].endswith("/geo/371581.geojson")
    assert config["tileUrl"] == ""


def test_screen_uses_tiles_when_configured(as_user, world, settings):
    settings.MAP_TILE_URL = "https://t0.example.cn/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "天地图"
    config = hall_config(as_user(world.screen_a).get(SCREEN).content.decode())
    assert config["tileUrl"] == "https://t0.example.cn/{z}/{x}/{y}.png"
    assert config["tileAttribution"] == "天地图"


def test_township_screen_falls_back_to_its_county_outline(as_user, world):
    town_office = f.organisation("松林镇人民政府", K.GOVERNMENT_OFFICE, world.town_a)
    screen = f.user("screen_town", town_office, Role.SCREEN)
    config = hall_config(as_user(screen).get(SCREEN).content.decode())
    assert config["outlineUrl"] == "/static/geo/371581.geojson"


def test_province_screen_has_no_outline_and_still_renders(as_user, world):
    office = f.organisation("山东省应急管理厅", K.EMERGENCY_BUREAU, world.province)
    screen = f.user("screen_province", office, Role.SCREEN)
    config = hall_config(as_user(screen).get(SCREEN).content.decode())
    assert config["outlineUrl"] == ""


# --- query counts -------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(w, n):
    """n more incidents in county A, each with an approved plan (orders) and a draft."""
    for i in range(n):
        incident = f.incident(w.duty_officer_a, jurisdiction=w.county_a, title=f"警情{i}")
        force = f.force(w.editor_a, w.water_a, latitude="36.8", longitude="115.7")
        plan = f.plan(w.dispatcher_a, incident, [force], submit=True)
        dispatch.approve_plan(actor=w.approver_a, plan_id=plan.pk)
        f.plan(w.dispatcher_a, incident, [w.force_power_a], submit=True)


@pytest.mark.parametrize("url", ALL_URLS)
def test_query_count_is_constant(as_user, incident_world, url):
    w = incident_world
    client = as_user(w.duty_officer_a)
    _grow(w, 1)
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        first = _queries(client, url)
        _grow(w, 4)
        dispatch.mark_overdue()
        assert _queries(client, url) == first


# --- outlines -----------------------------------------------------------------------------

GEO = Path(settings.BASE_DIR) / "static" / "geo"
COUNTIES = ("371502", "371503", "371521", "371522", "371524", "371525", "371526", "371581")


def _inside(ring, x, y):
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_outlines_are_closed_polygons_around_their_seats():
    seats = {
        row["fields"]["code"]: (float(row["fields"]["longitude"]), float(row["fields"]["latitude"]))
        for row in json.loads((Path(settings.BASE_DIR) / "fixtures" / "divisions.json").read_text())
        if row["fields"]["level"] in (L.CITY, L.COUNTY)
    }
    city = json.loads((GEO / "371500.geojson").read_text())
    assert city["type"] == "FeatureCollection"
    city_ring = city["features"][0]["geometry"]["coordinates"][0]
    assert city["features"][0]["properties"]["code"] == "371500"
    for code in COUNTIES:
        collection = json.loads((GEO / f"{code}.geojson").read_text())
        (feature,) = collection["features"]
        ring = feature["geometry"]["coordinates"][0]
        assert feature["properties"]["code"] == code
        assert ring[0] == ring[-1] and 10 <= len(ring) - 1 <= 30
        assert _inside(ring, *seats[code])
        assert all(_inside(city_ring, x, y) or _on_edge(city_ring, x, y) for x, y in ring)


def _on_edge(ring, x, y, eps=2e-4):
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        dx, dy = x2 - x1, y2 - y1
        t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
        if abs(x - x1 - t * dx) < eps and abs(y - y1 - t * dy) < eps:
            return True
    return False
