"""The event log is a hash chain over ``seq`` (issue 8, tamper-evident audit): every
event carries the hash of its content and of the event before it, so a changed payload,
a deleted row or a re-numbered seq shows up at the first row it touched."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.audit import CONTENT_FIELDS, row_hash
from core.events import record_event
from core.models import Event, EventCounter

pytestmark = pytest.mark.django_db


def write(world, type="test.audit", **kwargs):
    with transaction.atomic():
        return record_event(type=type, jurisdiction=world.county_a, subject=world.force_a, **kwargs)


def stored(seq):
    return Event.objects.values("pk", "prev_hash", "hash", *CONTENT_FIELDS).get(seq=seq)


def test_each_event_chains_onto_the_previous_one_as_stored(world):
    first = write(world, payload={"名称": "临清", "n": 1.5, "nested": {"b": [1, 2], "a": None}})
    second = write(
        world,
        actor=world.duty_officer_a,
        organisation=world.water_a,
        ip_address="2001:0db8:0000:0000:0000:0000:0000:0001",
    )
    # Recomputed from what the database gives back (microseconds, JSON, IPv6 normalised).
    row = stored(second.seq)
    assert row["ip_address"] == "2001:db8::1"
    assert row["prev_hash"] == first.hash == stored(first.seq)["hash"]
    assert row_hash(row, row["prev_hash"]) == row["hash"] == second.hash
    assert row_hash(stored(first.seq), first.prev_hash) == first.hash
    assert EventCounter.objects.get(pk=1).last_hash == second.hash


def test_the_hash_covers_the_content(world):
    event = write(world, payload={"status": "ready"})
    row = stored(event.seq)
    assert row_hash({**row, "payload": {"status": "gone"}}, row["prev_hash"]) != row["hash"]
    assert row_hash({**row, "seq": row["seq"] + 1}, row["prev_hash"]) != row["hash"]
    assert row_hash(row, "0" * 64) != row["hash"]


def test_recording_an_event_costs_three_queries(world):
    write(world)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        record_event(type="test.count", jurisdiction=world.county_a, subject=world.force_a)
    # Counter (UPDATE … RETURNING seq and previous hash), the INSERT, the counter's hash:
    # as many as before the chain (UPDATE, SELECT … FOR UPDATE, INSERT).
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 3, statements


def test_the_data_migration_chains_events_written_before_the_chain(world):
    chain_events = __import__(
        "core.migrations.0007_chain_existing_events", fromlist=["chain_events"]
    ).chain_events
    events = [write(world, payload={"i": i}) for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_event SET hash = '', prev_hash = ''")
        cursor.execute("UPDATE core_eventcounter SET last_hash = ''")
    chain_events(django_apps, SimpleNamespace(connection=connection))
    rows = [stored(e.seq) for e in events]
    assert [r["hash"] for r in rows] == [e.hash for e in events]
    assert rows[0]["prev_hash"] == stored(events[0].seq - 1)["hash"]  # the world's forces
    assert EventCounter.objects.get(pk=1).last_hash == events[-1].hash
