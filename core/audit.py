"""The tamper-evident audit trail (等保 2.0 level 3, issue 8).

Every ``core.Event`` carries ``hash = sha256(prev_hash + canonical content)``, chained over
``seq``: changing, deleting or re-numbering a row breaks the chain at that row, and
``verify_chain`` (the ``verify_audit`` command and the /audit/ page) finds the first
break. The content function lives here alone so that writer and verifier cannot drift.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


def canonical_content(
    *,
    seq: int,
    type: str,
    jurisdiction_id: int,
    subject_type: str,
    subject_id: str,
    subject_label: str,
    payload: Any,
    actor_id: int | None,
    organisation_id: int | None,
    ip_address: str | None,
    created_at: dt.datetime,
) -> str:
    """One event's content as a stable string: sorted keys, no whitespace, UTC time with
    microseconds (what SQLite and PostgreSQL both store and give back unchanged)."""
    return json.dumps(
        {
            "seq": seq,
            "type": type,
            "jurisdiction": jurisdiction_id,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "subject_label": subject_label,
            "payload": payload,
            "actor": actor_id,
            "organisation": organisation_id,
            "ip_address": ip_address or None,
            "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def chain_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


# The columns ``canonical_content`` reads, for ``values()`` queries over many rows.
CONTENT_FIELDS = (
    "seq",
    "type",
    "jurisdiction_id",
    "subject_type",
    "subject_id",
    "subject_label",
    "payload",
    "actor_id",
    "organisation_id",
    "ip_address",
    "created_at",
)


def row_hash(row: dict[str, Any], prev_hash: str) -> str:
    """The hash a row of ``values(*CONTENT_FIELDS)`` should carry after ``prev_hash``."""
    return chain_hash(prev_hash, canonical_content(**{k: row[k] for k in CONTENT_FIELDS}))


# --- verifying the chain -----------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found: ``broken_seq`` is None when the chain holds."""

    count: int
    last_seq: int | None
    broken_seq: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk every event in seq order and return the first row where the chain breaks.

    Reasons name the kind of tampering only (no row content), so the report can be shown
    to an administrator who may not read every event.
    """
    from core.models import Event, EventCounter

    rows = Event.objects.order_by("seq").values("prev_hash", "hash", *CONTENT_FIELDS)
    count = 0
    prev: dict[str, Any] | None = None
    for row in rows.iterator(chunk_size=chunk_size):
        problem = _first_problem(row, prev)
        if problem:
            return ChainReport(count, prev["seq"] if prev else None, *problem)
        count += 1
        prev = row
    counter = EventCounter.objects.filter(pk=1).values("value", "last_hash").first()
    last_seq = prev["seq"] if prev else None
    if counter and counter["value"] != (last_seq or 0):
        return ChainReport(
            count,
            last_seq,
            (last_seq or 0) + 1,
            _("The newest events (after seq %(seq)s) were deleted.") % {"seq": last_seq or 0},
        )
    if counter and prev and counter["last_hash"] != prev["hash"]:
        return ChainReport(
            count, last_seq, last_seq, _("The newest event was changed or replaced.")
        )
    return ChainReport(count, last_seq)


def _first_problem(row: dict[str, Any], prev: dict[str, Any] | None) -> tuple[int, str] | None:
    from core.models import Event

    seq = row["seq"]
    if prev is None:
        if row["prev_hash"]:
            return seq, _("Events before this one were deleted.")
    elif seq != prev["seq"] + 1:
        return prev["seq"] + 1, _("Missing seq: the event was deleted.")
    elif row["prev_hash"] != prev["hash"]:
        elsewhere = (
            Event.objects.filter(hash=row["prev_hash"]).values_list("seq", flat=True).first()
        )
        if elsewhere is not None:
            return seq, _(
                "Events were re-ordered: this event follows seq %(seq)s in the chain."
            ) % {"seq": elsewhere}
        return seq, _("The event before this one was deleted or replaced.")
    if row_hash(row, row["prev_hash"]) != row["hash"]:
        return seq, _("The content was changed (hash mismatch).")
    return None
