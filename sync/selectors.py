"""The change feed (SPEC §8, §11): every event a client may see after a cursor, with its
subject's current representation.

Backed by ``core.Event``: sequence numbers are issued in commit order
(``core.events.record_event`` holds the counter row until commit), so a client that
stores ``next`` and sends it back as ``after`` can never miss a change nor see one twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core import subjects
from core.exceptions import ValidationFailed
from core.models import Event, Jurisdiction
from core.selectors import latest_seq
from core.visibility import event_filter

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class ChangePage:
    changes: list[dict[str, Any]]
    next: int  # the cursor to send as ``after`` next time; never below ``after``
    more: bool  # the page was cut by ``limit``: ask again at once


def changes_after(
    user: Any,
    *,
    after: int,
    limit: int = DEFAULT_LIMIT,
    kinds: set[str] | None = None,
    jurisdiction: str | None = None,
) -> ChangePage:
    """The events ``user`` may see with ``seq > after``, oldest first, at most ``limit``,
    each with its subject's representation for ``user`` (``data``; ``None`` with
    ``deleted`` when the subject is gone or no longer visible).

    ``next`` is complete: when ``limit`` cut the page it is the last seq returned,
    otherwise the log's latest seq when the page was read (read before the events, so
    every event up to it had committed) — a quiet client's cursor still moves on past
    events it may not see.
    """
    if after < 0:
        message = _("Give a cursor of 0 or more.")
        raise ValidationFailed(message, errors={"after": [message]})
    if not 1 <= limit <= MAX_LIMIT:
        message = _("Give a limit between 1 and %(max)d.") % {"max": MAX_LIMIT}
        raise ValidationFailed(message, errors={"limit": [message]})
    latest = latest_seq()
    if after > latest:
        # No feed ever gave this cursor: following it would skip every change to come.
        message = _(
            "The cursor is beyond the latest change (%(latest)d): send a next this feed gave."
        ) % {"latest": latest}
        raise ValidationFailed(message, errors={"after": [message]})
    events = Event.objects.filter(event_filter(user), seq__gt=after)
    if kinds:
        events = events.filter(subject_type__in=subjects.subject_types_of(kinds))
    if jurisdiction is not None:
        path = Jurisdiction.objects.filter(code=jurisdiction).values_list("path", flat=True).first()
        if path is None:
            message = _("No jurisdiction has this code.")
            raise ValidationFailed(message, errors={"jurisdiction": [message]})
        events = events.filter(jurisdiction__path__startswith=path)
    rows = list(events.select_related("jurisdiction", "actor").order_by("seq")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if more:
        cursor = rows[-1].seq
    else:
        cursor = max(latest, after, rows[-1].seq if rows else 0)
    return ChangePage(changes=render_changes(user, rows), next=cursor, more=more)


def render_changes(user: Any, events: list[Event]) -> list[dict[str, Any]]:
    """The feed's JSON form of events (loaded with ``jurisdiction`` and ``actor``)."""
    current = subjects.represent(user, [(e.subject_type, e.subject_id) for e in events])
    changes = []
    for event in events:
        key = (event.subject_type, event.subject_id)
        data = current.get(key)
        actor = event.actor
        changes.append(
            {
                "seq": event.seq,
                "type": event.type,
                "time": timezone.localtime(event.created_at).isoformat(),
                "jurisdiction": {
                    "code": event.jurisdiction.code,
                    "name": event.jurisdiction.name,
                },
                "subject": {
                    "type": event.subject_type,
                    "kind": subjects.kind_of(event.subject_type),
                    "id": event.subject_id,
                    "external_id": (data or {}).get("external_id") or None,
                    "label": event.subject_label,
                },
                "actor": (actor.display_name or actor.username) if actor is not None else None,
                "payload": event.payload,
                "data": data,
                "deleted": key in current and data is None,
            }
        )
    return changes
