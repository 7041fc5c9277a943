"""Who may do what with graded response (DESIGN13 "Response services"). The pages, the API,
the SMS-reply handler and the services all ask these predicates, so they cannot drift.

- manuals: the emergency bureau's duty officers, approvers and administrators, for
  manuals of their jurisdiction and below (``can_manage_manuals``);
- activate, raise, lower, end, record seats: the same roles of the activation's
  jurisdiction or above (``can_command_response``); the fire brigade's dispatchers read;
- work an instruction (acknowledge, start, complete): the accounts of the instructed
  department, or a duty officer of the activation's jurisdiction or above on its behalf
  (值班员代签, ``works_on_behalf``);
- read a response: ``INCIDENT_READERS`` of its jurisdiction or above, and the accounts of
  a department with an instruction or a seat in it.
"""

from __future__ import annotations

from typing import Any

from core.choices import OrganisationKind
from core.models import Jurisdiction
from core.roles import Role
from core.visibility import INCIDENT_READERS
from response.models import ResponseActivation, ResponseInstruction

__all__ = [
    "COMMAND_ROLES",
    "DEPARTMENT_ROLES",
    "can_command_response",
    "can_manage_manuals",
    "can_read_response",
    "can_read_responses",
    "can_work_instruction",
    "works_on_behalf",
]

# The bureau's roles that keep manuals and command a response.
COMMAND_ROLES = frozenset({Role.DUTY_OFFICER, Role.BUREAU_APPROVER, Role.ADMINISTRATOR})
# The accounts that speak for an instructed department (not screens, clients or force
# accounts).
DEPARTMENT_ROLES = frozenset(
    {Role.DEPARTMENT_EDITOR, Role.DUTY_OFFICER, Role.BUREAU_APPROVER, Role.FIRE_DISPATCHER}
)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _holds(user: Any, jurisdiction: Jurisdiction) -> bool:
    own = user.jurisdiction
    return own is not None and own.contains(jurisdiction)


def _is_bureau(user: Any, roles: frozenset[str]) -> bool:
    return (
        user.has_role(*roles)
        and user.organisation_id is not None
        and user.organisation.kind == OrganisationKind.EMERGENCY_BUREAU
    )


def can_manage_manuals(user: Any, jurisdiction: Jurisdiction) -> bool:
    """Write the manuals of ``jurisdiction``: the bureau's duty officers, approvers and
    administrators of that jurisdiction or above."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return _is_bureau(user, COMMAND_ROLES) and _holds(user, jurisdiction)


def can_command_response(user: Any, jurisdiction: Jurisdiction) -> bool:
    """Activate, raise, lower, end a response of ``jurisdiction`` and record its seats."""
    return can_manage_manuals(user, jurisdiction)


def can_read_responses(user: Any) -> bool:
    """Open the list of responses at all (which ones: ``selectors.visible_activations``)."""
    if not _active(user):
        return False
    return (
        user.is_superuser
        or user.has_role(*INCIDENT_READERS)
        or (user.organisation_id is not None and user.has_role(*DEPARTMENT_ROLES))
    )


def _department_of(user: Any, activation: ResponseActivation) -> bool:
    if user.organisation_id is None or not user.has_role(*DEPARTMENT_ROLES):
        return False
    return (
        activation.instructions.filter(department_id=user.organisation_id).exists()
        or activation.seats.filter(organisation_id=user.organisation_id).exists()
    )


def can_read_response(user: Any, activation: ResponseActivation) -> bool:
    """``INCIDENT_READERS`` of the jurisdiction or above; a department instructed or
    seated in it."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if user.has_role(*INCIDENT_READERS) and _holds(user, activation.jurisdiction):
        return True
    return _department_of(user, activation)


def works_on_behalf(user: Any, instruction: ResponseInstruction) -> bool:
    """A duty officer of the bureau of the activation's jurisdiction or above, who signs
    for the department (值班员代签)."""
    if not _active(user) or user.organisation_id == instruction.department_id:
        return False
    return _is_bureau(user, frozenset({Role.DUTY_OFFICER})) and _holds(
        user, instruction.activation.jurisdiction
    )


def can_work_instruction(user: Any, instruction: ResponseInstruction) -> bool:
    """Acknowledge, start and complete: the instructed department's accounts, or a duty
    officer on its behalf."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if user.organisation_id == instruction.department_id and user.has_role(*DEPARTMENT_ROLES):
        return True
    return works_on_behalf(user, instruction)
