"""Who may do what in the drills app (SPEC §6; STYLE.md: one place that services, pages
and the API ask). Who may write: staff of the organiser (any writing role), the
emergency bureau of the organiser's jurisdiction or one above it, and administrators of
that jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.choices import OrganisationKind
from core.models import Organisation
from core.permissions import in_jurisdiction
from core.roles import Role
from drills.models import AfterActionReport, FollowUpAction

# Roles that may plan and record drills for their own organisation; experts and the
# provincial sync client only read.
DRILL_WRITERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.FIRE_DISPATCHER,
        Role.BUREAU_APPROVER,
        Role.DEPARTMENT_EDITOR,
        Role.ADMINISTRATOR,
    }
)
# Organisation kinds that count as a "department" for a multi-department drill.
DEPARTMENT_KINDS = frozenset(
    {
        OrganisationKind.EMERGENCY_BUREAU,
        OrganisationKind.FIRE_RESCUE,
        OrganisationKind.INDUSTRY_DEPARTMENT,
        OrganisationKind.GOVERNMENT_OFFICE,
        OrganisationKind.HOTLINE_12345,
        OrganisationKind.MARITIME_SAR,
    }
)


def can_manage_drills_of(user: Any, organisation: Organisation) -> bool:
    """May ``user`` plan, record and evaluate drills organised by ``organisation``?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not in_jurisdiction(user, organisation.jurisdiction):
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    if not (user.organisation_id and user.has_role(*DRILL_WRITERS)):
        return False
    if user.organisation_id == organisation.pk:
        return True
    # The bureau of the same or an upper level organises and supervises drills.
    return user.organisation.kind == OrganisationKind.EMERGENCY_BUREAU


def can_close_action(user: Any, action: FollowUpAction) -> bool:
    """The drill's managers (for an after-action report's problem: the bureau that
    reviews it and the brigade that wrote it), or the owning organisation's staff."""
    if action.drill_id is not None and can_manage_drills_of(user, action.drill.organiser):
        return True
    if action.after_action_id is not None and (
        can_review_after_action(user, action.after_action)
        or can_write_after_action(user, action.after_action.incident, action.after_action)
    ):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organisation_id == action.owner_id
        and user.has_role(*DRILL_WRITERS)
    )


def is_multi_department(
    organiser: Organisation, organisations: Iterable[Organisation], declared: bool
) -> bool:
    """Declared, or ≥ 2 departments among the organiser and the participants."""
    departments = {o.pk for o in [organiser, *organisations] if o.kind in DEPARTMENT_KINDS}
    return declared or len(departments) >= 2


# --- after-action reports (总结, Liaocheng §三.三.3) ----------------------------------------

# Who reads after-action reports: the centre without the hall screen.
AFTER_ACTION_READERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.FIRE_DISPATCHER,
        Role.BUREAU_APPROVER,
        Role.ADMINISTRATOR,
        Role.SYNC_CLIENT,
    }
)
# The bureau's roles that accept or return a report.
AFTER_ACTION_REVIEWERS = frozenset({Role.BUREAU_APPROVER, Role.DUTY_OFFICER})


def can_read_after_actions(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*AFTER_ACTION_READERS)
    )


def can_write_after_action(
    user: Any, incident: Any, report: AfterActionReport | None = None
) -> bool:
    """The fire brigade that took part writes the summary: fire dispatchers of a fire and
    rescue organisation of the incident's jurisdiction or above it (the county brigade,
    the city detachment). Once written, only the writing brigade goes on with it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not in_jurisdiction(user, incident.jurisdiction):
        return False
    if not (user.organisation_id and user.has_role(Role.FIRE_DISPATCHER)):
        return False
    if report is not None:
        return user.organisation_id == report.organisation_id
    return user.organisation.kind == OrganisationKind.FIRE_RESCUE


def can_review_after_action(user: Any, report: AfterActionReport) -> bool:
    """The emergency bureau of the incident's jurisdiction or above accepts or returns it
    (approvers and duty officers; administrators of the jurisdiction too)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not in_jurisdiction(user, report.incident.jurisdiction):
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    return bool(
        user.organisation_id
        and user.has_role(*AFTER_ACTION_REVIEWERS)
        and user.organisation.kind == OrganisationKind.EMERGENCY_BUREAU
    )
