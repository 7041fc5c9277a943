"""The event vocabulary of warnings (families ``warning`` and ``grid`` in
core.visibility)."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class WarningEvent(StrEnum):
    CREATED = "warning.created"  # a draft, drafted here or imported from CAP
    EDITED = "warning.edited"  # a draft changed
    IMPORTED = "warning.imported"  # a CAP message became a draft
    PUBLISHED = "warning.published"  # first version or an update: recipients asked
    CANCELLED = "warning.cancelled"
    EXPIRED = "warning.expired"
    RELAYED = "warning.relayed"  # the bureau sent it on to more recipients
    ACKNOWLEDGED = "warning.acknowledged"  # one recipient answered (叫应)


@unique
class GridEvent(StrEnum):
    CREATED = "grid.created"
    UPDATED = "grid.updated"
    IMPORTED = "grid.imported"  # one event per import, with counts
