"""Who a warning reaches (DESIGN12 "Targeting"; Tieling §三.二.5: 直达网格责任人).

For the area A = the warning's areas and everything below them:

1. grid persons: every active grid in A (its responsible person; its supervisor is who
   an unanswered warning is raised to);
2. forces: active forces that are not unavailable, in A or in a jurisdiction between an
   area and the warning's jurisdiction, with a specialty the hazard type warns;
3. departments concerned: in those same jurisdictions, the emergency bureau, the fire
   and rescue units and the industry departments of the hazard type's concerned
   sectors, the issuer excepted;
4. duty officers: the bureau's duty officers of those jurisdictions.

One query per kind, whatever the number of grids; the rows come back unsaved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import reduce
from operator import or_

from django.db.models import Q

from core.choices import OrganisationKind
from core.models import Jurisdiction, Organisation, User
from core.roles import Role
from earlywarning.choices import RecipientKind
from earlywarning.models import Grid, HazardWarning, WarningRecipient
from forces.choices import ForceStatus
from forces.models import Force


def _below(lookup: str, areas: Sequence[Jurisdiction]) -> Q:
    return reduce(or_, (Q(**{f"{lookup}__path__startswith": a.path}) for a in areas))


def between_codes(warning_jurisdiction: Jurisdiction, areas: Iterable[Jurisdiction]) -> set[str]:
    """The codes of the jurisdictions from the warning's jurisdiction down to each area
    (both included)."""
    top = warning_jurisdiction.ancestors_and_self()
    codes: set[str] = set()
    for area in areas:
        codes.update(area.ancestors_and_self()[len(top) - 1 :])
    return codes


def in_area(lookup: str, areas: Sequence[Jurisdiction], codes: set[str]) -> Q:
    return _below(lookup, areas) | Q(**{f"{lookup}__code__in": sorted(codes)})


def recipients_for(warning: HazardWarning) -> list[WarningRecipient]:
    """Every recipient of a warning about to be published, unsaved."""
    areas = list(warning.areas.all())
    if not areas:
        return []
    codes = between_codes(warning.jurisdiction, areas)
    hazard = warning.hazard_type
    found = grid_recipients(warning, areas)
    specialty_ids = list(hazard.specialties.values_list("pk", flat=True))
    if specialty_ids:
        forces = Force.objects.filter(
            in_area("jurisdiction", areas, codes),
            is_active=True,
            specialties__in=specialty_ids,
        ).exclude(status=ForceStatus.UNAVAILABLE)
        found += force_recipients(warning, forces)
    found += department_recipients(warning, areas, codes)
    found += duty_officer_recipients(warning, areas, codes)
    return found


def grid_recipients(warning: HazardWarning, areas: Sequence[Jurisdiction]) -> list:
    rows = (
        Grid.objects.filter(_below("jurisdiction", areas), is_active=True)
        .order_by("jurisdiction__path", "code")
        .values_list(
            "pk",
            "jurisdiction_id",
            "name",
            "person_name",
            "person_phone",
            "supervisor_name",
            "supervisor_phone",
        )
    )
    return [
        WarningRecipient(
            warning=warning,
            kind=RecipientKind.GRID_PERSON,
            jurisdiction_id=jurisdiction_id,
            grid_id=pk,
            label=f"{name}（{person}）"[:150],
            phone=phone,
            supervisor_label=supervisor_name[:100],
            supervisor_phone=supervisor_phone,
        )
        for pk, jurisdiction_id, name, person, phone, supervisor_name, supervisor_phone in rows
    ]


def force_recipients(warning: HazardWarning, forces) -> list[WarningRecipient]:
    """Forces (a queryset) as unsaved recipients, each once."""
    rows = (
        forces.order_by("jurisdiction__path", "name", "pk")
        .values_list("pk", "jurisdiction_id", "organisation_id", "name", "duty_phone")
        .distinct()
    )
    seen: set[int] = set()
    found = []
    for pk, jurisdiction_id, organisation_id, name, phone in rows:
        if pk in seen:
            continue
        seen.add(pk)
        found.append(
            WarningRecipient(
                warning=warning,
                kind=RecipientKind.FORCE,
                jurisdiction_id=jurisdiction_id,
                force_id=pk,
                organisation_id=organisation_id,
                label=name[:150],
                phone=phone or "",
            )
        )
    return found


def department_recipients(
    warning: HazardWarning, areas: Sequence[Jurisdiction], codes: set[str]
) -> list[WarningRecipient]:
    concerned = [s for s in (warning.hazard_type.concerned_sectors or []) if s]
    kinds = Q(kind__in=[OrganisationKind.EMERGENCY_BUREAU, OrganisationKind.FIRE_RESCUE])
    if concerned:
        kinds |= Q(kind=OrganisationKind.INDUSTRY_DEPARTMENT, sector__in=concerned)
    rows = (
        Organisation.objects.filter(in_area("jurisdiction", areas, codes), kinds, is_active=True)
        .exclude(pk=warning.issuer_id)
        .order_by("jurisdiction__path", "kind", "name")
        .values_list("pk", "jurisdiction_id", "name", "duty_phone")
    )
    return [
        WarningRecipient(
            warning=warning,
            kind=RecipientKind.DEPARTMENT,
            jurisdiction_id=jurisdiction_id,
            organisation_id=pk,
            label=name[:150],
            phone=phone or "",
        )
        for pk, jurisdiction_id, name, phone in rows
    ]


def duty_officer_recipients(
    warning: HazardWarning, areas: Sequence[Jurisdiction], codes: set[str]
) -> list[WarningRecipient]:
    users = (
        User.objects.filter(
            in_area("organisation__jurisdiction", areas, codes),
            is_active=True,
            groups__name=Role.DUTY_OFFICER,
            organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", "organisation__jurisdiction_id", "display_name", "username", "phone")
    )
    return [
        WarningRecipient(
            warning=warning,
            kind=RecipientKind.DUTY_OFFICER,
            jurisdiction_id=jurisdiction_id,
            user_id=pk,
            label=(display_name or username)[:150],
            phone=phone or "",
        )
        for pk, jurisdiction_id, display_name, username, phone in users
    ]
