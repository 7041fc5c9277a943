"""Who may do what with a requisition (紧急调用/征用, Liaocheng §四.3). Pages, the API,
the services, the live feed and the admin ask these.

- *request / cancel*: the bureau (duty officers, approvers, administrators) or the fire
  brigade (its dispatchers) of the incident's jurisdiction or above;
- *hand-over / return*: the same, or the owner unit's editors (the owner signs for it);
- *read*: the bureau, the fire brigade and the provincial sync client of the jurisdiction
  and above; the owner unit's editors their own requisitions.
"""

from __future__ import annotations

from typing import Any

from core.choices import OrganisationKind
from core.masking import mask_phone
from core.permissions import can_see_personal_data
from core.roles import Role
from support.permissions import active, holds, is_bureau, is_organisation_editor

__all__ = [
    "JURISDICTION_READERS",
    "OWN_ORGANISATION_READERS",
    "can_cancel",
    "can_read",
    "can_record",
    "can_request",
    "opens_requisitions",
    "owner_phone_for",
]

# The live feed (core.visibility FAMILIES "requisition") reads from these sets.
JURISDICTION_READERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.BUREAU_APPROVER,
        Role.ADMINISTRATOR,
        Role.FIRE_DISPATCHER,
        Role.SYNC_CLIENT,
    }
)
OWN_ORGANISATION_READERS = frozenset({Role.DEPARTMENT_EDITOR})


def _fire_brigade(user: Any, jurisdiction) -> bool:
    return (
        user.has_role(Role.FIRE_DISPATCHER)
        and user.organisation_id is not None
        and user.organisation.kind == OrganisationKind.FIRE_RESCUE
        and holds(user, jurisdiction)
    )


def can_request(user: Any, jurisdiction) -> bool:
    """The bureau or the fire brigade of ``jurisdiction`` or above."""
    if not active(user):
        return False
    return is_bureau(user, jurisdiction) or _fire_brigade(user, jurisdiction)


def can_cancel(user: Any, requisition) -> bool:
    return can_request(user, requisition.jurisdiction)


def can_record(user: Any, requisition) -> bool:
    """Hand-over and return: the requesting side, or the owner unit's editors."""
    return can_request(user, requisition.jurisdiction) or is_organisation_editor(
        user, requisition.owner_organisation_id
    )


def opens_requisitions(user: Any) -> bool:
    """May open the requisition list at all (which rows: selectors.visible_requisitions)."""
    if not active(user):
        return False
    return user.is_superuser or user.has_role(*JURISDICTION_READERS, *OWN_ORGANISATION_READERS)


def can_read(user: Any, requisition) -> bool:
    if not active(user):
        return False
    if user.is_superuser:
        return True
    if user.has_role(*JURISDICTION_READERS) and holds(user, requisition.jurisdiction):
        return True
    return (
        user.has_role(*OWN_ORGANISATION_READERS)
        and requisition.owner_organisation_id is not None
        and requisition.owner_organisation_id == user.organisation_id
    )


def owner_phone_for(user: Any, requisition) -> str:
    """The owner's phone in full for the requesting side and the owner unit (they call
    each other) and administrators; masked for every other reader — a private owner's
    mobile is personal data."""
    if can_record(user, requisition) or can_see_personal_data(
        user, requisition.owner_organisation_id
    ):
        return requisition.owner_phone
    return mask_phone(requisition.owner_phone)
