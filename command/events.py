"""The event types of incidents (SPEC §8): the one place they are spelt."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class IncidentEvent(StrEnum):
    CREATED = "incident.created"
    UPDATED = "incident.updated"
    # An update that changed the level: the hall and the provincial sync react to it.
    REASSESSED = "incident.reassessed"
    CLOSED = "incident.closed"
