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
from typing import Any


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
