"""What only the pages offered before issue 11, now over the API too: force suggestions for
an incident (the plan page's ranking), special periods declared and ended by the bureau
(with events, and the approval rule picking them up), notices marked read, and
``updated_at`` on plans, orders and notices."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Event
from dispatch import services
from dispatch.choices import PlanStatus, SpecialPeriodKind
from dispatch.events import DispatchEvent
from dispatch.exceptions import ConsentMissing
from dispatch.models import CallOutOrder, CallOutPlan, Notice, SpecialPeriod
from forces.models import Formation, FormationRequirement
from tests import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1/dispatch/"
SUGGESTIONS = f"{BASE}suggestions/"
PERIODS = f"{BASE}special-periods/"
NOTICES = f"{BASE}notices/"
BEIJING = ZoneInfo("Asia/Shanghai")
# A Tuesday in spring: no flood season.
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=BEIJING)
INCIDENT_LAT, INCIDENT_LON = 36.838, 115.705


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def place(force, lat, lon):
    force.latitude, force.longitude = Decimal(str(lat)), Decimal(str(lon))
    force.save(update_fields=["latitude", "longitude"])
    return force


@pytest.fixture
def ranked_world(incident_world):
    """Forces of county A at several distances, one of the flood formation."""
    w = incident_world
    w.general = f.specialty("general", "综合")
    formation = Formation.objects.create(disaster_type="flood", name="洪涝灾害调度编成")
    FormationRequirement.objects.create(formation=formation, specialty=w.flood, is_core=True)
    place(w.force_a, INCIDENT_LAT, INCIDENT_LON + 0.1)
    w.near = place(
        f.force(
            w.editor_power_a,
            w.power_a,
            name="临清综合应急队",
            specialties=[w.general],
            leader_phone="13912345678",
        ),
        INCIDENT_LAT,
        INCIDENT_LON + 0.01,
    )
    w.far = place(
        f.force(w.editor_power_a, w.power_a, name="临清远郊救援队"),
        INCIDENT_LAT + 0.3,
        INCIDENT_LON,
    )
    return w


def get_suggestions(api, user, **params):
    return api(user).get(SUGGESTIONS, params)


# --- force suggestions ---------------------------------------------------------------------


def test_suggestions_are_the_plan_pages_ranking(ranked_world, api):
    """The API and the plan form rank the same forces in the same order (one ranking)."""
    w = ranked_world
    page = Client()
    page.force_login(w.dispatcher_a)
    html = page.get(f"/dispatch/incidents/{w.incident_a.pk}/plans/new/").content.decode()
    on_page = [
        int(pk)
        for pk in re.findall(r'class="list-group-item suggestion" data-force-id="(\d+)"', html)
    ]
    response = get_suggestions(api, w.dispatcher_a, incident=w.incident_a.pk)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [row["force"] for row in body["suggestions"]] == on_page
    assert on_page[0] == w.force_a.pk and len(on_page) == 4
    assert (body["incident"], body["level"], body["level_name"]) == (
        w.incident_a.pk,
        "371581",
        "临清市",
    )
    assert body["reinforcement"] is None
    first = body["suggestions"][0]
    assert first["rank"] == 1 and first["formation_match"] == "core"
    assert first["matched_specialties"] == ["防汛抢险"]
    assert first["distance_km"] == pytest.approx(8.9, abs=0.1)
    # 1.3 × 8.9 km at 40 km/h ≈ 17.4 min + 10 min turn-out (tier 2).
    assert first["eta_minutes"] == 28 and first["meets_deadline"] is True
    assert first["reasons"] and first["linkage_tier"] == 2
    unplaced = next(r for r in body["suggestions"] if r["force"] == w.force_power_a.pk)
    assert unplaced["distance_km"] is None and unplaced["eta_minutes"] is None
    assert unplaced["meets_deadline"] is None and unplaced["formation_match"] is None


def test_suggestion_limit_cuts_the_same_ranking(ranked_world, api):
    w = ranked_world
    full = get_suggestions(api, w.duty_officer_a, incident=w.incident_a.pk).json()
    two = get_suggestions(api, w.duty_officer_a, incident=w.incident_a.pk, limit=2).json()
    assert [r["force"] for r in two["suggestions"]] == [r["force"] for r in full["suggestions"][:2]]


def test_leader_phones_are_masked_except_for_the_owner_and_administrators(ranked_world, api):
    w = ranked_world

    def phone(user):
        body = get_suggestions(api, user, incident=w.incident_a.pk).json()
        return next(r for r in body["suggestions"] if r["force"] == w.near.pk)["leader_phone"]

    assert phone(w.dispatcher_a) == "139****5678"
    assert phone(w.sync_client) == "139****5678"
    assert phone(w.admin_a) == "13912345678"


def test_a_city_reader_asks_for_a_county_level_and_sees_its_forces_only(ranked_world, api):
    w = ranked_world
    body = get_suggestions(api, w.sync_client, incident=w.incident_a.pk, level="371581").json()
    assert body["level"] == "371581"
    assert w.force_b.pk not in {r["force"] for r in body["suggestions"]}
    body = get_suggestions(api, w.sync_client, incident=w.incident_a.pk).json()
    assert body["level"] == "371500"
    assert w.force_b.pk in {r["force"] for r in body["suggestions"]}


def test_reinforcement_suggestions_leave_out_the_requesting_county(ranked_world, api):
    w = ranked_world
    request = services.request_reinforcement(
        actor=w.approver_a, incident_id=w.incident_a.pk, needs="冲锋舟", reason="力量不足"
    )
    services.decide_reinforcement(actor=w.approver_city, request_id=request.pk, approve=True)
    response = get_suggestions(
        api, w.dispatcher_city, incident=w.incident_a.pk, reinforcement=request.pk
    )
    body = response.json()
    assert body["level"] == "371500" and body["reinforcement"] == request.pk
    assert [r["force"] for r in body["suggestions"]] == [w.force_b.pk]
    # The county cannot rank the city's forces, even through its own request.
    refused = get_suggestions(
        api, w.dispatcher_a, incident=w.incident_a.pk, reinforcement=request.pk
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("persona", ["screen_a", "force_account_a", "editor_a"])
def test_roles_outside_the_dispatch_chain_get_403_for_suggestions(ranked_world, api, persona):
    response = get_suggestions(api, getattr(ranked_world, persona), incident=1)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_suggestions_for_an_incident_of_another_county_are_404(ranked_world, api):
    w = ranked_world
    response = get_suggestions(api, w.dispatcher_b, incident=w.incident_a.pk)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert get_suggestions(api, w.dispatcher_a, incident=999999).status_code == 404


def test_a_county_cannot_ask_for_the_city_level(ranked_world, api):
    w = ranked_world
    response = get_suggestions(api, w.dispatcher_a, incident=w.incident_a.pk, level="371500")
    assert response.status_code == 403


def test_anonymous_gets_401_for_suggestions(ranked_world, api):
    assert api().get(SUGGESTIONS, {"incident": ranked_world.incident_a.pk}).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "incident"),
        ({"incident": "abc"}, "incident"),
        ({"incident": 0}, "incident"),
        ({"limit": 0}, "limit"),
        ({"limit": 51}, "limit"),
        ({"reinforcement": -1}, "reinforcement"),
    ],
)
def test_bad_suggestion_parameters_are_400_with_field_errors(ranked_world, api, params, field):
    w = ranked_world
    query = (
        params if "incident" in params or not params else {"incident": w.incident_a.pk, **params}
    )
    response = get_suggestions(api, w.dispatcher_a, **query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert field in body["errors"]


def test_a_level_that_names_no_jurisdiction_is_not_found(ranked_world, api):
    w = ranked_world
    response = get_suggestions(api, w.dispatcher_a, incident=w.incident_a.pk, level="999999")
    assert response.status_code == 404
    assert "level" in response.json()["errors"]


def test_suggestions_cost_a_constant_number_of_queries(ranked_world, api):
    w = ranked_world
    client = api(w.dispatcher_a)
    client.get(SUGGESTIONS, {"incident": w.incident_a.pk})  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        client.get(SUGGESTIONS, {"incident": w.incident_a.pk})
    for i in range(5):
        place(f.force(w.editor_power_a, w.power_a, name=f"临清增编队{i}"), INCIDENT_LAT, 115.8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(SUGGESTIONS, {"incident": w.incident_a.pk})
    assert len(response.json()["suggestions"]) == 9
    assert len(many) == len(few)


# --- special periods -------------------------------------------------------------------------


def declare(api, user, **extra):
    body = {
        "kind": SpecialPeriodKind.SENSITIVE,
        "name": "全国两会安保期",
        "starts_on": "2026-03-04",
        "ends_on": "2026-03-15",
        **extra,
    }
    return api(user).post(PERIODS, body, format="json")


def period_events(period, event_type):
    return list(
        Event.objects.filter(
            type=event_type, subject_type="dispatch.specialperiod", subject_id=str(period.pk)
        )
    )


@pytest.mark.parametrize("persona", ["approver_a", "duty_officer_a"])
def test_the_bureau_declares_a_sensitive_period_and_an_event_is_recorded(
    incident_world, api, at_now, persona
):
    w = incident_world
    user = getattr(w, persona)
    response = declare(api, user)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "sensitive" and body["jurisdiction"] == "371581"
    assert (body["starts_on"], body["ends_on"]) == ("2026-03-04", "2026-03-15")
    assert body["recurs_yearly"] is False and body["declared_by_name"] == str(user)
    period = SpecialPeriod.objects.get(pk=body["id"])
    assert period.declared_by == user and period.jurisdiction == w.county_a
    (event,) = period_events(period, DispatchEvent.SPECIAL_PERIOD_DECLARED)
    assert event.actor == user and event.jurisdiction == w.county_a
    assert event.payload["kind"] == "sensitive" and event.payload["ends_on"] == "2026-03-15"
    assert services.active_special_periods(w.county_a, date(2026, 3, 10)) == [period]
    assert services.active_special_periods(w.town_a, date(2026, 3, 10)) == [period]
    assert services.active_special_periods(w.county_b, date(2026, 3, 10)) == []


@pytest.mark.parametrize(
    "persona", ["dispatcher_a", "admin_a", "sync_client", "editor_a", "screen_a", "force_account_a"]
)
def test_roles_other_than_the_bureau_cannot_declare(incident_world, api, at_now, persona):
    response = declare(api, getattr(incident_world, persona))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not SpecialPeriod.objects.exists()
    assert not Event.objects.filter(type=DispatchEvent.SPECIAL_PERIOD_DECLARED).exists()


def test_the_city_bureau_declares_for_the_city_and_its_counties(incident_world, api, at_now):
    w = incident_world
    response = declare(api, w.approver_city, name="聊城市防汛紧急期")
    assert response.status_code == 201
    assert response.json()["jurisdiction"] == "371500"
    assert services.active_special_periods(w.county_b, date(2026, 3, 10))


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"ends_on": "2026-03-01"}, "ends_on"),  # before it starts
        ({"starts_on": "2026-02-01", "ends_on": "2026-03-09"}, "ends_on"),  # already over
        ({"ends_on": "2027-03-15"}, "ends_on"),  # longer than a year
        ({"kind": "holiday"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "期" * 101}, "name"),
        ({"starts_on": "1343-03-04"}, "starts_on"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
    ],
)
def test_invalid_declarations_are_400_with_field_errors(incident_world, api, at_now, extra, field):
    response = declare(api, incident_world.approver_a, **extra)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert field in body["errors"], body
    assert not SpecialPeriod.objects.exists()


def test_an_overlapping_declaration_of_the_same_kind_is_refused(incident_world, api, at_now):
    w = incident_world
    assert declare(api, w.approver_a).status_code == 201
    response = declare(api, w.duty_officer_a, starts_on="2026-03-15", ends_on="2026-03-20")
    assert response.status_code == 409
    assert response.json()["code"] == "period_overlaps"
    assert "全国两会安保期" in response.json()["detail"]
    # The next day on, another kind, or another county: all fine.
    assert (
        declare(api, w.approver_a, starts_on="2026-03-16", ends_on="2026-03-20").status_code == 201
    )
    assert declare(api, w.approver_a, kind="flood_season", name="临清市防汛期").status_code == 201
    assert declare(api, w.approver_b).status_code == 201
    assert SpecialPeriod.objects.count() == 4


def test_a_declared_flood_season_overlapping_the_recurring_one_is_refused(
    incident_world, api, at_now
):
    w = incident_world
    SpecialPeriod.objects.create(
        kind=SpecialPeriodKind.FLOOD_SEASON,
        name="临清市汛期",
        jurisdiction=w.county_a,
        starts_on=date(2020, 6, 1),
        ends_on=date(2020, 9, 30),
        recurs_yearly=True,
    )
    refused = declare(
        api, w.approver_a, kind="flood_season", starts_on="2026-09-20", ends_on="2026-10-10"
    )
    assert refused.status_code == 409
    extended = declare(
        api, w.approver_a, kind="flood_season", starts_on="2026-10-01", ends_on="2026-10-10"
    )
    assert extended.status_code == 201


def test_ending_a_period_in_force_makes_today_its_last_day(incident_world, api, at_now):
    w = incident_world
    period_id = declare(api, w.approver_a).json()["id"]
    response = api(w.duty_officer_a).post(f"{PERIODS}{period_id}/end/")
    assert response.status_code == 200, response.json()
    assert response.json()["ends_on"] == "2026-03-10"
    period = SpecialPeriod.objects.get(pk=period_id)
    assert period.ends_on == date(2026, 3, 10)
    (event,) = period_events(period, DispatchEvent.SPECIAL_PERIOD_ENDED)
    assert event.actor == w.duty_officer_a and event.payload["withdrawn"] is False
    assert not services.active_special_periods(w.county_a, date(2026, 3, 11))
    # Ending again is refused and records nothing.
    again = api(w.approver_a).post(f"{PERIODS}{period_id}/end/")
    assert again.status_code == 409 and again.json()["code"] == "already_ended"
    assert len(period_events(period, DispatchEvent.SPECIAL_PERIOD_ENDED)) == 1


def test_ending_a_period_that_has_not_begun_withdraws_it(incident_world, api, at_now):
    w = incident_world
    period_id = declare(api, w.approver_a, starts_on="2026-04-01", ends_on="2026-04-07").json()[
        "id"
    ]
    response = api(w.approver_a).post(f"{PERIODS}{period_id}/end/")
    assert response.status_code == 204
    assert not SpecialPeriod.objects.filter(pk=period_id).exists()
    (event,) = Event.objects.filter(type=DispatchEvent.SPECIAL_PERIOD_ENDED)
    assert event.subject_id == str(period_id) and event.payload["withdrawn"] is True


def test_who_may_end_a_period(incident_world, api, at_now):
    w = incident_world
    period_id = declare(api, w.approver_a).json()["id"]
    end = f"{PERIODS}{period_id}/end/"
    # Another county does not see it; readers of the county and the city bureau are not
    # the county's bureau.
    assert api(w.approver_b).post(end).status_code == 404
    assert api(w.dispatcher_a).post(end).status_code == 403
    assert api(w.approver_city).post(end).status_code == 403
    assert api(w.screen_a).post(end).status_code == 403
    assert api(w.approver_a).post(f"{PERIODS}999999/end/").status_code == 404
    assert SpecialPeriod.objects.get(pk=period_id).ends_on == date(2026, 3, 15)


def test_the_recurring_flood_season_is_not_ended_here(incident_world, api, at_now):
    w = incident_world
    season = SpecialPeriod.objects.create(
        kind=SpecialPeriodKind.FLOOD_SEASON,
        name="临清市汛期",
        jurisdiction=w.county_a,
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
        recurs_yearly=True,
    )
    response = api(w.approver_a).post(f"{PERIODS}{season.pk}/end/")
    assert response.status_code == 409 and response.json()["code"] == "recurring"


def test_special_period_events_reach_the_dispatch_readers_and_the_hall(incident_world, api, at_now):
    from core import visibility

    w = incident_world
    declare(api, w.approver_a)
    event = Event.objects.get(type=DispatchEvent.SPECIAL_PERIOD_DECLARED)
    readers = [
        p
        for p in ("duty_officer_a", "dispatcher_a", "approver_a", "admin_a", "screen_a")
        if Event.objects.filter(visibility.event_filter(getattr(w, p)), pk=event.pk).exists()
    ]
    assert readers == ["duty_officer_a", "dispatcher_a", "approver_a", "admin_a", "screen_a"]
    for persona in ("editor_a", "force_account_a", "approver_b"):
        user = getattr(w, persona)
        assert not Event.objects.filter(visibility.event_filter(user), pk=event.pk).exists()


def test_a_plan_approved_in_a_declared_sensitive_period_needs_the_departments_consent(
    incident_world, api, at_now
):
    """Liaocheng §三.一.2: 汛期等特殊时期 — a sensitive period declared by the bureau binds
    approval like the flood season does, and ending it lifts the rule the next day."""
    w = incident_world
    period_id = declare(api, w.approver_a).json()["id"]
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_power_a], submit=True)
    assert plan.in_special_period
    with pytest.raises(ConsentMissing) as exc:
        services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    assert sorted(exc.value.errors["departments"]) == sorted([w.water_a.pk, w.power_a.pk])
    refused = api(w.approver_a).post(f"{BASE}plans/{plan.pk}/approve/")
    assert refused.status_code == 409 and refused.json()["code"] == "consent_missing"
    assert not CallOutOrder.objects.exists()

    api(w.approver_a).post(f"{PERIODS}{period_id}/end/")
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        orders = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    plan.refresh_from_db()
    assert len(orders) == 2 and plan.status == PlanStatus.APPROVED
    assert not plan.in_special_period


# --- notices marked read ---------------------------------------------------------------------


@pytest.fixture
def notice(incident_world, django_capture_on_commit_callbacks):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    return Notice.objects.get(order__plan=plan)


def test_the_department_marks_its_notice_read_once(incident_world, api, notice):
    w = incident_world
    url = f"{NOTICES}{notice.pk}/read/"
    first = api(w.editor_a).post(url)
    assert first.status_code == 200, first.json()
    body = first.json()
    assert body["id"] == notice.pk and body["read_at"] and body["read_via"] == "web"
    assert body["read_label"]
    again = api(w.editor_a).post(url)
    assert again.status_code == 200
    assert again.json()["read_at"] == body["read_at"]
    reads = Event.objects.filter(
        type=DispatchEvent.NOTICE_READ, subject_type="dispatch.notice", subject_id=str(notice.pk)
    )
    assert reads.count() == 1 and reads.get().actor == w.editor_a


def test_only_the_notified_department_marks_a_notice_read(incident_world, api, notice):
    w = incident_world
    url = f"{NOTICES}{notice.pk}/read/"
    # The bureau sees the notice but does not sign for the department: 403.
    assert api(w.approver_a).post(url).status_code == 403
    assert api(w.dispatcher_a).post(url).status_code == 403
    # The department's force account does not speak for it either.
    assert api(w.force_account_a).post(url).status_code == 403
    # Another county's department does not see it: 404.
    assert api(w.editor_b).post(url).status_code == 404
    assert api(w.editor_a).post(f"{NOTICES}999999/read/").status_code == 404
    assert api().post(url).status_code == 401
    notice.refresh_from_db()
    assert notice.read_at is None
    assert not Event.objects.filter(type=DispatchEvent.NOTICE_READ).exists()


# --- updated_at ------------------------------------------------------------------------------


def test_updated_at_moves_with_each_change_of_plans_orders_and_notices(incident_world, api, notice):
    w = incident_world
    plan = CallOutPlan.objects.get(pk=notice.order.plan_id)
    order = notice.order
    before = {
        "plan": api(w.approver_a).get(f"{BASE}plans/{plan.pk}/").json()["updated_at"],
        "order": api(w.approver_a).get(f"{BASE}orders/{order.pk}/").json()["updated_at"],
        "notice": api(w.approver_a).get(f"{NOTICES}{notice.pk}/").json()["updated_at"],
    }
    assert all(before.values())
    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        services.advance_order(actor=w.force_account_a, order_id=order.pk, action="acknowledge")
        services.read_notice(actor=w.editor_a, notice_id=notice.pk)
    order.refresh_from_db()
    notice.refresh_from_db()
    assert order.updated_at == later and notice.updated_at == later
    after = api(w.approver_a).get(f"{BASE}orders/{order.pk}/").json()["updated_at"]
    assert after != before["order"]
    # A plan changes when a department's consent is recorded on it.
    draft = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    stamped = draft.updated_at
    with time_machine.travel(later + timedelta(minutes=1), tick=False):
        services.record_consent(actor=w.editor_a, plan_id=draft.pk, organisation_id=w.water_a.pk)
    draft.refresh_from_db()
    assert draft.updated_at > stamped


def test_updated_at_cannot_be_written_through_the_api(incident_world, api):
    """Exposed read-only: a PATCH of a plan cannot set it."""
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    stamped = CallOutPlan.objects.get(pk=plan.pk).updated_at
    response = api(w.dispatcher_a).patch(
        f"{BASE}plans/{plan.pk}/", {"updated_at": "2030-01-01T00:00:00+08:00"}, format="json"
    )
    assert response.status_code == 200
    assert CallOutPlan.objects.get(pk=plan.pk).updated_at >= stamped
    assert not response.json()["updated_at"].startswith("2030")


def test_lists_are_ordered_by_updated_at_on_request(incident_world, api, notice):
    w = incident_world
    first = f.plan(w.dispatcher_a, w.incident_a, [w.force_power_a])
    second = f.plan(w.dispatcher_a, w.incident_a, [w.force_power_a])
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        services.update_plan(
            actor=w.dispatcher_a,
            plan_id=first.pk,
            task="改派",
            reason=first.reason,
            lines=[services.LineInput(force_id=w.force_power_a.pk, people=4)],
        )
    client = api(w.approver_a)
    for endpoint in ("plans", "orders", "notices"):
        assert client.get(f"{BASE}{endpoint}/", {"ordering": "-updated_at"}).status_code == 200
    default = [r["id"] for r in client.get(f"{BASE}plans/").json()["results"]]
    assert default[:2] == [second.pk, first.pk]
    rows = client.get(f"{BASE}plans/", {"ordering": "-updated_at"}).json()["results"]
    assert [r["id"] for r in rows][:2] == [first.pk, second.pk]
