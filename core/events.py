"""Writing the domain event log (SPEC §8)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from core.audit import canonical_content, chain_hash
from core.models import Event, EventCounter, Jurisdiction, Organisation, User
from core.realtime import ring_doorbell


def _next_seq_and_hash(connection) -> tuple[int, str]:
    """Take the counter row (locked until commit) and return the new seq with the hash
    of the event before it: one ``UPDATE … RETURNING`` on SQLite and PostgreSQL alike."""
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(EventCounter._meta.db_table)} SET {qn('value')} = {qn('value')} + 1 "
        f"WHERE {qn('id')} = 1 RETURNING {qn('value')}, {qn('last_hash')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            EventCounter.objects.get_or_create(pk=1)
            cursor.execute(sql)
            row = cursor.fetchone()
    return row[0], row[1] or ""


def record_event(
    *,
    type: str,
    jurisdiction: Jurisdiction,
    subject: models.Model,
    payload: dict[str, Any] | None = None,
    actor: User | None = None,
    organisation: Organisation | None = None,
    ip_address: str | None = None,
) -> Event:
    """Append one event in the caller's transaction, chained onto the previous one.

    The counter row is locked by its ``UPDATE`` and held until the caller commits, so
    sequence numbers become visible strictly in order: a reader resuming after
    ``seq = n`` can never miss a smaller one that commits later. Call it as the last
    write of a service to keep that lock short. Reading the previous hash under the
    same lock makes the hash chain follow commit order too.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change")
    seq, prev_hash = _next_seq_and_hash(connection)
    event = Event(
        seq=seq,
        type=str(type),
        jurisdiction=jurisdiction,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:200],
        payload=payload or {},
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        # Normalised as the column stores it (IPv6 compressed), so the hash matches.
        ip_address=Event._meta.get_field("ip_address").get_prep_value(ip_address or None),
        # Set here, not by the database, so that the hashed time is the stored time.
        created_at=timezone.now(),
        prev_hash=prev_hash,
    )
    event.hash = chain_hash(
        prev_hash,
        canonical_content(
            seq=seq,
            type=event.type,
            jurisdiction_id=event.jurisdiction_id,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            subject_label=event.subject_label,
            payload=event.payload,
            actor_id=event.actor_id,
            organisation_id=event.organisation_id,
            ip_address=event.ip_address,
            created_at=event.created_at,
        ),
    )
    event.save(force_insert=True)
    EventCounter.objects.filter(pk=1).update(last_hash=event.hash)
    codes = jurisdiction.ancestors_and_self()
    # Channels is only a doorbell: screens fetch the events themselves from this table.
    transaction.on_commit(lambda: ring_doorbell(seq=seq, jurisdiction_codes=codes), robust=True)
    return event
