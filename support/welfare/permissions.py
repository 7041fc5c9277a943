"""Who may read and write rescuer welfare (Liaocheng §四.4), on top of support's shared
predicates. The registry's rules are mirrored: whoever may edit a force (its
organisation's editors through the guardian grant, administrators, the provincial sync
client) records its people's health, insurance and casualties; the bureau of the force's
jurisdiction does too. Phones and ID numbers are shown unmasked to exactly the people the
registry shows them to (``core.permissions.can_see_personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from core.permissions import can_see_personal_data
from core.roles import Role
from forces.models import Force, Personnel
from forces.services import can_edit_force
from support.permissions import (
    BUREAU_ROLES,
    active,
    is_bureau,
    is_organisation_editor,
    reads_support,
)

__all__ = [
    "can_decide_casualty",
    "can_record_commendation",
    "can_record_for",
    "can_review_casualty",
    "reads_welfare",
    "sees_personal_data",
    "visible_personnel",
]

# Roles that read every rescuer of their jurisdiction; the others (department editors)
# read the people of their own organisation's forces and of the forces they supervise.
_JURISDICTION_READERS = frozenset(
    {*BUREAU_ROLES, Role.FIRE_DISPATCHER, Role.SYNC_CLIENT, Role.ADMINISTRATOR}
)


def reads_welfare(user: Any) -> bool:
    """Opens the welfare pages and API at all."""
    return reads_support(user)


def visible_personnel(user: Any) -> QuerySet[Personnel]:
    """The rescuers whose welfare ``user`` may read."""
    if not reads_welfare(user):
        return Personnel.objects.none()
    qs = Personnel.objects.visible_to(user)
    if user.is_superuser or user.has_role(*_JURISDICTION_READERS):
        return qs
    org = user.organisation_id
    if org is None:
        return qs.none()
    return qs.filter(Q(force__organisation_id=org) | Q(force__industry_authority_id=org))


def can_record_for(user: Any, force: Force) -> bool:
    """Records health checks, insurance policies and casualties of ``force``'s people."""
    if not active(user):
        return False
    return is_bureau(user, force.jurisdiction) or can_edit_force(user, force)


def can_record_commendation(user: Any, force: Force) -> bool:
    """Commendations of a rescuer of ``force`` or of the force itself."""
    return can_record_for(user, force)


def can_review_casualty(user: Any, force: Force) -> bool:
    """The force's industry authority department (its editors) or the bureau review a
    case before the competent authority decides."""
    if not active(user):
        return False
    return is_bureau(user, force.jurisdiction) or is_organisation_editor(
        user, force.industry_authority_id
    )


def can_decide_casualty(user: Any, force: Force) -> bool:
    """The bureau records the competent authority's decision (评残 by 人社/退役军人事务,
    评烈 by the government)."""
    return is_bureau(user, force.jurisdiction)


def sees_personal_data(user: Any, force: Force) -> bool:
    """Phones and ID numbers of ``force``'s people unmasked — the registry's own rule."""
    return can_see_personal_data(user, force.organisation_id)
