"""Dispatch-chain API: permission matrix per endpoint (anonymous 401, wrong role 403,
other jurisdiction 404, right role 2xx), transitions' 409 codes, 400 field errors, and
query counts constant in page size for every list."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch import services
from dispatch.choices import SpecialPeriodKind
from dispatch.models import CallOutOrder, CallOutPlan, SpecialPeriod
from tests import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1/dispatch/"
PLANS = f"{BASE}plans/"
ORDERS = f"{BASE}orders/"
NOTICES = f"{BASE}notices/"
REINFORCEMENTS = f"{BASE}reinforcements/"
PERIODS = f"{BASE}special-periods/"
ALERTS = f"{BASE}alerts/"
LISTS = [PLANS, ORDERS, NOTICES, REINFORCEMENTS, PERIODS, ALERTS]
IN_FLOOD_SEASON = datetime(2026, 7, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def url(base, obj, action=""):
    return f"{base}{obj.pk}/{action + '/' if action else ''}"


def submitted(w, forces=None):
    return f.plan(w.dispatcher_a, w.incident_a, forces or [w.force_a], submit=True)


def approved(w, forces=None):
    plan = submitted(w, forces)
    return plan, services.approve_plan(actor=w.approver_a, plan_id=plan.pk)


def draft_body(w, **extra):
    body = {
        "incident": w.incident_a.pk,
        "task": "堤防抢险",
        "reason": "管涌扩大，需专业力量",
        "lines": [
            {"force": w.force_a.pk, "task": "封堵管涌", "people": 12, "equipment": "砂袋"},
            {"force": w.force_power_a.pk, "people": 4},
        ],
    }
    body.update(extra)
    return body


def flood_season(w):
    return SpecialPeriod.objects.create(
        kind=SpecialPeriodKind.FLOOD_SEASON,
        name="聊城市汛期",
        jurisdiction=w.city,
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 9, 30),
        recurs_yearly=True,
    )


def reinforcement_order(w):
    request = services.request_reinforcement(
        actor=w.approver_a, incident_id=w.incident_a.pk, needs="冲锋舟", reason="力量不足"
    )
    services.decide_reinforcement(actor=w.approver_city, request_id=request.pk, approve=True)
    plan = f.plan(
        w.dispatcher_city, w.incident_a, [w.force_b], submit=True, reinforcement_id=request.pk
    )
    (order,) = services.approve_plan(actor=w.approver_city, plan_id=plan.pk)
    return plan, order


# --- permission matrix: reads ------------------------------------------------------------


@pytest.mark.parametrize("endpoint", LISTS)
def test_anonymous_gets_401(incident_world, api, endpoint):
    response = api().get(endpoint)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_anonymous_cannot_transition(incident_world, api):
    plan = submitted(incident_world)
    assert api().post(url(PLANS, plan, "approve")).status_code == 401
    assert api().post(PLANS, draft_body(incident_world), format="json").status_code == 401


@pytest.mark.parametrize(
    ("endpoint", "personas"),
    [
        (PLANS, ["screen_a", "force_account_a"]),
        (ORDERS, ["screen_a", "editor_a"]),
        (NOTICES, ["screen_a", "force_account_a"]),
        (REINFORCEMENTS, ["screen_a", "force_account_a", "editor_a"]),
        (PERIODS, ["screen_a", "force_account_a", "editor_a"]),
        (ALERTS, ["screen_a", "force_account_a", "editor_a"]),
    ],
)
def test_roles_outside_the_dispatch_chain_get_403(incident_world, api, endpoint, personas):
    for persona in personas:
        response = api(getattr(incident_world, persona)).get(endpoint)
        assert response.status_code == 403, persona
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    "persona", ["duty_officer_a", "dispatcher_a", "approver_a", "admin_a", "sync_client"]
)
def test_reader_roles_see_the_chain_of_their_jurisdiction(incident_world, api, persona):
    w = incident_world
    plan, (order,) = approved(w)
    client = api(getattr(w, persona))
    for endpoint, obj in ((PLANS, plan), (ORDERS, order), (NOTICES, order.notice)):
        response = client.get(endpoint)
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [obj.pk]
        assert client.get(url(endpoint, obj)).status_code == 200


def test_other_county_gets_404_on_every_object(incident_world, api):
    w = incident_world
    plan, (order,) = approved(w)
    request = services.request_reinforcement(
        actor=w.approver_a, incident_id=w.incident_a.pk, needs="x", reason="y"
    )
    (alert, *_) = services.mark_overdue(now=timezone.now() + timedelta(hours=2))
    client = api(w.dispatcher_b)
    for endpoint, obj in (
        (PLANS, plan),
        (ORDERS, order),
        (NOTICES, order.notice),
        (REINFORCEMENTS, request),
        (ALERTS, alert),
    ):
        assert client.get(url(endpoint, obj)).status_code == 404, endpoint
        assert client.get(endpoint).json()["count"] == 0, endpoint


def test_plan_detail_carries_names_labels_lines_and_orders(incident_world, api):
    w = incident_world
    plan, orders = approved(w, [w.force_a, w.force_power_a])
    body = api(w.duty_officer_a).get(url(PLANS, plan)).json()
    assert body["incident_title"] == "卫运河临清段漫堤"
    assert body["jurisdiction"] == "371581" and body["jurisdiction_name"] == "临清市"
    assert body["status"] == "approved" and body["status_label"]
    assert body["drafted_by_name"] == "dispatcher_a" and body["decided_by_name"] == "approver_a"
    assert [line["force_name"] for line in body["lines"]] == ["临清市水利抢险队", "临清供电抢修队"]
    assert body["lines"][0]["organisation_name"] == "临清市水利局"
    assert {o["force_name"] for o in body["orders"]} == {"临清市水利抢险队", "临清供电抢修队"}
    order = api(w.duty_officer_a).get(url(ORDERS, orders[0])).json()
    assert order["incident_title"] == "卫运河临清段漫堤"
    assert order["status_label"] and order["force_name"]


# --- plans -------------------------------------------------------------------------------


def test_dispatcher_drafts_a_plan(incident_world, api):
    w = incident_world
    response = api(w.dispatcher_a).post(PLANS, draft_body(w), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert [(line["force"], line["people"]) for line in body["lines"]] == [
        (w.force_a.pk, 12),
        (w.force_power_a.pk, 4),
    ]


def test_drafting_matrix(incident_world, api):
    w = incident_world
    assert api(w.duty_officer_a).post(PLANS, draft_body(w), format="json").status_code == 403
    assert api(w.force_account_a).post(PLANS, draft_body(w), format="json").status_code == 403
    response = api(w.dispatcher_b).post(PLANS, draft_body(w), format="json")
    assert response.status_code == 404
    assert not CallOutPlan.objects.exists()


def test_bad_plan_input_is_400_with_field_errors(incident_world, api):
    w = incident_world
    client = api(w.dispatcher_a)
    response = client.post(PLANS, {"incident": w.incident_a.pk}, format="json")
    assert response.status_code == 400
    assert {"task", "reason", "lines"} <= set(response.json()["errors"])
    body = draft_body(w, lines=[{"force": 987654}, {"force": w.force_a.pk, "people": -3}])
    response = client.post(PLANS, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]["lines"]  # keyed by the line's index
    assert "force" in errors["0"] and "people" in errors["1"]
    response = client.post(PLANS, draft_body(w, lines=[]), format="json")
    assert response.status_code == 400 and "lines" in response.json()["errors"]
    # A force of another county exists but is not this brigade's to call out.
    response = client.post(
        PLANS, draft_body(w, lines=[{"force": w.force_b.pk, "people": 3}]), format="json"
    )
    assert response.status_code == 400 and "lines" in response.json()["errors"]
    assert not CallOutPlan.objects.exists()


def test_partial_update_of_a_draft_then_409_once_submitted(incident_world, api):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    client = api(w.dispatcher_a)
    response = client.patch(url(PLANS, plan), {"task": "转移群众"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["task"] == "转移群众" and [x["force"] for x in body["lines"]] == [w.force_a.pk]
    response = client.patch(
        url(PLANS, plan), {"lines": [{"force": w.force_power_a.pk, "people": 2}]}, format="json"
    )
    assert [x["force"] for x in response.json()["lines"]] == [w.force_power_a.pk]
    assert (
        api(w.approver_a).patch(url(PLANS, plan), {"task": "x"}, format="json").status_code == 403
    )
    assert (
        api(w.dispatcher_b).patch(url(PLANS, plan), {"task": "x"}, format="json").status_code == 404
    )
    assert client.post(url(PLANS, plan, "submit")).status_code == 200
    response = client.patch(url(PLANS, plan), {"task": "x"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_draft"


def test_submit_is_409_when_repeated(incident_world, api):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    client = api(w.dispatcher_a)
    response = client.post(url(PLANS, plan, "submit"))
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    response = client.post(url(PLANS, plan, "submit"))
    assert response.status_code == 409
    assert response.json()["code"] == "not_draft"
    assert api(w.approver_a).post(url(PLANS, plan, "submit")).status_code == 403


def test_approve_returns_the_plan_with_its_orders(incident_world, api):
    w = incident_world
    plan = submitted(w, [w.force_a, w.force_power_a])
    response = api(w.approver_a).post(url(PLANS, plan, "approve"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved"
    assert len(body["orders"]) == 2
    assert {o["status"] for o in body["orders"]} == {"issued"}
    assert CallOutOrder.objects.filter(plan=plan).count() == 2


def test_approval_matrix_and_409_codes(incident_world, api):
    w = incident_world
    plan = submitted(w)
    response = api(w.dispatcher_a).post(url(PLANS, plan, "approve"))
    assert response.status_code == 403
    assert response.json()["code"] == "drafter_cannot_approve"
    assert api(w.approver_b).post(url(PLANS, plan, "approve")).status_code == 404
    response = api(w.approver_city).post(url(PLANS, plan, "approve"))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert api(w.screen_a).post(url(PLANS, plan, "approve")).status_code == 403
    assert api(w.approver_a).post(url(PLANS, plan, "approve")).status_code == 200
    for action in ("approve", "reject"):
        response = api(w.approver_a).post(url(PLANS, plan, action), {"reason": "x"})
        assert response.status_code == 409
        assert response.json()["code"] == "already_decided"
        assert response.json()["detail"]
    assert api(w.approver_a).post(f"{PLANS}987654/approve/").status_code == 404


def test_reject_needs_a_reason(incident_world, api):
    w = incident_world
    plan = submitted(w)
    client = api(w.approver_a)
    for body in ({}, {"reason": "  "}):
        response = client.post(url(PLANS, plan, "reject"), body, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "reason_required"
        assert "reason" in response.json()["errors"]
    response = client.post(url(PLANS, plan, "reject"), {"reason": "力量不足"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] == "力量不足"


def test_consent_in_the_flood_season(incident_world, api):
    w = incident_world
    flood_season(w)
    with time_machine.travel(IN_FLOOD_SEASON, tick=False):
        plan = submitted(w)
        response = api(w.approver_a).post(url(PLANS, plan, "approve"))
        assert response.status_code == 409
        assert response.json()["code"] == "consent_missing"
        assert "临清市水利局" in response.json()["detail"]
        consent = url(PLANS, plan, "consent")
        body = {"organisation": w.water_a.pk}
        assert api(w.editor_b).post(consent, body, format="json").status_code == 404
        assert api(w.editor_power_a).post(consent, body, format="json").status_code == 403
        response = api(w.approver_a).post(consent, body, format="json")
        assert response.status_code == 400
        assert {"consulted_person", "consulted_at"} <= set(response.json()["errors"])
        response = api(w.approver_a).post(
            consent, {**body, "consulted_at": "yesterday"}, format="json"
        )
        assert response.status_code == 400 and "consulted_at" in response.json()["errors"]
        response = api(w.editor_a).post(consent, {**body, "note": "同意"}, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["organisation_name"] == "临清市水利局"
        assert response.json()["given_by_name"] == "王水利"
        response = api(w.approver_a).post(url(PLANS, plan, "approve"))
        assert response.status_code == 200
        assert response.json()["consents"][0]["organisation"] == w.water_a.pk
        assert response.json()["in_special_period"] is True


def test_approver_records_consent_with_person_and_time(incident_world, api):
    w = incident_world
    plan = submitted(w)
    response = api(w.approver_a).post(
        url(PLANS, plan, "consent"),
        {
            "organisation": w.water_a.pk,
            "consulted_person": "王局长",
            "consulted_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["consulted_person"] == "王局长"


def test_department_lists_the_plans_it_answers_for_even_at_another_level(incident_world, api):
    w = incident_world
    own = submitted(w, [w.force_a])
    submitted(w, [w.force_power_a])
    rows = api(w.editor_a).get(PLANS).json()["results"]
    assert [r["id"] for r in rows] == [own.pk]
    reinforcement, _ = reinforcement_order(w)
    rows = api(w.editor_b).get(PLANS).json()["results"]
    assert [r["id"] for r in rows] == [reinforcement.pk]
    assert api(w.editor_b).get(url(PLANS, own)).status_code == 404
    response = api(w.editor_a).patch(url(PLANS, own), {"task": "x"}, format="json")
    assert response.status_code == 403


# --- orders ------------------------------------------------------------------------------


def test_force_account_sees_only_its_own_orders(incident_world, api):
    w = incident_world
    _, orders = approved(w, [w.force_a, w.force_power_a])
    rows = api(w.force_account_a).get(ORDERS).json()["results"]
    assert [r["force"] for r in rows] == [w.force_a.pk]
    other = next(o for o in orders if o.force == w.force_power_a)
    assert api(w.force_account_a).get(url(ORDERS, other)).status_code == 404


def test_force_of_another_county_sees_and_steps_its_reinforcement_order(incident_world, api):
    w = incident_world
    _, order = reinforcement_order(w)
    client = api(w.force_account_b)
    assert [r["id"] for r in client.get(ORDERS).json()["results"]] == [order.pk]
    response = client.post(url(ORDERS, order, "acknowledge"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "acknowledged"
    assert api(w.dispatcher_b).get(url(ORDERS, order)).status_code == 404
    assert api(w.dispatcher_a).get(url(ORDERS, order)).status_code == 200


def test_order_steps_and_their_409s(incident_world, api):
    w = incident_world
    _, (order,) = approved(w)
    client = api(w.force_account_a)
    response = client.post(url(ORDERS, order, "depart"))
    assert response.status_code == 409 and response.json()["code"] == "invalid_step"
    for action, status in (
        ("acknowledge", "acknowledged"),
        ("depart", "departed"),
        ("arrive", "arrived"),
        ("complete", "completed"),
    ):
        response = client.post(url(ORDERS, order, action))
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == status
        assert response.json()["last_step_by_name"] == "force_a"
    response = client.post(url(ORDERS, order, "complete"))
    assert response.status_code == 409 and response.json()["code"] == "invalid_step"
    response = client.post(url(ORDERS, order, "result"), {}, format="json")
    assert response.status_code == 400 and "result" in response.json()["errors"]
    response = client.post(
        url(ORDERS, order, "result"), {"result": "完成", "people_rescued": -1}, format="json"
    )
    assert response.status_code == 400 and "people_rescued" in response.json()["errors"]
    response = client.post(
        url(ORDERS, order, "result"), {"result": "封堵管涌2处", "people_rescued": 3}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["people_rescued"]) == ("reported", 3)
    assert body["result_deadline"]


def test_order_step_matrix(incident_world, api):
    w = incident_world
    _, (order,) = approved(w)
    acknowledge = url(ORDERS, order, "acknowledge")
    assert api(w.force_account_power_a).post(acknowledge).status_code == 403
    assert api(w.duty_officer_a).post(acknowledge).status_code == 403
    assert api(w.force_account_b).post(acknowledge).status_code == 404
    assert api(w.dispatcher_b).post(acknowledge).status_code == 404
    response = api(w.dispatcher_a).post(acknowledge)
    assert response.status_code == 200
    assert response.json()["last_step_on_behalf"] is True
    assert api().post(acknowledge).status_code == 401


# --- notices -----------------------------------------------------------------------------


def test_department_sees_the_notices_addressed_to_it(incident_world, api):
    w = incident_world
    approved(w, [w.force_a, w.force_power_a])
    rows = api(w.editor_a).get(NOTICES).json()["results"]
    assert [(r["organisation_name"], r["force_name"]) for r in rows] == [
        ("临清市水利局", "临清市水利抢险队")
    ]
    assert rows[0]["incident_title"] == "卫运河临清段漫堤"
    assert api(w.editor_b).get(NOTICES).json()["count"] == 0
    assert api(w.approver_a).get(NOTICES).json()["count"] == 2


# --- reinforcement -----------------------------------------------------------------------


def test_reinforcement_request_and_decision(incident_world, api):
    w = incident_world
    body = {"incident": w.incident_a.pk, "needs": "冲锋舟2艘", "reason": "本地力量不足"}
    assert api(w.dispatcher_a).post(REINFORCEMENTS, body, format="json").status_code == 403
    assert api(w.approver_b).post(REINFORCEMENTS, body, format="json").status_code == 404
    response = api(w.approver_a).post(REINFORCEMENTS, {"incident": w.incident_a.pk})
    assert response.status_code == 400
    assert {"needs", "reason"} <= set(response.json()["errors"])
    response = api(w.approver_a).post(REINFORCEMENTS, body, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["requesting_jurisdiction"], row["upper_jurisdiction"]) == ("371581", "371500")
    assert row["upper_jurisdiction_name"] == "聊城市" and row["status"] == "requested"
    approve = f"{REINFORCEMENTS}{row['id']}/approve/"
    reject = f"{REINFORCEMENTS}{row['id']}/reject/"
    assert api(w.approver_a).post(approve).status_code == 403
    assert api(w.approver_b).post(approve).status_code == 404
    response = api(w.approver_city).post(reject, {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    response = api(w.approver_city).post(approve)
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = api(w.approver_city).post(approve)
    assert response.status_code == 409 and response.json()["code"] == "already_decided"
    response = api(w.dispatcher_city).post(
        PLANS,
        {
            "incident": w.incident_a.pk,
            "reinforcement": row["id"],
            "task": "增援抢险",
            "reason": "临清市申请增援",
            "lines": [{"force": w.force_b.pk, "people": 20}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["jurisdiction"] == "371500"
    assert response.json()["reinforcement"] == row["id"]


def test_reinforcement_not_yet_approved_is_409_for_the_upper_brigade(incident_world, api):
    w = incident_world
    request = services.request_reinforcement(
        actor=w.approver_a, incident_id=w.incident_a.pk, needs="x", reason="y"
    )
    response = api(w.dispatcher_city).post(
        PLANS,
        draft_body(w, reinforcement=request.pk, lines=[{"force": w.force_b.pk, "people": 3}]),
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "reinforcement_not_approved"


# --- special periods and alerts ----------------------------------------------------------


def test_special_periods_declared_above_apply_below(incident_world, api):
    w = incident_world
    season = flood_season(w)
    local = SpecialPeriod.objects.create(
        kind=SpecialPeriodKind.SENSITIVE,
        name="临清市重大活动保障期",
        jurisdiction=w.county_a,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 10),
    )
    ids = {r["id"] for r in api(w.approver_a).get(PERIODS).json()["results"]}
    assert ids == {season.pk, local.pk}
    ids = {r["id"] for r in api(w.dispatcher_b).get(PERIODS).json()["results"]}
    assert ids == {season.pk}
    assert api(w.dispatcher_b).get(url(PERIODS, local)).status_code == 404


def test_alerts_list_open_overdue_steps(incident_world, api):
    w = incident_world
    _, (order,) = approved(w)
    services.mark_overdue(now=timezone.now() + timedelta(hours=2))
    rows = api(w.duty_officer_a).get(ALERTS, {"resolved_at__isnull": "true"}).json()["results"]
    assert {r["kind"] for r in rows} == {"ack_overdue", "arrival_overdue"}
    assert all(r["order_number"] == order.number for r in rows)
    assert api(w.dispatcher_b).get(ALERTS).json()["count"] == 0


# --- query counts ------------------------------------------------------------------------


def _count_queries(client, endpoint):
    client.get(endpoint)  # warm the user's cached roles and organisation
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(endpoint)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _populate(w, n):
    for i in range(n):
        forces = [f.force(w.admin_a, w.water_a, industry_authority=w.water_a) for _ in range(2)]
        plan = f.plan(w.dispatcher_a, w.incident_a, forces, submit=True)
        services.record_consent(actor=w.editor_a, plan_id=plan.pk, organisation_id=w.water_a.pk)
        (first, _) = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
        services.acknowledge_order(actor=w.dispatcher_a, order_id=first.pk)
        f.plan(w.dispatcher_a, w.incident_a, forces)
        services.request_reinforcement(
            actor=w.approver_a, incident_id=w.incident_a.pk, needs=f"需求{i}", reason="不足"
        )
        SpecialPeriod.objects.create(
            kind=SpecialPeriodKind.SENSITIVE,
            name=f"保障期{i}",
            jurisdiction=w.county_a,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 10),
        )
    services.mark_overdue(now=timezone.now() + timedelta(hours=2))


@pytest.mark.parametrize("endpoint", LISTS)
def test_list_query_count_is_constant_in_page_size(incident_world, api, endpoint):
    w = incident_world
    client = api(w.admin_city)
    _populate(w, 2)
    small = _count_queries(client, f"{endpoint}?page_size=2")
    _populate(w, 6)
    large = _count_queries(client, f"{endpoint}?page_size=40")
    assert client.get(f"{endpoint}?page_size=40").json()["count"] >= 8
    assert small == large


def test_force_account_order_list_query_count_is_constant(incident_world, api):
    w = incident_world
    client = api(w.force_account_a)
    approved(w)
    small = _count_queries(client, f"{ORDERS}?page_size=1")
    for _ in range(5):
        approved(w)
    large = _count_queries(client, f"{ORDERS}?page_size=40")
    assert small == large
