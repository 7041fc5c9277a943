"""The event vocabulary of provincial sync (family ``subscriber`` in core.visibility:
the jurisdiction's administrators and sync clients read it)."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class SyncEvent(StrEnum):
    SUBSCRIBER_CREATED = "subscriber.created"
    SUBSCRIBER_UPDATED = "subscriber.updated"
    # Recorded once when a subscriber starts failing, and once when it recovers; the
    # attempts in between are on the subscriber row, not in the log.
    SUBSCRIBER_FAILING = "subscriber.failing"
    SUBSCRIBER_RECOVERED = "subscriber.recovered"
