"""Who may change the registry of forces and experts (SPEC §2). Reading is
``core.permissions.can_read_registry``; editing one record is ``forces.services``'
``can_edit_force`` / ``can_edit_expert`` (the owning organisation, jurisdiction, grants)."""

from __future__ import annotations

from typing import Any

from core.roles import REGISTRY_EDITORS, Role


def may_create_records(user: Any) -> bool:
    """Department editors, administrators and the provincial sync client add forces and
    experts (for an organisation the service then checks)."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*REGISTRY_EDITORS, Role.SYNC_CLIENT)
    )
