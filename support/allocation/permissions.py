"""Who may do what with an allocation (调拨, DESIGN14 "allocation"). The pages, the API, the
services and the live feed ask these predicates, so they cannot drift.

- request (create, change, submit, cancel a draft or a request awaiting approval): the
  bureau, the fire brigade's dispatchers, or a department's editors of the jurisdiction
  the materials are for (``can_request``); a request is worked on by its requesting unit
  and by the bureau of its jurisdiction (``can_work_request``);
- approve and reject: the bureau's approvers of the request's jurisdiction or above — the
  lowest jurisdiction that holds the requester and every source warehouse
  (``can_decide``);
- record the delivery: the keepers (editors) of a source warehouse's owner, or the
  bureau of the jurisdiction (``can_record_delivery``);
- record the receipt: the requesting unit's accounts, or the bureau of the jurisdiction
  (``can_record_receipt``);
- read: ``SUPPORT_READERS`` of the jurisdiction and below, the requesting unit's accounts
  and the keepers of a source warehouse (``can_read_allocation``).
"""

from __future__ import annotations

from typing import Any

from core.choices import OrganisationKind
from core.models import Jurisdiction
from core.roles import Role
from support.models import AllocationRequest
from support.permissions import (
    SUPPORT_READERS,
    active,
    holds,
    is_bureau,
    is_bureau_approver,
    is_organisation_editor,
)

__all__ = [
    "REQUESTER_ROLES",
    "can_decide",
    "can_read_allocation",
    "can_read_allocations",
    "can_record_delivery",
    "can_record_receipt",
    "can_request",
    "can_work_request",
]

# The accounts that speak for a requesting unit.
REQUESTER_ROLES = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.BUREAU_APPROVER,
        Role.ADMINISTRATOR,
        Role.FIRE_DISPATCHER,
        Role.DEPARTMENT_EDITOR,
    }
)


def _fire_brigade(user: Any, jurisdiction: Jurisdiction) -> bool:
    return (
        user.has_role(Role.FIRE_DISPATCHER)
        and user.organisation_id is not None
        and user.organisation.kind == OrganisationKind.FIRE_RESCUE
        and holds(user, jurisdiction)
    )


def _department(user: Any, jurisdiction: Jurisdiction) -> bool:
    return (
        user.has_role(Role.DEPARTMENT_EDITOR)
        and user.organisation_id is not None
        and holds(user, jurisdiction)
    )


def can_request(user: Any, jurisdiction: Jurisdiction) -> bool:
    """Ask for materials for an incident or risk period of ``jurisdiction``."""
    if not active(user):
        return False
    return (
        is_bureau(user, jurisdiction)
        or _fire_brigade(user, jurisdiction)
        or _department(user, jurisdiction)
    )


def _requesting_unit(user: Any, allocation: AllocationRequest) -> bool:
    return (
        active(user)
        and user.organisation_id is not None
        and user.organisation_id == allocation.requesting_organisation_id
        and user.has_role(*REQUESTER_ROLES)
    )


def can_work_request(user: Any, allocation: AllocationRequest) -> bool:
    """Change, submit or cancel the request: its requesting unit, or the bureau of its
    jurisdiction."""
    if not active(user):
        return False
    return _requesting_unit(user, allocation) or is_bureau(user, allocation.jurisdiction)


def can_decide(user: Any, allocation: AllocationRequest) -> bool:
    """Approve (and so issue) or reject: the bureau approvers of the request's
    jurisdiction or above."""
    return is_bureau_approver(user, allocation.jurisdiction)


def _keeper(user: Any, owner_ids) -> bool:
    return any(is_organisation_editor(user, owner_id) for owner_id in owner_ids)


def source_owner_ids(allocation: AllocationRequest) -> set[int]:
    return set(allocation.lines.values_list("warehouse__owner_id", flat=True))


def can_record_delivery(
    user: Any, allocation: AllocationRequest, owner_ids: set[int] | None = None
) -> bool:
    """The source warehouses' keepers, or the bureau of the jurisdiction."""
    if not active(user):
        return False
    if is_bureau(user, allocation.jurisdiction):
        return True
    if owner_ids is None:
        owner_ids = source_owner_ids(allocation)
    return _keeper(user, owner_ids)


def can_record_receipt(user: Any, allocation: AllocationRequest) -> bool:
    """The requesting unit, or the bureau of the jurisdiction on its behalf."""
    if not active(user):
        return False
    return _requesting_unit(user, allocation) or is_bureau(user, allocation.jurisdiction)


def can_read_allocations(user: Any) -> bool:
    """Open the list at all (which rows: ``selectors.visible_allocations``)."""
    if not active(user):
        return False
    return user.is_superuser or user.has_role(*SUPPORT_READERS)


def can_read_allocation(
    user: Any, allocation: AllocationRequest, owner_ids: set[int] | None = None
) -> bool:
    if not active(user):
        return False
    if user.is_superuser:
        return True
    if user.has_role(*SUPPORT_READERS) and holds(user, allocation.jurisdiction):
        return True
    if _requesting_unit(user, allocation):
        return True
    if owner_ids is None:
        owner_ids = source_owner_ids(allocation)
    return _keeper(user, owner_ids)
