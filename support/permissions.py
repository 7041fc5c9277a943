"""The predicates every part of support builds on (each part's own ``permissions.py``
adds its transitions). Pages, API, services, the live feed and the admin ask these, so
they cannot drift.

- *the bureau* of a jurisdiction: accounts of an emergency-management bureau with the duty
  officer, bureau approver or administrator role whose jurisdiction holds it;
- *the approvers* of a jurisdiction: the bureau's approvers (and administrators);
- *an organisation's keepers*: the department-editor accounts of that organisation;
- *readers*: the roles that read support data of their jurisdiction and below.
"""

from __future__ import annotations

from typing import Any

from core.choices import OrganisationKind
from core.models import Jurisdiction
from core.roles import Role

__all__ = [
    "BUREAU_ROLES",
    "SUPPORT_READERS",
    "active",
    "holds",
    "is_bureau",
    "is_bureau_approver",
    "is_organisation_editor",
    "reads_support",
]

BUREAU_ROLES = frozenset({Role.DUTY_OFFICER, Role.BUREAU_APPROVER, Role.ADMINISTRATOR})
# Who reads support data (each list is scoped to the reader's jurisdiction and below).
SUPPORT_READERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.BUREAU_APPROVER,
        Role.ADMINISTRATOR,
        Role.FIRE_DISPATCHER,
        Role.DEPARTMENT_EDITOR,
        Role.SYNC_CLIENT,
    }
)


def active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def holds(user: Any, jurisdiction: Jurisdiction | None) -> bool:
    """The user's jurisdiction is ``jurisdiction`` or above it."""
    if jurisdiction is None:
        return False
    own = user.jurisdiction
    return own is not None and own.contains(jurisdiction)


def _bureau_account(user: Any) -> bool:
    return (
        user.organisation_id is not None
        and user.organisation.kind == OrganisationKind.EMERGENCY_BUREAU
    )


def is_bureau(user: Any, jurisdiction: Jurisdiction) -> bool:
    """The emergency bureau's duty officers, approvers and administrators of
    ``jurisdiction`` or above (superusers too)."""
    if not active(user):
        return False
    if user.is_superuser:
        return True
    return user.has_role(*BUREAU_ROLES) and _bureau_account(user) and holds(user, jurisdiction)


def is_bureau_approver(user: Any, jurisdiction: Jurisdiction) -> bool:
    """The bureau's approvers (and administrators) of ``jurisdiction`` or above."""
    if not active(user):
        return False
    if user.is_superuser:
        return True
    return (
        user.has_role(Role.BUREAU_APPROVER, Role.ADMINISTRATOR)
        and _bureau_account(user)
        and holds(user, jurisdiction)
    )


def is_organisation_editor(user: Any, organisation_id: int | None) -> bool:
    """A department-editor account of the organisation (its keepers and clerks)."""
    return (
        active(user)
        and organisation_id is not None
        and user.organisation_id == organisation_id
        and user.has_role(Role.DEPARTMENT_EDITOR, Role.ADMINISTRATOR)
    )


def reads_support(user: Any) -> bool:
    """Opens support lists at all (which rows: ``Model.objects.visible_to(user)`` and the
    part's own rule)."""
    if not active(user):
        return False
    return user.is_superuser or user.has_role(*SUPPORT_READERS)
