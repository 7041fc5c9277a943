"""Writing the domain event log (SPEC §8)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import F

from core.models import Event, EventCounter, Jurisdiction, Organisation, User
from core.realtime import ring_doorbell


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
    """Append one event in the caller's transaction.

    The counter row is taken ``FOR UPDATE`` and held until the caller commits, so
    sequence numbers become visible strictly in order: a reader resuming after
    ``seq = n`` can never miss a smaller one that commits later. Call it as the last
    write of a service to keep that lock short.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change")
    updated = EventCounter.objects.filter(pk=1).update(value=F("value") + 1)
    if not updated:
        EventCounter.objects.get_or_create(pk=1)
        EventCounter.objects.filter(pk=1).update(value=F("value") + 1)
    seq = EventCounter.objects.select_for_update().values_list("value", flat=True).get(pk=1)
    event = Event.objects.create(
        seq=seq,
        type=type,
        jurisdiction=jurisdiction,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:200],
        payload=payload or {},
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        ip_address=ip_address or None,
    )
    codes = jurisdiction.ancestors_and_self()
    # Channels is only a doorbell: screens fetch the events themselves from this table.
    transaction.on_commit(lambda: ring_doorbell(seq=seq, jurisdiction_codes=codes), robust=True)
    return event
