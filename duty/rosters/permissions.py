"""Who may do what with duty rosters, duty logs, hand-overs and spot checks (SPEC §5).
Services, pages and the API ask these predicates; they never write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from guardian.core import ObjectPermissionChecker

from core.choices import OrganisationKind
from core.models import Organisation
from core.permissions import can_see_personal_data, in_jurisdiction
from core.roles import ROSTER_EDITORS, SPOT_CHECKERS, Role
from duty.models import DutyRoster
from duty.rosters.selectors import roster_org_ids

EDIT_PERM = "change_dutyroster"


def _is_admin(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(Role.ADMINISTRATOR))


def can_edit_roster(user: Any, roster: DutyRoster) -> bool:
    """The owning organisation and, on a joint roster, every partner (guardian grant to
    the organisation's group, Tieling §三.(二).1) edit; administrators edit every roster
    in their jurisdiction."""
    if not in_jurisdiction(user, roster.jurisdiction):
        return False
    if _is_admin(user):
        return True
    if not (user.organisation_id and user.has_role(*ROSTER_EDITORS)):
        return False
    group = user.organisation.group
    return group is not None and ObjectPermissionChecker(group).has_perm(EDIT_PERM, roster)


def editable_roster_ids(user: Any, roster_ids: Iterable[int]) -> set[int]:
    """The subset of ``roster_ids`` the user may edit, in one query (list pages)."""
    ids = list(roster_ids)
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    if _is_admin(user):
        return set(
            DutyRoster.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
        )
    if not (user.organisation_id and user.has_role(*ROSTER_EDITORS)):
        return set()
    from guardian.models import GroupObjectPermission

    granted = GroupObjectPermission.objects.filter(
        group_id=user.organisation.group_id,
        permission__codename=EDIT_PERM,
        permission__content_type__app_label="duty",
        object_pk__in=[str(i) for i in ids],
    ).values_list("object_pk", flat=True)
    return {int(pk) for pk in granted}


def can_create_roster_for(user: Any, organisation: Organisation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if not in_jurisdiction(user, organisation.jurisdiction):
        return False
    if _is_admin(user):
        return True
    return user.has_role(*ROSTER_EDITORS) and user.organisation_id == organisation.pk


def can_spot_check(user: Any, organisation: Organisation) -> bool:
    """Zhoushan §五.(一): the emergency office and the linkage centre check the linkage
    units of their level and below each quarter — here the bureau's duty officers and
    approvers, and administrators; never a unit checking itself."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not in_jurisdiction(user, organisation.jurisdiction):
        return False
    if user.organisation_id == organisation.pk:
        return False
    if _is_admin(user):
        return True
    return (
        user.has_role(*SPOT_CHECKERS)
        and user.organisation_id is not None
        and user.organisation.kind == OrganisationKind.EMERGENCY_BUREAU
    )


def may_create_rosters(user: Any) -> bool:
    """Who sees the "new roster" button and page (the object rule is
    ``can_create_roster_for``)."""
    return bool(user.is_superuser or user.has_role(*ROSTER_EDITORS))


def may_spot_check(user: Any) -> bool:
    """Who sees the spot-check pages and their "new" button (the object rule is
    ``can_spot_check``)."""
    return bool(user.is_superuser or user.has_role(*SPOT_CHECKERS))


def can_see_roster_phones(user: Any, roster: DutyRoster) -> bool:
    """Phones on a roster: its owner, its joint-duty partners and administrators."""
    if can_see_personal_data(user, roster.organisation_id):
        return True
    org_id = getattr(user, "organisation_id", None)
    return org_id is not None and org_id in roster_org_ids(roster)
