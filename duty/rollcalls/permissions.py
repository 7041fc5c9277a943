"""Who may start, read, answer roll calls and manage their schedules (SPEC §5). Services,
pages and the API ask these predicates; they never write."""

from __future__ import annotations

from typing import Any

from core import visibility
from core.choices import OrganisationKind
from core.models import Jurisdiction
from core.permissions import in_jurisdiction
from core.roles import Role
from forces.models import Force

# Who runs roll calls: the fire brigade's dispatchers (Liaocheng §三.二.2), the bureau's
# duty officers beside them in joint duty, and administrators.
STARTER_ROLES = (Role.FIRE_DISPATCHER, Role.DUTY_OFFICER, Role.ADMINISTRATOR)
# Who reads roll calls and their reports.
READER_ROLES = tuple(sorted(visibility.ROLL_CALL_READERS))


def can_start(user: Any, jurisdiction: Jurisdiction) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not (user.has_role(*STARTER_ROLES) and in_jurisdiction(user, jurisdiction)):
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    kinds = {OrganisationKind.FIRE_RESCUE, OrganisationKind.EMERGENCY_BUREAU}
    return user.organisation is not None and user.organisation.kind in kinds


def can_read(user: Any) -> bool:
    return visibility.can_read_roll_calls(user)


def can_answer(user: Any, force: Force) -> bool:
    """Only the force's own account answers (the point is to reach the force)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_role(Role.FORCE_ACCOUNT)
        and user.organisation_id == force.organisation_id
    )


def can_manage_schedules(user: Any, jurisdiction: Jurisdiction) -> bool:
    return can_start(user, jurisdiction)
