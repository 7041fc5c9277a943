"""The event log is a hash chain over ``seq`` (issue 8, tamper-evident audit): every
event carries the hash of its content and of the event before it, so a changed payload,
a deleted row or a re-numbered seq shows up at the first row it touched."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.audit import CONTENT_FIELDS, row_hash
from core.events import record_event
from core.models import Event, EventCounter, PersonalDataAccess

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
        "core.migrations.0009_chain_existing_events", fromlist=["chain_events"]
    ).chain_events
    events = [write(world, payload={"i": i}) for i in range(3)]
    raw("UPDATE core_event SET hash = '', prev_hash = ''")
    raw("UPDATE core_eventcounter SET last_hash = ''")
    if connection.vendor == "postgresql":
        # 0007 runs before the trigger of 0008 exists; here the trigger is in place.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_event DISABLE TRIGGER core_event_append_only")
    chain_events(django_apps, SimpleNamespace(connection=connection))
    rows = [stored(e.seq) for e in events]
    assert [r["hash"] for r in rows] == [e.hash for e in events]
    assert rows[0]["prev_hash"] == stored(events[0].seq - 1)["hash"]  # the world's forces
    assert EventCounter.objects.get(pk=1).last_hash == events[-1].hash


# --- verify_audit finds the first break -------------------------------------------------


def run_verify():
    """(exit status, output) of ``manage.py verify_audit``."""
    out, err = io.StringIO(), io.StringIO()
    try:
        # The operator reads it in Chinese; the assertions below read the English source.
        with translation.override("en"):
            call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return 1, str(exc)
    return 0, out.getvalue()


def raw(sql, params=()):
    """Tamper as someone with the database owner's rights would: on PostgreSQL that
    means switching the append-only trigger off first (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
            cursor.execute("ALTER TABLE core_event DISABLE TRIGGER core_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_event ENABLE TRIGGER core_event_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def chain(world):
    """Five events of our own after the world's; returns their seqs."""
    return [write(world, payload={"i": i}).seq for i in range(5)]


def test_an_untouched_chain_is_reported_intact(chain):
    status, output = run_verify()
    total = Event.objects.count()
    assert status == 0
    assert output.strip() == f"{total} events, chain intact up to seq {chain[-1]}"


def test_an_empty_log_is_intact(db):
    assert run_verify() == (0, "0 events, chain intact up to seq 0\n")


def test_a_changed_payload_is_found_at_its_seq(chain):
    raw("UPDATE core_event SET payload = %s WHERE seq = %s", ['{"i": 99}', chain[2]])
    status, output = run_verify()
    assert status == 1
    assert f"chain broken at seq {chain[2]}" in output and "content was changed" in output


def test_a_changed_address_or_time_is_found(chain):
    raw("UPDATE core_event SET ip_address = '10.9.9.9' WHERE seq = %s", [chain[1]])
    assert f"broken at seq {chain[1]}:" in run_verify()[1]


def test_a_changed_row_with_a_recomputed_hash_breaks_the_link_to_the_next(chain):
    raw("UPDATE core_event SET payload = %s WHERE seq = %s", ['{"i": 99}', chain[2]])
    row = stored(chain[2])
    raw(
        "UPDATE core_event SET hash = %s WHERE seq = %s",
        [row_hash(row, row["prev_hash"]), chain[2]],
    )
    status, output = run_verify()
    assert status == 1
    assert f"chain broken at seq {chain[3]}: The event before this one" in output


def test_a_deleted_event_is_found_at_the_missing_seq(chain):
    raw("DELETE FROM core_event WHERE seq = %s", [chain[2]])
    status, output = run_verify()
    assert status == 1
    assert f"chain broken at seq {chain[2]}: Missing seq" in output


def test_deleted_newest_events_are_found(chain):
    raw("DELETE FROM core_event WHERE seq >= %s", [chain[3]])
    status, output = run_verify()
    assert status == 1 and f"broken at seq {chain[3]}:" in output


def test_deleted_oldest_events_are_found(chain):
    raw("DELETE FROM core_event WHERE seq <= %s", [chain[0]])
    status, output = run_verify()
    assert status == 1 and f"broken at seq {chain[0] + 1}:" in output


def test_deleting_and_renumbering_is_found(chain):
    raw("DELETE FROM core_event WHERE seq = %s", [chain[2]])
    raw("UPDATE core_event SET seq = seq - 1 WHERE seq > %s", [chain[2]])
    raw("UPDATE core_eventcounter SET value = value - 1")
    status, output = run_verify()
    assert status == 1 and f"broken at seq {chain[2]}:" in output


def test_swapped_seqs_are_reported_as_reordered(chain):
    a, b = chain[1], chain[2]
    raw("UPDATE core_event SET seq = -1 WHERE seq = %s", [a])
    raw("UPDATE core_event SET seq = %s WHERE seq = %s", [a, b])
    raw("UPDATE core_event SET seq = %s WHERE seq = -1", [b])
    status, output = run_verify()
    assert status == 1
    assert f"chain broken at seq {a}: Events were re-ordered" in output
    assert f"follows seq {b}" in output


def test_the_verifier_reads_in_chunks_and_still_finds_a_late_break(chain):
    raw("UPDATE core_event SET type = 'test.forged' WHERE seq = %s", [chain[4]])
    out = io.StringIO()
    with pytest.raises(CommandError, match=f"broken at seq {chain[4]}:"):
        call_command("verify_audit", "--chunk-size", "2", stdout=out)


# --- the database refuses changes (PostgreSQL) ---------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_event SET payload = '{}' WHERE seq = %s",
        "DELETE FROM core_event WHERE seq = %s",
        "UPDATE core_personaldataaccess SET field = 'x' WHERE subject_id = %s",
        "DELETE FROM core_personaldataaccess WHERE subject_id = %s",
    ],
)
def test_postgresql_refuses_to_update_or_delete_audit_rows(world, sql):
    event = write(world, payload={"status": "ready"})
    PersonalDataAccess.objects.create(
        user=world.duty_officer_a, subject_type="forces.force", subject_id=str(event.seq)
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [str(event.seq)] if "subject_id" in sql else [event.seq])
    assert Event.objects.filter(seq=event.seq, payload={"status": "ready"}).count() == 1
    assert PersonalDataAccess.objects.filter(subject_id=str(event.seq), field="").count() == 1
