"""Reads of the event log shared by the live feed, pages and benches (SPEC §8).

The live feed reads events from here, never from the channel layer: the database is the
stream, Channels only says that something new exists (RELIABILITY.md).
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.db.models import Max, QuerySet

from core.models import Event, Jurisdiction, User


def serialize_event(event: Event) -> dict[str, Any]:
    """The JSON form of an event sent to screens. Load it with ``jurisdiction`` and
    ``actor`` selected."""
    actor = event.actor
    return {
        "seq": event.seq,
        "type": event.type,
        "jurisdiction": event.jurisdiction.code,
        "jurisdiction_name": event.jurisdiction.name,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "subject_label": event.subject_label,
        "payload": event.payload,
        "actor": (actor.display_name or actor.username) if actor is not None else None,
        "created_at": event.created_at.isoformat(),
    }


# The same JSON as serialize_event, read straight from a values_list: the live feed reads
# on every doorbell and model instances would only slow it down.
_COLUMNS = (
    "jurisdiction__path",
    "seq",
    "type",
    "jurisdiction__code",
    "jurisdiction__name",
    "subject_type",
    "subject_id",
    "subject_label",
    "payload",
    "actor__display_name",
    "actor__username",
    "created_at",
)


def _serialized(events: QuerySet[Event]) -> list[tuple[str, dict[str, Any]]]:
    """(jurisdiction path, JSON form) of each event of an ordered queryset."""
    return [
        (
            path,
            {
                "seq": seq,
                "type": type_,
                "jurisdiction": code,
                "jurisdiction_name": name,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "subject_label": subject_label,
                "payload": payload,
                "actor": (display_name or username) if username is not None else None,
                "created_at": created_at.isoformat(),
            },
        )
        for (
            path,
            seq,
            type_,
            code,
            name,
            subject_type,
            subject_id,
            subject_label,
            payload,
            display_name,
            username,
            created_at,
        ) in events.values_list(*_COLUMNS)
    ]


# Security events (logins, refusals, reveals) are read on the audit page, not live.
AUDIT_ONLY = "security."


def events_after(user: Any, after: int, limit: int) -> list[dict[str, Any]]:
    """Events the user may see with ``seq > after``, oldest first, at most ``limit``.

    Complete up to the last one returned: sequence numbers are issued in commit order
    (``core.events.record_event``), so no event below it can appear later.
    """
    events = (
        Event.objects.visible_to(user)
        .filter(seq__gt=after)
        .exclude(type__startswith=AUDIT_ONLY)
        .order_by("seq")[:limit]
    )
    return [event for _, event in _serialized(events)]


def replay(user: Any, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """``events_after`` and the seq up to which that answer is complete: the log's
    latest seq when it was read, or the last event returned if ``limit`` cut it short."""
    latest = latest_seq()
    events = events_after(user, after, limit)
    if len(events) >= limit:
        return events, events[-1]["seq"]
    return events, max(latest, after, events[-1]["seq"] if events else 0)


def recent_events(after: int, limit: int) -> list[tuple[str, dict[str, Any]]]:
    """Every event with ``seq > after`` (any jurisdiction), oldest first, at most
    ``limit``, each with its jurisdiction path for ``can_see``. The live feed reads new
    events once per process this way and hands each connection what it may see."""
    events = Event.objects.filter(seq__gt=after).exclude(type__startswith=AUDIT_ONLY)
    return _serialized(events.order_by("seq")[:limit])


def latest_seq() -> int:
    """The highest committed sequence number (0 for an empty log). A page rendered with
    it lets its live feed resume from exactly what the page showed."""
    return Event.objects.aggregate(last=Max("seq"))["last"] or 0


def visibility_key(user: Any) -> str:
    """What decides which events a user sees (``ScopedQuerySet.visible_to``): ``"*"``
    for a superuser, otherwise the path of their jurisdiction ("" for none)."""
    if user.is_superuser:
        return "*"
    jurisdiction = user.jurisdiction
    return jurisdiction.path if jurisdiction is not None else ""


def can_see(key: str, path: str) -> bool:
    """``visible_to`` for one event, in memory: may a user of ``visibility_key`` ``key``
    see an event whose jurisdiction has ``path``? Kept equal to ``visible_to`` by
    tests/core/test_live_feed.py."""
    return key == "*" or (key != "" and path.startswith(key))


def live_user(user_id: int, session_key: str | None) -> User | None:
    """The user behind a live connection, fresh from the database, or None once the
    account is inactive or its login has ended (logout, expiry, password change): an
    open socket must not outlive the login that opened it."""
    if session_key is not None:
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
        # Django's own check: backend, session hash (password changes), is_active.
        if auth.get_user(SimpleNamespace(session=store)).pk != user_id:
            return None
    return (
        User.objects.select_related("organisation__jurisdiction")
        .filter(pk=user_id, is_active=True)
        .first()
    )


def live_group_codes(user: Any) -> list[str]:
    """Jurisdiction codes whose doorbell a user's live feed listens to: the user's own
    jurisdiction (events below it ring it too), or every root for a superuser. Empty
    when the user belongs to no jurisdiction."""
    if user.is_superuser:
        return list(
            Jurisdiction.objects.filter(parent__isnull=True)
            .order_by("code")
            .values_list("code", flat=True)
        )
    jurisdiction = user.jurisdiction
    return [jurisdiction.code] if jurisdiction is not None else []
