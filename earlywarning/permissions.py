"""Who may do what with warnings (DESIGN12 "Who may do what"). The pages, the API, the
CAP import and the services all ask these predicates, so they cannot drift.

- read: the bureau, the fire brigade, the departments, administrators, the sync client
  and the hall screen of the area (``core.visibility.WARNING_READERS``);
- draft / edit / publish / revise / cancel: the editors of the industry department whose
  sector issues the hazard type, for areas in their jurisdiction (``may_issue``); an
  imported draft (转发上级预警) also by the bureau's duty officers and approvers whose
  jurisdiction holds every area. Administrators are not the issuing department;
- relay: the bureau's duty officers and approvers and the fire brigade's dispatchers
  whose jurisdiction meets the area;
- acknowledge: the recipient itself (its user or its organisation's accounts), or a duty
  officer of the recipient's jurisdiction or above on its behalf (值班员代签).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.choices import OrganisationKind
from core.models import Jurisdiction
from core.roles import Role
from core.visibility import can_read_warnings
from earlywarning.choices import WarningSource
from earlywarning.models import HazardType, HazardWarning, WarningRecipient

__all__ = [
    "BUREAU_ROLES",
    "acknowledges_on_behalf",
    "can_acknowledge",
    "can_draft",
    "can_edit",
    "can_publish",
    "can_read_warnings",
    "may_issue",
    "may_relay",
]

# The emergency bureau's roles that forward an imported warning and relay one.
BUREAU_ROLES = frozenset({Role.DUTY_OFFICER, Role.BUREAU_APPROVER})


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _holds(user: Any, areas: Iterable[Jurisdiction]) -> bool:
    """Every area lies in the user's jurisdiction (at it or below)."""
    own = user.jurisdiction
    areas = list(areas)
    return own is not None and bool(areas) and all(own.contains(a) for a in areas)


def _meets(user: Any, areas: Iterable[Jurisdiction]) -> bool:
    """The user's jurisdiction and the area overlap: one holds the other."""
    own = user.jurisdiction
    if own is None:
        return False
    return any(own.contains(a) or a.contains(own) for a in areas)


def _organisation_kind(user: Any) -> str:
    return user.organisation.kind if user.organisation_id else ""


def _is_issuing_department(user: Any, hazard_type: HazardType) -> bool:
    if not user.has_role(Role.DEPARTMENT_EDITOR) or not user.organisation_id:
        return False
    organisation = user.organisation
    return (
        organisation.kind == OrganisationKind.INDUSTRY_DEPARTMENT
        and bool(organisation.sector)
        and organisation.sector == hazard_type.sector
    )


def _is_bureau(user: Any) -> bool:
    return (
        user.has_role(*BUREAU_ROLES)
        and _organisation_kind(user) == OrganisationKind.EMERGENCY_BUREAU
    )


def may_issue(user: Any, hazard_type: HazardType, areas: Iterable[Jurisdiction]) -> bool:
    """An editor of the industry department of the hazard type's sector, for areas in
    its jurisdiction."""
    if not _active(user):
        return False
    return _is_issuing_department(user, hazard_type) and _holds(user, areas)


def can_draft(
    user: Any, hazard_type: HazardType, areas: Iterable[Jurisdiction], *, source: str
) -> bool:
    """Write a draft: the issuing department; for an imported CAP message also the
    bureau; the provincial sync client (drafts only, never publishes)."""
    if not _active(user):
        return False
    areas = list(areas)
    if may_issue(user, hazard_type, areas):
        return True
    if user.has_role(Role.SYNC_CLIENT) and _holds(user, areas):
        return True
    return source == WarningSource.IMPORTED and _is_bureau(user) and _holds(user, areas)


def _areas(warning: HazardWarning) -> list[Jurisdiction]:
    cached = getattr(warning, "_prefetched_objects_cache", {}).get("areas")
    return list(cached) if cached is not None else list(warning.areas.all())


def can_publish(user: Any, warning: HazardWarning) -> bool:
    """Publish, revise and cancel: the issuing department; an imported warning also the
    bureau whose jurisdiction holds every area."""
    if not _active(user):
        return False
    areas = _areas(warning)
    if may_issue(user, warning.hazard_type, areas) and user.organisation_id == warning.issuer_id:
        return True
    return warning.source == WarningSource.IMPORTED and _is_bureau(user) and _holds(user, areas)


def can_edit(user: Any, warning: HazardWarning) -> bool:
    """Change or discard a draft: whoever may publish it, and the sync client for the
    drafts it may write."""
    if can_publish(user, warning):
        return True
    return (
        _active(user)
        and user.has_role(Role.SYNC_CLIENT)
        and warning.created_by_id == user.pk
        and _holds(user, _areas(warning))
    )


def may_relay(user: Any, warning: HazardWarning) -> bool:
    """Send a published warning on to more forces: the bureau's duty officers and
    approvers, the fire brigade's dispatchers, whose jurisdiction meets the area."""
    if not _active(user):
        return False
    relays = _is_bureau(user) or (
        user.has_role(Role.FIRE_DISPATCHER)
        and _organisation_kind(user) == OrganisationKind.FIRE_RESCUE
    )
    return relays and _meets(user, _areas(warning))


def acknowledges_on_behalf(user: Any, recipient: WarningRecipient) -> bool:
    """A duty officer of the recipient's jurisdiction or above (值班员代签)."""
    own = user.jurisdiction if _active(user) else None
    return (
        own is not None
        and user.has_role(Role.DUTY_OFFICER)
        and own.contains(recipient.jurisdiction)
    )


def can_acknowledge(user: Any, recipient: WarningRecipient) -> bool:
    """The recipient itself, or a duty officer on its behalf."""
    if not _active(user):
        return False
    if recipient.user_id is not None and recipient.user_id == user.pk:
        return True
    if (
        recipient.organisation_id is not None
        and user.organisation_id == recipient.organisation_id
        and not user.has_role(Role.SCREEN, Role.SYNC_CLIENT)
    ):
        return True
    return acknowledges_on_behalf(user, recipient)
