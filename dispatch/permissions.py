"""Who may do what in the dispatch chain (SPEC §4): the one place the services, the pages,
the API and the live feed ask. Reading rights by role come from ``core.visibility``; the
predicates here add the dispatch chain's own rules (the level a dispatcher or approver
belongs to, the drafter never approves, who consents for a department, who steps an
order). Nothing here writes."""

from __future__ import annotations

from typing import Any

from core import visibility
from core.choices import OrganisationKind
from core.models import Jurisdiction, Organisation
from core.roles import Role
from dispatch.models import CallOutOrder, CallOutPlan, ReinforcementRequest
from forces.models import Force


def _is_member(user: Any, kind: str, role: str) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organisation_id
        and user.organisation.kind == kind
        and user.has_role(role)
    )


def is_fire_dispatcher_of(user: Any, jurisdiction: Jurisdiction) -> bool:
    """A dispatcher of the fire brigade at exactly this level."""
    return (
        _is_member(user, OrganisationKind.FIRE_RESCUE, Role.FIRE_DISPATCHER)
        and user.organisation.jurisdiction_id == jurisdiction.pk
    )


def is_bureau_approver_of(user: Any, jurisdiction: Jurisdiction) -> bool:
    """An approver of the emergency bureau at exactly this level (同级应急管理局)."""
    return (
        _is_member(user, OrganisationKind.EMERGENCY_BUREAU, Role.BUREAU_APPROVER)
        and user.organisation.jurisdiction_id == jurisdiction.pk
    )


def is_force_account_of(user: Any, force: Force) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_role(Role.FORCE_ACCOUNT)
        and user.organisation_id == force.organisation_id
    )


def consenting_department(force: Force) -> Organisation:
    """The industry department that owns a force: its industry authority, else its own
    organisation (an enterprise with no supervising department answers for itself)."""
    return force.industry_authority or force.organisation


# Who may give a department's consent for it (not its force accounts or screens).
CONSENT_ROLES = (
    Role.DEPARTMENT_EDITOR,
    Role.ADMINISTRATOR,
    Role.BUREAU_APPROVER,
    Role.DUTY_OFFICER,
)


def may_apply_for_reinforcement(user: Any, level: Jurisdiction) -> bool:
    """The same-level bureau applies to the level above: its approvers and duty officers."""
    return is_bureau_approver_of(user, level) or _is_member(
        user, OrganisationKind.EMERGENCY_BUREAU, Role.DUTY_OFFICER
    )


def may_request_reinforcement(user: Any) -> bool:
    """Whether to offer the reinforcement form: a bureau member of a level that has one
    above it."""
    if not getattr(user, "is_authenticated", False) or not user.organisation_id:
        return False
    level = user.jurisdiction
    if level is None or level.parent_id is None:
        return False
    return may_apply_for_reinforcement(user, level)


# Who declares and ends a flood season or sensitive period for a level: the emergency
# bureau of that level (Liaocheng §三.一.2: 汛期等特殊时期，须由应急管理部门商行业主管部门同意),
# through its approvers and its duty officers (who hold the bureau's watch when a
# sensitive period begins out of hours).
SPECIAL_PERIOD_ROLES = (Role.BUREAU_APPROVER, Role.DUTY_OFFICER)


def may_declare_special_period(user: Any, level: Jurisdiction) -> bool:
    """An approver or duty officer of the emergency bureau at exactly this level."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organisation_id
        and user.organisation.kind == OrganisationKind.EMERGENCY_BUREAU
        and user.organisation.jurisdiction_id == level.pk
        and user.has_role(*SPECIAL_PERIOD_ROLES)
    )


def may_draft_at(user: Any, level: Jurisdiction) -> bool:
    """Plans are drafted and changed by the fire brigade's dispatchers of their level."""
    return is_fire_dispatcher_of(user, level)


def is_drafter(user: Any, plan: CallOutPlan) -> bool:
    return plan.drafted_by_id == getattr(user, "pk", None)


def may_decide_plan(user: Any, plan: CallOutPlan) -> bool:
    """An approver of the same-level bureau, and never the plan's drafter."""
    return not is_drafter(user, plan) and is_bureau_approver_of(user, plan.jurisdiction)


def may_consent_for(user: Any, organisation_id: int | None) -> bool:
    """A user of the department itself gives its consent (not its force accounts)."""
    return (
        organisation_id is not None
        and getattr(user, "organisation_id", None) == organisation_id
        and user.has_role(*CONSENT_ROLES)
    )


def may_record_consent_for_department(user: Any, plan: CallOutPlan) -> bool:
    """The approver records a department's consent with the person consulted."""
    return is_bureau_approver_of(user, plan.jurisdiction)


def may_decide_reinforcement(user: Any, request: ReinforcementRequest) -> bool:
    """An approver of the upper-level bureau, and never the applicant."""
    return request.requested_by_id != getattr(user, "pk", None) and is_bureau_approver_of(
        user, request.upper_jurisdiction
    )


def may_draft_reinforcement_plan(user: Any, request: ReinforcementRequest) -> bool:
    return is_fire_dispatcher_of(user, request.upper_jurisdiction)


def may_step(user: Any, order: CallOutOrder) -> tuple[bool, bool]:
    """(may step, on the force's behalf): the force account for its force, or a dispatcher
    of the plan's brigade on its behalf."""
    if is_force_account_of(user, order.force):
        return True, False
    if is_fire_dispatcher_of(user, order.plan.jurisdiction):
        return True, True
    return False, False


# --- who may list what ----------------------------------------------------------------------

# The reading rights by role are core.visibility's, shared with the live feed.
can_read_dispatch = visibility.can_read_dispatch
can_read_department_plans = visibility.can_read_department_plans
can_read_own_orders = visibility.can_read_own_orders


def may_list_plans(user: Any) -> bool:
    return can_read_dispatch(user) or can_read_department_plans(user)


def may_list_orders(user: Any) -> bool:
    return can_read_dispatch(user) or can_read_own_orders(user)


def may_list_notices(user: Any) -> bool:
    return can_read_dispatch(user) or can_read_department_plans(user)
