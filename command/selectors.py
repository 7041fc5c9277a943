"""Reads of incidents shared by the pages, the API and the layers above command."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from command.choices import Disposition, IncidentStatus
from command.models import Incident, IncidentHandover
from core import visibility
from core.choices import OrganisationKind
from core.models import Organisation
from core.roles import Role

# The accounts of a unit an incident was handed to (the maritime SAR centre, the
# responsible unit of 首接负责制) that read it and report back on it. Screens, force
# accounts, experts and machine accounts never do.
HANDLING_ROLES = frozenset(
    {Role.DUTY_OFFICER, Role.FIRE_DISPATCHER, Role.DEPARTMENT_EDITOR, Role.ADMINISTRATOR}
)


def in_emergency_flow(incident: Incident) -> bool:
    """Open and an emergency: plans may be drafted, the dashboard counts it. A call
    transferred to 12345 or handed to the maritime SAR centre has left the flow."""
    return incident.status == IncidentStatus.OPEN and incident.disposition == Disposition.EMERGENCY


def emergency_flow_q(prefix: str = "") -> Q:
    """``in_emergency_flow`` as a filter (``prefix`` e.g. ``"plan__incident__"``)."""
    return Q(
        **{f"{prefix}status": IncidentStatus.OPEN, f"{prefix}disposition": Disposition.EMERGENCY}
    )


def may_read_handed_incidents(user: Any) -> bool:
    """A unit's account that may open the incidents handed to its organisation."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organisation_id
        and user.has_role(*HANDLING_ROLES)
    )


def handed_to(user: Any) -> QuerySet[Incident]:
    """The incidents handed to the user's organisation (maritime or 首接负责制), and only
    those, wherever their jurisdiction."""
    if not may_read_handed_incidents(user):
        return Incident.objects.none()
    ids = IncidentHandover.objects.filter(to_unit_id=user.organisation_id).values("incident_id")
    return Incident.objects.filter(pk__in=ids)


def readable_incidents(user: Any) -> QuerySet[Incident]:
    """Every incident the user may open: the incident readers' jurisdiction, and the
    incidents handed to the user's unit."""
    if visibility.can_read_incidents(user):
        own = Incident.objects.visible_to(user)
        if may_read_handed_incidents(user):
            return own | handed_to(user)
        return own
    return handed_to(user)


def can_open_incident_pages(user: Any) -> bool:
    """The incident readers; a unit's account once an incident has been handed to its
    unit (before that, its role reads no incidents: 403 as ever)."""
    if visibility.can_read_incidents(user):
        return True
    return may_read_handed_incidents(user) and handed_to(user).exists()


def is_handling_unit_user(user: Any, incident: Incident) -> bool:
    """The user speaks for the unit handling the incident now."""
    return bool(
        may_read_handed_incidents(user)
        and incident.handling_unit_id is not None
        and incident.handling_unit_id == user.organisation_id
        and incident.handling_unit_id != incident.first_receiver_id
    )


def _nearest(kind: str, jurisdiction: Any) -> Organisation | None:
    """The organisation of ``kind`` in the jurisdiction or the nearest level above."""
    codes = jurisdiction.ancestors_and_self()
    paths = ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]
    found = {
        o.jurisdiction.path: o
        for o in Organisation.objects.filter(kind=kind, jurisdiction__path__in=paths)
        .select_related("jurisdiction")
        .order_by("-id")
    }
    for path in sorted(paths, key=len, reverse=True):
        if path in found:
            return found[path]
    return None


def hotline_of(jurisdiction: Any) -> Organisation | None:
    return _nearest(OrganisationKind.HOTLINE_12345, jurisdiction)


def maritime_centre_of(jurisdiction: Any) -> Organisation | None:
    return _nearest(OrganisationKind.MARITIME_SAR, jurisdiction)
