"""Who may see and change what (SPEC §1): role → groups, jurisdiction → the tree,
object → django-guardian grants to an organisation's group."""

from __future__ import annotations

from typing import Any

from core.models import Jurisdiction, Organisation
from core.roles import REGISTRY_READERS, Role


def in_jurisdiction(user: Any, jurisdiction: Jurisdiction) -> bool:
    """True if ``jurisdiction`` is the user's own or lies below it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    own = user.jurisdiction
    return own is not None and own.contains(jurisdiction)


def can_read_registry(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.has_role(*REGISTRY_READERS)


def can_see_personal_data(user: Any, organisation_id: int | None) -> bool:
    """Phones and ID numbers: the owning organisation and administrators only. A sync
    client is a machine account of the bureau, not a person of it: what it copies to
    another platform is masked, whoever owns the record."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        return True
    if user.has_role(Role.SYNC_CLIENT):
        return False
    return organisation_id is not None and user.organisation_id == organisation_id


def can_manage_organisation_data(user: Any, organisation: Organisation) -> bool:
    """May ``user`` create records owned by ``organisation`` (forces, experts)? The
    provincial sync client registers the provincial teams of every organisation in its
    jurisdiction, like an administrator there."""
    if not in_jurisdiction(user, organisation.jurisdiction):
        return False
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR, Role.SYNC_CLIENT):
        return True
    return user.has_role(Role.DEPARTMENT_EDITOR) and user.organisation_id == organisation.pk


def can_administer_accounts(user: Any) -> bool:
    """Superusers and administrators open and keep accounts and organisations (an
    administrator: those of its jurisdiction and below)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))
    )
