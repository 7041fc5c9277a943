"""Who may do what with a compensation claim (应急救援补偿, Liaocheng §四.1, Rongcheng §四):

- *claim* (create, edit, attach, submit; draft or returned): a force's own accounts
  (force account, department editor of its organisation) for that force; for a
  requisition's owner, the bureau of the incident's jurisdiction on the owner's behalf or
  the owner unit's editors;
- *review* (submitted): the reviewing department's editors (the force's industry
  authority), or the bureau when the bureau reviews;
- *approve* (reviewed → approved, recording the government's decision): the bureau
  approvers of the claim's jurisdiction or above;
- *pay*: the bureau of the jurisdiction; *return / reject*: whoever decides the step;
- *read*: the bureau, the fire brigade and the sync client of the jurisdiction and above;
  the claimant's and the reviewing department's own accounts their claims.
"""

from __future__ import annotations

from typing import Any

from core.choices import OrganisationKind
from core.roles import Role
from support.choices import CompensationStatus
from support.permissions import active, holds, is_bureau, is_bureau_approver, is_organisation_editor

__all__ = [
    "JURISDICTION_READERS",
    "OWN_ORGANISATION_READERS",
    "can_approve",
    "can_claim",
    "can_claim_for_force",
    "can_claim_for_requisition",
    "can_pay",
    "can_read",
    "can_review",
    "can_send_back",
    "claimant_organisation",
    "claimant_organisation_id",
    "opens_claims",
]

JURISDICTION_READERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.BUREAU_APPROVER,
        Role.ADMINISTRATOR,
        Role.FIRE_DISPATCHER,
        Role.SYNC_CLIENT,
    }
)
OWN_ORGANISATION_READERS = frozenset({Role.DEPARTMENT_EDITOR, Role.FORCE_ACCOUNT})
FORCE_CLAIMANT_ROLES = (Role.FORCE_ACCOUNT, Role.DEPARTMENT_EDITOR, Role.ADMINISTRATOR)


def claimant_organisation_id(claim) -> int | None:
    if claim.force_id is not None:
        return claim.force.organisation_id
    if claim.requisition_id is not None:
        return claim.requisition.owner_organisation_id
    return None


def claimant_organisation(claim):
    if claim.force_id is not None:
        return claim.force.organisation
    if claim.requisition_id is not None:
        return claim.requisition.owner_organisation
    return None


def can_claim_for_force(user: Any, force) -> bool:
    """The force's own accounts (its organisation's force account and editors)."""
    if not active(user):
        return False
    if user.is_superuser:
        return True
    return (
        user.organisation_id is not None
        and user.organisation_id == force.organisation_id
        and user.has_role(*FORCE_CLAIMANT_ROLES)
    )


def can_claim_for_requisition(user: Any, requisition) -> bool:
    """The bureau on the owner's behalf, or the owner unit's editors."""
    return is_bureau(user, requisition.jurisdiction) or is_organisation_editor(
        user, requisition.owner_organisation_id
    )


def can_claim(user: Any, claim) -> bool:
    if claim.force_id is not None:
        return can_claim_for_force(user, claim.force)
    return can_claim_for_requisition(user, claim.requisition)


def can_review(user: Any, claim) -> bool:
    department = claim.reviewing_department
    if department.kind == OrganisationKind.EMERGENCY_BUREAU:
        return is_bureau(user, department.jurisdiction) and (
            user.is_superuser or holds(user, claim.jurisdiction)
        )
    return is_organisation_editor(user, department.pk) or (active(user) and user.is_superuser)


def can_approve(user: Any, claim) -> bool:
    return is_bureau_approver(user, claim.jurisdiction)


def can_pay(user: Any, claim) -> bool:
    return is_bureau(user, claim.jurisdiction)


def can_send_back(user: Any, claim) -> bool:
    """Return or reject: the reviewer while it awaits review, the approver after."""
    if claim.status == CompensationStatus.SUBMITTED:
        return can_review(user, claim)
    if claim.status == CompensationStatus.REVIEWED:
        return can_approve(user, claim)
    return False


def opens_claims(user: Any) -> bool:
    if not active(user):
        return False
    return user.is_superuser or user.has_role(*JURISDICTION_READERS, *OWN_ORGANISATION_READERS)


def can_read(user: Any, claim) -> bool:
    if not active(user):
        return False
    if user.is_superuser:
        return True
    if user.has_role(*JURISDICTION_READERS) and holds(user, claim.jurisdiction):
        return True
    if not user.has_role(*OWN_ORGANISATION_READERS) or user.organisation_id is None:
        return False
    return user.organisation_id in {
        claimant_organisation_id(claim),
        claim.reviewing_department_id,
    }
