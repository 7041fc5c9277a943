"""The doorbell of one event carries it (core.realtime): a server's hub takes the next
event from its doorbell without reading the log, and reads the log on any gap, so what
a screen receives is the same either way — every event, once, in order."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from core import consumers, realtime, selectors
from core.events import record_event
from core.models import Event
from tests.core.test_live_feed import (
    in_memory_layer,  # noqa: F401 (fixture)
    next_events,
    open_feed,
    record,
    resume,
    seqs,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """The ``after`` of every read of the log by the hubs."""
    calls: list[int] = []
    read = consumers._read_recent

    async def counting(after: int, limit: int):
        calls.append(after)
        return await read(after, limit)

    monkeypatch.setattr(consumers, "_read_recent", counting)
    return calls


def test_the_doorbell_carries_the_event_as_the_log_gives_it(incident_world):
    record(incident_world.county_a)
    record(incident_world.county_b)  # no actor
    for event in Event.objects.select_related("jurisdiction", "actor").order_by("seq"):
        path, organisation_id, kind, text = realtime.carried(event)
        [(read_path, read_organisation, read_event)] = [
            row for row in selectors.recent_events(event.seq - 1, 1)
        ]
        assert (path, organisation_id, kind) == (read_path, read_organisation, read_event["type"])
        assert json.loads(text) == read_event


def test_an_event_too_large_to_carry_is_announced_without_it(incident_world):
    with transaction.atomic():
        event = record_event(
            type="incident.noted",
            jurisdiction=incident_world.county_a,
            subject=incident_world.county_a,
            payload={"text": "汛" * realtime.CARRY_LIMIT},
        )
    assert realtime.carried(event) is None


async def test_pushed_events_come_from_their_doorbells_without_reading_the_log(
    incident_world, reads
):
    communicator = await open_feed(incident_world.duty_officer_a)
    await resume(communicator, 0)
    first = await sync_to_async(record)(incident_world.county_a)
    assert seqs(await next_events(communicator, 1)) == first
    following = await sync_to_async(record)(incident_world.county_a, 3)
    assert seqs(await next_events(communicator, 3)) == following
    assert reads == []
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_a_lost_doorbell_makes_the_hub_read_the_log_and_nothing_is_missed(
    incident_world, reads, monkeypatch
):
    w = incident_world
    communicator = await open_feed(w.duty_officer_a)
    await resume(communicator, 0)
    last = await sync_to_async(selectors.latest_seq)()

    # The first event's doorbell never rings; the second one's carries only itself.
    with monkeypatch.context() as silent:
        silent.setattr("core.events.ring_doorbell", lambda **kwargs: None)
        lost = await sync_to_async(record)(w.county_a)
    rung = await sync_to_async(record)(w.county_a)

    assert seqs(await next_events(communicator, 2)) == lost + rung
    assert reads == [last]
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_doorbells_arriving_out_of_order_deliver_each_event_once_in_order(
    incident_world, reads, monkeypatch
):
    """Two writers: the later commit's doorbell overtakes the earlier one's."""
    w = incident_world
    communicator = await open_feed(w.duty_officer_a)
    await resume(communicator, 0)
    last = await sync_to_async(selectors.latest_seq)()
    held: list[dict] = []
    with monkeypatch.context() as holding:
        holding.setattr("core.events.ring_doorbell", lambda **kwargs: held.append(kwargs))
        early = await sync_to_async(record)(w.county_a)
        late = await sync_to_async(record)(w.county_a)
    for kwargs in reversed(held):
        await sync_to_async(realtime.ring_doorbell)(**kwargs)

    assert seqs(await next_events(communicator, 2)) == early + late
    assert reads == [last]  # the overtaking doorbell found a gap
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
