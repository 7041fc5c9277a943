"""The event types the force registry records (SPEC §8): the one place they are spelt."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class ForceEvent(StrEnum):
    CREATED = "force.created"
    UPDATED = "force.updated"
    STATUS_CHANGED = "force.status_changed"
    PERSONNEL_ADDED = "force.personnel_added"
    PERSONNEL_UPDATED = "force.personnel_updated"
    PERSONNEL_REMOVED = "force.personnel_removed"
    EQUIPMENT_ADDED = "force.equipment_added"
    EQUIPMENT_UPDATED = "force.equipment_updated"
    EQUIPMENT_REMOVED = "force.equipment_removed"
    MATERIAL_ADDED = "force.material_added"
    MATERIAL_UPDATED = "force.material_updated"
    MATERIAL_REMOVED = "force.material_removed"
    EXPERT_CREATED = "expert.created"
    EXPERT_UPDATED = "expert.updated"
    EXPERT_GROUP_CREATED = "expert_group.created"

    @classmethod
    def item(cls, kind: str, step: str) -> ForceEvent:
        """A person, piece of equipment or material ``added``/``updated``/``removed``;
        ``kind`` is a key of ``FORCE_ITEM_MODELS``. Unknown pairs raise ValueError."""
        return cls(f"force.{kind}_{step}")
