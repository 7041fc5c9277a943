"""The live feed sends a user exactly what that user could read on the pages (issue 8,
finding 4): one rule (core.visibility) decides it by role, event type and, for a force
account or a department, the event's organisation. Played through the real ASGI stack
as in tests/core/test_live_feed.py, and checked against the pages and the API for every
event type the code base records and every role."""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from config.asgi import application
from core import consumers, visibility
from core.events import declared_vocabularies
from core.models import User
from core.roles import Role
from dispatch import services as dispatch_services
from dispatch.choices import OrderStatus, ReinforcementStatus
from tests import factories as f
from tests.core.test_live_feed import in_memory_layer, open_feed, record, resume, session_headers

__all__ = ["in_memory_layer"]  # the module's autouse fixture: a fresh in-memory layer

ROOT = Path(settings.BASE_DIR)

# --- the vocabulary --------------------------------------------------------------------------

DECLARED = {
    "plan.drafted",
    "plan.edited",
    "plan.submitted",
    "plan.approved",
    "plan.rejected",
    "plan.consent_recorded",
    *(f"order.{status}" for status in OrderStatus.values),
    "order.delivered",
    "order.overdue",
    "notice.delivered",
    *(f"reinforcement.{status}" for status in ReinforcementStatus.values),
}
DECLARED = {
    vocabulary.__name__: vocabulary
    for vocabularies in declared_vocabularies().values()
    for vocabulary in vocabularies
}
VOCABULARY = sorted(
    {
        *(str(member) for vocabulary in DECLARED.values() for member in vocabulary),
        # Nobody but superusers: a type no rule names.
        "unknown.thing",
        "bench.tick",
    }
)


def _recorded_types() -> tuple[set[str], set[str]]:
    """Event types at every ``record_event(type=...)`` of the code base: vocabulary members
    (``ForceEvent.CREATED``) and literals, and the fixed prefixes of f-strings
    (``f"order.{target}"`` → ``order.``)."""
    literals, prefixes = set(), set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in ("tests", ".venv", "bench") or "migrations" in parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record_event"):
                continue
            for keyword in node.keywords:
                if keyword.arg != "type":
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant):
                    literals.add(value.value)
                elif (
                    isinstance(value, ast.Attribute)
                    and isinstance(value.value, ast.Name)
                    and value.value.id in DECLARED
                ):
                    literals.add(str(DECLARED[value.value.id][value.attr]))
                elif isinstance(value, ast.JoinedStr):
                    head = value.values[0]
                    prefixes.add(head.value if isinstance(head, ast.Constant) else "")
                else:
                    prefixes.add("")  # a variable: named in VOCABULARY through its values
    return literals, prefixes


def test_the_vocabulary_covers_every_event_type_the_code_records():
    literals, prefixes = _recorded_types()
    assert len(literals) > 40
    assert literals <= set(VOCABULARY), sorted(literals - set(VOCABULARY))
    for prefix in prefixes - {""}:
        assert any(t.startswith(prefix) for t in VOCABULARY), prefix


def test_every_recorded_event_type_has_an_audience():
    literals, _ = _recorded_types()
    known = [t for t in VOCABULARY if not t.startswith(("unknown.", "bench."))]
    assert all(visibility.audience(t) is not None for t in literals | set(known))
    assert visibility.audience("unknown.thing") is None


# --- the rule equals the pages ---------------------------------------------------------------

API = "/api/v1"
HALL_FEED = "/hall/feed/"
PAGES = {
    "incident": [f"{API}/command/incidents/", HALL_FEED],
    "plan": [f"{API}/dispatch/plans/", "/dispatch/plans/", HALL_FEED],
    "order": [f"{API}/dispatch/orders/", "/dispatch/orders/", HALL_FEED],
    "notice": [f"{API}/dispatch/notices/", HALL_FEED],
    "reinforcement": [f"{API}/dispatch/reinforcements/", HALL_FEED],
    "special_period": [f"{API}/dispatch/special-periods/", "/dispatch/special-periods/", HALL_FEED],
    "rollcall": ["/duty/rollcalls/", "/duty/rollcalls/answer/"],
    "force": [f"{API}/forces/forces/"],
    "expert": [f"{API}/forces/experts/"],
    "expert_group": [f"{API}/forces/expert-groups/"],
    "duty": [f"{API}/duty/rosters/"],
    "drill": [f"{API}/drills/drills/"],
    # Warnings (issue 12): their list page and API, and the hall screen's 叫应 board.
    "warning": ["/warnings/", f"{API}/warnings/warnings/", HALL_FEED],
    "grid": ["/warnings/grids/", f"{API}/warnings/grids/"],
    # 30-minute reports (issue 13): their list page and API, read like incidents.
    "report": ["/command/reports/", f"{API}/command/reports/"],
    # 会商研判 meetings and after-action reports (issue 13).
    "consultation": ["/command/consultations/", f"{API}/command/consultations/"],
    "afteraction": ["/drills/after-action/", f"{API}/drills/after-action-reports/"],
    # Material reserves (issue 14): the warehouse list page and API.
    "reserve": ["/support/reserves/", f"{API}/support/warehouses/"],
    # Push subscribers: their administrators, and the sync clients they push for.
    "subscriber": [f"{API}/sync/subscribers/", "/sync/"],
    # Escalations and failed deliveries are recorded on the order, notice, plan or
    # roll-call target they chase: whoever may follow one of those reads them.
    "notify": [
        f"{API}/dispatch/orders/",
        "/dispatch/orders/",
        f"{API}/dispatch/plans/",
        "/dispatch/plans/",
        "/duty/rollcalls/",
        "/duty/rollcalls/answer/",
        HALL_FEED,
    ],
    # Graded response (issue 13): its API lists; a department reads its own.
    "response": [f"{API}/response/activations/"],
    "instruction": [f"{API}/response/instructions/"],
    "seat": [f"{API}/response/seats/"],
    # Rescuer welfare (issue 14): its index page and API.
    "welfare": ["/support/welfare/", f"{API}/support/health-records/"],
    # Support (issue 14): requisitions (the owner unit reads its own) and compensation
    # claims (the claiming force and the reviewing department read their own).
    "requisition": ["/support/requisitions/", f"{API}/support/requisitions/"],
    "compensation": ["/support/compensation/", f"{API}/support/compensation-claims/"],
    # Allocations (issue 14): their list page and API, and the hall screen's panel.
    "allocation": ["/support/allocations/", f"{API}/support/allocations/", HALL_FEED],
    # Shelters (issue 14): the register's page and API.
    "shelter": ["/support/shelters/", f"{API}/support/shelters/"],
    # Passage (issue 14): its list page and the requests' API.
    "passage": ["/support/passage/", f"{API}/support/passage-requests/"],
}
HALL_FORCE_TYPES = ("force.status_changed", "force.created")
ADMINISTRATIVE = ("organisation", "user", "account", "security")


# Exact types whose subject a narrower page shows than their family's.
EXACT_PAGES = {
    # "Your forces are called": the force account's answer page alone.
    "rollcall.called": ["/duty/rollcalls/answer/"],
}


def _pages_of(event_type: str) -> list[str] | None:
    if event_type in EXACT_PAGES:
        return EXACT_PAGES[event_type]
    family = event_type.split(".", 1)[0]
    pages = PAGES.get(family)
    if pages is not None and event_type in HALL_FORCE_TYPES:
        pages = [*pages, HALL_FEED]
    return pages


PERSONAS = [
    "duty_officer_a",
    "approver_a",
    "dispatcher_a",
    "editor_a",
    "force_account_a",
    "screen_a",
    "admin_a",
    "sync_client",
    "expert_a",
    "no_role_a",
    "root",
]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_live_feed_sends_each_event_type_to_whoever_may_open_its_pages(world, persona):
    """For every event type of the code base: the live feed's decision (an event of the
    persona's own jurisdiction and organisation) equals "this persona may open a list
    page or API endpoint of that subject" (200, not 403). Administrative and security
    events: the jurisdiction's administrators; unknown types: superusers only."""
    world.expert_a = f.user("expert_a", world.water_a, Role.EXPERT)
    world.no_role_a = f.user("no_role_a", world.bureau_a)
    world.root = User.objects.create_superuser("root", password="pw-Linkage-2026")
    user = getattr(world, persona)
    viewer = visibility.viewer_of(user)
    page_client, api_client = Client(), APIClient()
    page_client.force_login(user)
    api_client.force_authenticate(user)
    opened: dict[str, bool] = {}

    def may_open(url: str) -> bool:
        if url not in opened:
            client = api_client if url.startswith(API) else page_client
            status = client.get(url).status_code
            assert status in (200, 403), (url, status)
            opened[url] = status == 200
        return opened[url]

    wrong = []
    for event_type in VOCABULARY:
        pages = _pages_of(event_type)
        if pages is not None:
            expected = any(may_open(url) for url in pages)
        elif event_type.split(".", 1)[0] in ADMINISTRATIVE:
            expected = user.is_platform_admin
        else:
            expected = user.is_superuser
        decided = viewer.can_see(viewer.path, event_type, user.organisation_id)
        if decided != expected:
            wrong.append((event_type, decided, expected))
    assert not wrong, wrong


def test_a_viewer_outside_the_events_jurisdiction_or_organisation_sees_nothing():
    force_account = visibility.Viewer(False, "/a/", frozenset({Role.FORCE_ACCOUNT}), 7)
    assert force_account.can_see("/a/b/", "order.issued", 7)
    assert not force_account.can_see("/a/b/", "order.issued", 8)
    assert not force_account.can_see("/a/b/", "order.issued", None)
    assert not force_account.can_see("/c/", "order.issued", 7)
    assert not force_account.can_see("/a/", "incident.created", 7)
    nobody = visibility.Viewer(False, "", frozenset({Role.ADMINISTRATOR}), 7)
    assert not nobody.can_see("/a/", "user.created", 7)
    assert not nobody.reads_anything()


# --- over the socket ------------------------------------------------------------------------


def _issue_orders(w) -> tuple[int, int]:
    """An approved plan with a force of editor_a's department (water) and one of the
    power company; the ids of their orders."""
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_power_a], submit=True)
    orders = dispatch_services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    by_force = {o.force_id: o.pk for o in orders}
    return by_force[w.force_a.pk], by_force[w.force_power_a.pk]


def _family(event: dict) -> str:
    return event["type"].split(".", 1)[0]


async def _replay(user: User) -> list[dict]:
    communicator = await open_feed(user)
    events, _ = await resume(communicator, 0)
    await communicator.disconnect()
    return events


pytestmark_socket = pytest.mark.django_db(transaction=True)


@pytestmark_socket
async def test_a_force_account_gets_its_own_orders_events_and_not_another_forces(
    incident_world,
):
    w = incident_world
    own, other = await sync_to_async(_issue_orders)(w)
    events = await _replay(w.force_account_a)
    assert {e["type"] for e in events} == {"order.issued", "order.delivered"}
    assert {e["subject_id"] for e in events} == {str(own)}

    communicator = await open_feed(w.force_account_a)
    await resume(communicator, 0)
    await sync_to_async(dispatch_services.acknowledge_order)(
        actor=w.force_account_power_a, order_id=other
    )
    await sync_to_async(dispatch_services.acknowledge_order)(actor=w.force_account_a, order_id=own)
    message = await communicator.receive_json_from(timeout=5)
    assert [(e["type"], e["subject_id"]) for e in message["events"]] == [
        ("order.acknowledged", str(own))
    ]
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()

    # The other force's account sees its own order, not this one; nobody's incident.
    other_events = await _replay(w.force_account_power_a)
    assert {e["subject_id"] for e in other_events} == {str(other)}


@pytestmark_socket
async def test_an_expert_gets_the_registry_and_nothing_of_the_dispatch_chain(incident_world):
    w = incident_world
    await sync_to_async(_issue_orders)(w)
    expert = await sync_to_async(f.user)("expert_a", w.water_a, Role.EXPERT)
    events = await _replay(expert)
    assert events and {_family(e) for e in events} <= {"force", "expert", "duty", "drill"}


@pytestmark_socket
async def test_a_department_editor_gets_its_notices_but_no_accounts_or_other_notices(
    incident_world,
):
    w = incident_world
    await sync_to_async(_issue_orders)(w)
    await sync_to_async(record)(w.county_a, type="user.created")
    events = await _replay(w.editor_a)
    types = {e["type"] for e in events}
    assert "user.created" not in types
    assert not types & {"incident.created", "order.issued", "plan.approved"}
    notices = [e for e in events if e["type"] == "notice.delivered"]
    assert notices and all(e["payload"]["organisation_id"] == w.water_a.pk for e in notices)
    assert "user.created" in {e["type"] for e in await _replay(w.admin_a)}


@pytestmark_socket
async def test_security_events_reach_administrators_and_never_the_screen(incident_world):
    w = incident_world
    await sync_to_async(record)(w.county_a, type="security.login_failed")
    admin_types = {e["type"] for e in await _replay(w.admin_a)}
    assert "security.login_failed" in admin_types
    screen_types = {e["type"] for e in await _replay(w.screen_a)}
    assert "incident.created" in screen_types
    assert not {t for t in screen_types if t.startswith(("security.", "user.", "account."))}

    communicator = await open_feed(w.screen_a)
    await resume(communicator, 0)
    await sync_to_async(record)(w.county_a, type="security.login_failed")
    (seq,) = await sync_to_async(record)(w.county_a, type="incident.updated")
    message = await communicator.receive_json_from(timeout=5)
    assert [e["seq"] for e in message["events"]] == [seq]
    await communicator.disconnect()


@pytestmark_socket
async def test_a_user_who_may_read_nothing_is_refused_with_4403(world):
    nobody = await sync_to_async(f.user)("no_role_a", world.bureau_a)
    headers = await sync_to_async(session_headers)(nobody)
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected  # accepted, then closed, so that the browser sees the code
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4403,
    }


@pytestmark_socket
async def test_unknown_event_types_reach_superusers_only(world):
    root = await sync_to_async(User.objects.create_superuser)("root", password="pw-Linkage-2026")
    (seq,) = await sync_to_async(record)(world.county_a, type="unknown.thing")
    assert seq in {e["seq"] for e in await _replay(root)}
    assert seq not in {e["seq"] for e in await _replay(world.admin_a)}


# --- replays are rate-limited ---------------------------------------------------------------


async def _drain(communicator: WebsocketCommunicator, seconds: float) -> list[dict]:
    """Every message (and a close) that arrives within ``seconds``."""
    messages: list[dict] = []
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while (left := end - loop.time()) > 0:
        # receive_nothing, not a receive_output timeout: that would cancel the consumer.
        if await communicator.receive_nothing(timeout=min(0.05, left)):
            continue
        output = await communicator.receive_output(timeout=1)
        if output["type"] == "websocket.close":
            messages.append({"type": "close", "code": output["code"]})
            break
        messages.append(json.loads(output["text"]))
    return messages


@pytestmark_socket
async def test_twenty_resume_from_zero_frames_cost_four_replays_not_twenty(incident_world):
    communicator = await open_feed(incident_world.duty_officer_a)
    for _ in range(20):
        await communicator.send_json_to({"type": "resume", "after": 0})
    messages = await _drain(communicator, 2.5)
    kinds = [m["type"] for m in messages]
    # The burst answers three at once; the fourth waits a second and takes the rest.
    assert kinds.count("caught_up") == consumers.REPLAY_BURST + 1
    assert kinds.count("error") == 20 - consumers.REPLAY_BURST - 2
    assert {m["detail"] for m in messages if m["type"] == "error"} == {"slow down"}
    assert "close" not in kinds
    await communicator.disconnect()


@pytestmark_socket
async def test_a_client_that_keeps_flooding_is_closed_with_4429(incident_world):
    communicator = await open_feed(incident_world.duty_officer_a)
    for _ in range(60):
        await communicator.send_json_to({"type": "ping", "after": 0})
    messages = await _drain(communicator, 5)
    assert messages[-1] == {"type": "close", "code": 4429}
    assert [m["type"] for m in messages].count("pong") <= consumers.REPLAY_BURST


@pytestmark_socket
async def test_the_browser_clients_rhythm_never_meets_the_limit(incident_world, monkeypatch):
    """static/js/live.js: resume on connect, resume again after each "more", a ping every
    15 s (here one lands while a resume waits for its turn). Slowed, never refused."""
    monkeypatch.setattr(consumers, "REPLAY_LIMIT", 3)
    w = incident_world
    await sync_to_async(record)(w.county_a, 15)
    communicator = await open_feed(w.duty_officer_a)
    received: list[int] = []
    others: list[dict] = []
    after, rounds, pinged = 0, 0, False
    await communicator.send_json_to({"type": "resume", "after": after})
    while True:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == "events":
            received += [e["seq"] for e in message["events"]]
        elif message["type"] == "more":
            rounds += 1
            await communicator.send_json_to({"type": "resume", "after": received[-1]})
            if rounds == consumers.REPLAY_BURST and not pinged:
                await communicator.send_json_to({"type": "ping", "after": received[-1]})
                pinged = True
        elif message["type"] == "caught_up":
            break
        else:
            others.append(message)
    assert rounds > consumers.REPLAY_BURST
    assert received == sorted(set(received)) and len(received) >= 15
    assert [m["type"] for m in others if m["type"] != "pong"] == []
    await communicator.disconnect()
