"""Writing the domain event log (SPEC §8), and core's event vocabulary.

Every app spells its event types once, as a ``StrEnum`` in its own ``events`` module
(``forces.events.ForceEvent``, ``duty.events.RollCallEvent`` …), the way Zulip declares
its audit-log event types; services pass a member to ``record_event``, never a string.
The values are the stored ``Event.type`` strings: they never change, because the live
feed, the provincial sync and the audit page match on them. tests/core/
test_event_vocabulary.py holds the code to this.
"""

from __future__ import annotations

from enum import Enum, StrEnum, unique
from importlib import import_module
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.audit import SecurityEvent, canonical_content, chain_hash
from core.models import Event, EventCounter, Jurisdiction, Organisation, User
from core.realtime import ring_doorbell

__all__ = [
    "ADMINISTRATIVE_LABELS",
    "AccountEvent",
    "AdminEvent",
    "CredentialEvent",
    "SecurityEvent",
    "declared_vocabularies",
    "record_event",
    "record_events",
]


@unique
class AccountEvent(StrEnum):
    """Event types of account and organisation administration."""

    # "user.created" predates the others; the live feed and sync already know it.
    CREATED = "user.created"
    UPDATED = "account.updated"
    ROLES_CHANGED = "account.roles_changed"
    DEACTIVATED = "account.deactivated"
    REACTIVATED = "account.reactivated"
    PASSWORD_RESET = "account.password_reset"
    ORGANISATION_CREATED = "organisation.created"
    ORGANISATION_UPDATED = "organisation.updated"


@unique
class AdminEvent(StrEnum):
    """What an operator did in the admin (core.admin_base)."""

    ADDED = "admin.added"
    CHANGED = "admin.changed"
    DELETED = "admin.deleted"


@unique
class CredentialEvent(StrEnum):
    """Tokens and second factors (core.credentials). The sign-in events, which carry
    labels for the audit page, are ``SecurityEvent`` in core.audit, re-exported here."""

    TOKEN_ROTATED = "security.token_rotated"
    TOKEN_REVOKED = "security.token_revoked"
    PASSWORD_CHANGED = "security.password_changed"
    OTP_ENROLLED = "security.otp_enrolled"


# The audit page's names of the administrative and credential types (SecurityEvent
# carries its own labels).
ADMINISTRATIVE_LABELS = {
    AccountEvent.CREATED: gettext_lazy("Account created"),
    AccountEvent.UPDATED: gettext_lazy("Account changed"),
    AccountEvent.ROLES_CHANGED: gettext_lazy("Roles changed"),
    AccountEvent.DEACTIVATED: gettext_lazy("Account deactivated"),
    AccountEvent.REACTIVATED: gettext_lazy("Account reactivated"),
    AccountEvent.PASSWORD_RESET: gettext_lazy("Password reset"),
    AccountEvent.ORGANISATION_CREATED: gettext_lazy("Organisation created"),
    AccountEvent.ORGANISATION_UPDATED: gettext_lazy("Organisation changed"),
    AdminEvent.ADDED: gettext_lazy("Added in the admin"),
    AdminEvent.CHANGED: gettext_lazy("Changed in the admin"),
    AdminEvent.DELETED: gettext_lazy("Deleted in the admin"),
    CredentialEvent.TOKEN_ROTATED: gettext_lazy("API token rotated"),
    CredentialEvent.TOKEN_REVOKED: gettext_lazy("API token revoked"),
    CredentialEvent.PASSWORD_CHANGED: gettext_lazy("Password changed"),
    CredentialEvent.OTP_ENROLLED: gettext_lazy("Second factor enrolled"),
}


def declared_vocabularies() -> dict[str, tuple[type[Enum], ...]]:
    """The event vocabularies of the installed apps, by app label: the str enums that
    each app's ``events`` module declares or re-exports from its own package."""
    from django.apps import apps

    found: dict[str, tuple[type[Enum], ...]] = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.events"
        try:
            module = import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        enums = {
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Enum)
            and issubclass(value, str)
            and value.__module__.split(".")[0] == config.name.split(".")[0]
        }
        if enums:
            found[config.label] = tuple(sorted(enums, key=lambda e: e.__name__))
    return found


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
    type: str,  # a member of an app's event vocabulary (StrEnum)
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
    transaction.on_commit(
        lambda: ring_doorbell(seq=seq, jurisdiction_codes=codes, event=event), robust=True
    )
    return event


def record_events(
    *,
    type: str,  # a member of an app's event vocabulary (StrEnum)
    jurisdiction: Jurisdiction,
    items: list[tuple[models.Model, dict[str, Any], Organisation | None]],
    actor: User | None = None,
) -> list[Event]:
    """``record_event`` for many subjects of one change at once (an activation sends forty
    instructions): one counter ``UPDATE`` for the whole block of sequence numbers, one bulk
    insert, one hash update — a constant number of queries whatever the count. Each item
    is (subject, payload, organisation); the chain is the one ``record_event`` builds."""
    if not items:
        return []
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("record_events must run inside the transaction of the change")
    qn = connection.ops.quote_name
    count = len(items)
    sql = (
        f"UPDATE {qn(EventCounter._meta.db_table)} SET {qn('value')} = {qn('value')} + %s "
        f"WHERE {qn('id')} = 1 RETURNING {qn('value')}, {qn('last_hash')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count])
        row = cursor.fetchone()
        if row is None:
            EventCounter.objects.get_or_create(pk=1)
            cursor.execute(sql, [count])
            row = cursor.fetchone()
    last_seq, prev_hash = row[0], row[1] or ""
    actor = actor if actor is not None and actor.is_authenticated else None
    now = timezone.now()
    events = []
    for offset, (subject, payload, organisation) in enumerate(items):
        seq = last_seq - count + 1 + offset
        event = Event(
            seq=seq,
            type=str(type),
            jurisdiction=jurisdiction,
            subject_type=subject._meta.label_lower,
            subject_id=str(subject.pk),
            subject_label=str(subject)[:200],
            payload=payload or {},
            actor=actor,
            organisation=organisation,
            created_at=now,
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
                ip_address=None,
                created_at=now,
            ),
        )
        prev_hash = event.hash
        events.append(event)
    Event.objects.bulk_create(events)
    EventCounter.objects.filter(pk=1).update(last_hash=prev_hash)
    codes = jurisdiction.ancestors_and_self()
    transaction.on_commit(
        lambda: ring_doorbell(seq=last_seq, jurisdiction_codes=codes), robust=True
    )
    return events
