"""The live feed over a real WebSocket stack (config.asgi.application: origin check,
session authentication, routing, LiveConsumer) on the in-memory channel layer.

Channels is only a doorbell: whatever happens to the socket or to group membership, a
client that resumes from its last seq gets exactly what it missed, in order
(RELIABILITY.md). The same story across a real Redis restart is in
``test_live_feed_redis.py``.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.test import Client

from config.asgi import application
from core import consumers, selectors
from core.events import record_event
from core.models import Event, User
from core.visibility import event_filter
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


# Helpers, also used by test_live_feed_redis.py ------------------------------------------


def session_headers(user: User) -> list[tuple[bytes, bytes]]:
    """Headers of a browser signed in as ``user`` (a real session row)."""
    client = Client()
    client.force_login(user)
    return [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()), ORIGIN]


async def open_feed(user: User | None) -> WebsocketCommunicator:
    headers = [ORIGIN] if user is None else await sync_to_async(session_headers)(user)
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def resume(communicator: WebsocketCommunicator, after: int) -> tuple[list[dict], int]:
    """Send ``resume`` and collect the replay up to ``caught_up``."""
    await communicator.send_json_to({"type": "resume", "after": after})
    events: list[dict] = []
    while True:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == "events":
            events += message["events"]
        else:
            assert message["type"] == "caught_up", message
            return events, message["seq"]


async def next_events(communicator: WebsocketCommunicator, count: int) -> list[dict]:
    """The next ``count`` pushed events (they may come in one or several messages)."""
    events: list[dict] = []
    while len(events) < count:
        message = await communicator.receive_json_from(timeout=5)
        assert message["type"] == "events", message
        events += message["events"]
    return events


def record(jurisdiction, count: int = 1, type: str = "incident.noted") -> list[int]:
    """Commit ``count`` events in one transaction; their seqs."""
    with transaction.atomic():
        return [
            record_event(
                type=type, jurisdiction=jurisdiction, subject=jurisdiction, payload={"n": n}
            ).seq
            for n in range(count)
        ]


def new_incident(actor: User, title: str) -> int:
    """Record an incident through the service; the seq of its ``incident.created``."""
    incident = f.incident(
        actor,
        title=title,
        incident_type=f.incident_type(),
        latitude=Decimal("36.838000"),
        longitude=Decimal("115.705000"),
    )
    return (
        Event.objects.filter(type="incident.created", subject_id=str(incident.pk))
        .values_list("seq", flat=True)
        .get()
    )


def visible_seqs(user: User, after: int = 0) -> list[int]:
    return list(
        Event.objects.filter(event_filter(user), seq__gt=after)
        .order_by("seq")
        .values_list("seq", flat=True)
    )


def seqs(events: list[dict]) -> list[int]:
    return [e["seq"] for e in events]


# Fixtures -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
async def in_memory_layer(settings):
    """This module runs on the in-memory layer whatever REDIS_URL says, so that it never
    shares groups with another test run on a shared Redis. A fresh layer per test: its
    queues belong to the test's event loop."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    # The consumer's database thread keeps its own connection; close it so that the
    # test database can be flushed and dropped.
    await sync_to_async(connections.close_all)()


# Tests ----------------------------------------------------------------------------------


async def test_anonymous_socket_is_closed_with_4401(db):
    communicator = await open_feed(None)
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4401,
    }


async def test_user_without_jurisdiction_is_closed_with_4403(world):
    nobody = await sync_to_async(f.user)("nobody", None)
    communicator = await open_feed(nobody)
    assert (await communicator.receive_output(timeout=5))["code"] == 4403


async def test_foreign_origin_is_refused(world):
    headers = await sync_to_async(session_headers)(world.duty_officer_a)
    headers = [h for h in headers if h[0] != b"origin"] + [(b"origin", b"http://evil.example")]
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert not connected


async def test_resume_from_zero_replays_every_visible_event_in_order(incident_world):
    w = incident_world
    communicator = await open_feed(w.duty_officer_a)
    events, caught_up = await resume(communicator, 0)
    expected = await sync_to_async(visible_seqs)(w.duty_officer_a)
    assert seqs(events) == expected
    assert caught_up == expected[-1]
    assert {e["jurisdiction"] for e in events} == {"371581"}  # county A only
    created = next(e for e in events if e["type"] == "incident.created")
    assert created["subject_label"] == "卫运河临清段漫堤"
    assert created["jurisdiction_name"] == "临清市"
    assert created["subject_type"] == "command.incident"
    assert created["actor"] == "duty_a"
    assert created["payload"]["title"] == "卫运河临清段漫堤"
    assert created["created_at"][:4].isdigit() and "T" in created["created_at"]
    await communicator.disconnect()


async def test_resume_after_the_last_seq_sends_nothing_but_caught_up(incident_world):
    last = await sync_to_async(selectors.latest_seq)()
    communicator = await open_feed(incident_world.duty_officer_a)
    assert await resume(communicator, last) == ([], last)
    await communicator.disconnect()


async def test_committed_event_is_pushed_to_its_county_and_city_not_to_the_other_county(
    incident_world,
):
    w = incident_world
    last = await sync_to_async(selectors.latest_seq)()
    county_a, county_b, city = [
        await open_feed(u) for u in (w.duty_officer_a, w.duty_officer_b, w.screen_city)
    ]
    for communicator in (county_a, county_b, city):
        await resume(communicator, last)

    seq = await sync_to_async(new_incident)(w.duty_officer_a, "松林镇民房起火")

    for communicator in (county_a, city):
        (event,) = await next_events(communicator, 1)
        assert (event["seq"], event["type"], event["subject_label"]) == (
            seq,
            "incident.created",
            "松林镇民房起火",
        )
    assert await county_b.receive_nothing(timeout=0.3)
    for communicator in (county_a, county_b, city):
        await communicator.disconnect()


async def test_superuser_follows_every_jurisdiction(incident_world):
    w = incident_world
    root = await sync_to_async(User.objects.create_superuser)("root", password="pw-Linkage-2026")
    communicator = await open_feed(root)
    events, _ = await resume(communicator, 0)
    assert seqs(events) == await sync_to_async(visible_seqs)(root)
    assert {"371581", "371521"} <= {e["jurisdiction"] for e in events}
    seq_b = await sync_to_async(new_incident)(w.duty_officer_b, "阳谷县城区火情")
    assert seqs(await next_events(communicator, 1)) == [seq_b]
    await communicator.disconnect()


async def test_reconnect_with_last_seq_receives_exactly_the_missed_events_in_order(
    incident_world,
):
    w = incident_world
    communicator = await open_feed(w.screen_a)
    events, last = await resume(communicator, 0)
    assert events and seqs(events)[-1] == last
    first_live = await sync_to_async(new_incident)(w.duty_officer_a, "断线前的警情")
    assert seqs(await next_events(communicator, 1)) == [first_live]
    last = first_live
    await communicator.disconnect()

    # While the screen is away: three events it may see, one in the other county.
    missed = [await sync_to_async(new_incident)(w.duty_officer_a, f"断线期间{n}") for n in (1, 2)]
    await sync_to_async(new_incident)(w.duty_officer_b, "阳谷县的警情")
    missed += await sync_to_async(record)(w.town_a)  # a township below county A

    communicator = await open_feed(w.screen_a)
    events, caught_up = await resume(communicator, last)
    assert seqs(events) == missed
    assert caught_up == missed[-1]
    assert [e["subject_label"] for e in events[:2]] == ["断线期间1", "断线期间2"]
    assert await communicator.receive_nothing(timeout=0.3)

    # And it is live again.
    after = await sync_to_async(new_incident)(w.duty_officer_a, "重连后的警情")
    assert seqs(await next_events(communicator, 1)) == [after]
    await communicator.disconnect()


async def test_doorbell_for_an_event_already_sent_sends_nothing(incident_world):
    communicator = await open_feed(incident_world.duty_officer_a)
    _, last = await resume(communicator, 0)
    layer = get_channel_layer()
    await layer.group_send("jur.371581", {"type": "doorbell", "seq": last})
    await layer.group_send("jur.371581", {"type": "doorbell", "seq": last - 1})
    assert await communicator.receive_nothing(timeout=0.3)
    # A stray doorbell for a seq that does not exist sends nothing either, and does not
    # make the connection skip the real event that later takes that number.
    stray = await sync_to_async(selectors.latest_seq)() + 1
    await layer.group_send("jur.371581", {"type": "doorbell", "seq": stray})
    assert await communicator.receive_nothing(timeout=0.3)
    seq = await sync_to_async(new_incident)(incident_world.duty_officer_a, "门铃之后")
    assert seq == stray
    assert seqs(await next_events(communicator, 1)) == [seq]
    await communicator.disconnect()


async def test_ping_rejoins_lost_group_membership_and_sends_what_was_missed(incident_world):
    w = incident_world
    communicator = await open_feed(w.duty_officer_a)
    _, last = await resume(communicator, 0)

    # As after a Redis restart: the socket stays open but the group has forgotten it.
    layer = get_channel_layer()
    for channel in list(layer.groups.get("jur.371581", {})):
        await layer.group_discard("jur.371581", channel)
    missed = await sync_to_async(new_incident)(w.duty_officer_a, "无人按门铃")
    assert await communicator.receive_nothing(timeout=0.3)

    await communicator.send_json_to({"type": "ping", "after": last})
    assert seqs(await next_events(communicator, 1)) == [missed]
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong", "seq": missed}

    later = await sync_to_async(new_incident)(w.duty_officer_a, "门铃恢复")
    assert seqs(await next_events(communicator, 1)) == [later]
    await communicator.disconnect()


async def test_ping_trusts_the_client_position(incident_world):
    """A client that lost messages on the way says so with a lower ``after``."""
    communicator = await open_feed(incident_world.duty_officer_a)
    events, last = await resume(communicator, 0)
    await communicator.send_json_to({"type": "ping", "after": events[-3]["seq"]})
    assert seqs(await next_events(communicator, 2)) == seqs(events[-2:])
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong", "seq": last}
    await communicator.disconnect()


async def test_screens_sharing_a_jurisdiction_each_get_a_burst_larger_than_the_window(
    incident_world, monkeypatch
):
    """Doorbells share one read per jurisdiction; a burst that overflows that shared
    window falls back to each connection's own read and still loses nothing."""
    monkeypatch.setattr(consumers, "WINDOW_SIZE", 2)
    w = incident_world
    screens = [await open_feed(u) for u in (w.duty_officer_a, w.screen_a, w.approver_a)]
    last = await sync_to_async(selectors.latest_seq)()
    for screen in screens:
        await resume(screen, last)
    one = await sync_to_async(record)(w.county_a)
    for screen in screens:
        assert seqs(await next_events(screen, 1)) == one
    burst = await sync_to_async(record)(w.county_a, 5)
    for screen in screens:
        assert seqs(await next_events(screen, 5)) == burst
        assert await screen.receive_nothing(timeout=0.2)
        await screen.disconnect()


async def test_long_replay_comes_in_batches_and_asks_the_client_to_continue(
    incident_world, monkeypatch
):
    monkeypatch.setattr(consumers, "BATCH_SIZE", 2)
    monkeypatch.setattr(consumers, "REPLAY_LIMIT", 5)
    w = incident_world
    expected = await sync_to_async(visible_seqs)(w.duty_officer_a)
    expected += await sync_to_async(record)(w.county_a, 6)
    communicator = await open_feed(w.duty_officer_a)

    received: list[int] = []
    after = 0
    while True:
        await communicator.send_json_to({"type": "resume", "after": after})
        while True:
            message = await communicator.receive_json_from(timeout=5)
            if message["type"] != "events":
                break
            assert 1 <= len(message["events"]) <= 2
            received += seqs(message["events"])
        after = message["seq"]
        if message["type"] == "caught_up":
            break
        assert message["type"] == "more" and after == received[-1]
    assert received == expected
    await communicator.disconnect()


async def test_unreadable_messages_get_an_error_and_keep_the_socket(incident_world):
    communicator = await open_feed(incident_world.duty_officer_a)
    for bad in ("not json", json.dumps({"type": "dance"}), json.dumps([1])):
        await communicator.send_to(text_data=bad)
        assert (await communicator.receive_json_from(timeout=5))["type"] == "error"
    for after in (-1, "3", True, None):
        await communicator.send_json_to({"type": "resume", "after": after})
        assert (await communicator.receive_json_from(timeout=5))["type"] == "error"
    assert (await resume(communicator, 0))[0]
    await communicator.disconnect()


async def test_ping_after_logout_closes_the_socket(incident_world):
    communicator = await open_feed(incident_world.duty_officer_a)
    _, last = await resume(communicator, 0)
    await sync_to_async(Session.objects.all().delete)()
    await communicator.send_json_to({"type": "ping", "after": last})
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4401,
    }


@pytest.mark.django_db
def test_the_in_memory_visibility_check_agrees_with_the_database_filter(incident_world):
    """Doorbells are read once per process and each connection filters them with
    ``selectors.can_see``; that is only sound while it agrees with the database filter
    of replays (``core.visibility.event_filter``): by jurisdiction, type and, for
    own-organisation roles, the event's organisation."""
    w = incident_world
    root = User.objects.create_superuser("root", password="pw-Linkage-2026")
    nobody = f.user("nobody", None)
    record(w.town_a)
    with transaction.atomic():
        for type_ in ("order.issued", "rollcall.answered", "user.created", "unknown.thing"):
            for organisation in (w.force_a.organisation, None):
                record_event(
                    type=type_,
                    jurisdiction=w.county_a,
                    subject=w.county_a,
                    organisation=organisation,
                )
    everything = selectors.recent_events(0, 10_000)
    assert len(everything) == Event.objects.count()
    users = [*User.objects.exclude(pk__in=[root.pk, nobody.pk]), root, nobody]
    assert {u.username for u in users} >= {"force_a", "editor_water_a", "screen_a", "admin_a"}
    for user in users:
        key = selectors.visibility_key(user)
        in_memory = [
            e["seq"] for path, org, e in everything if selectors.can_see(key, path, e["type"], org)
        ]
        assert in_memory == visible_seqs(user), user.username
        assert [e["seq"] for e in selectors.events_after(user, 0, 10_000)] == in_memory


@pytest.mark.django_db
def test_the_feed_sends_events_as_serialize_event_writes_them(incident_world):
    record(incident_world.county_b)  # no actor
    events = Event.objects.select_related("jurisdiction", "actor").order_by("seq")
    expected = [selectors.serialize_event(e) for e in events]
    assert {e["actor"] for e in expected} >= {"王水利", "duty_a", None}
    assert [e for _, _, e in selectors.recent_events(0, 10_000)] == expected
    assert json.loads(json.dumps(expected)) == expected  # plain JSON all the way down
