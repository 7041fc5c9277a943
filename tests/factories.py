"""Builders for test data. Forces are registered through the services, as users do."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth.models import Group

from core.choices import JurisdictionLevel, OrganisationKind
from core.models import Jurisdiction, Organisation, User
from forces import services
from forces.models import Force, Specialty

_counter = itertools.count(1)


def jurisdiction(code: str, name: str, level: str, parent: Jurisdiction | None = None):
    obj, _ = Jurisdiction.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return obj


def organisation(
    name: str, kind: str, where: Jurisdiction, *, tier: int = 2, sector: str = ""
) -> Organisation:
    return Organisation.objects.create(
        name=name, kind=kind, jurisdiction=where, linkage_tier=tier, sector=sector
    )


def user(username: str, org: Organisation | None, *roles: str, **extra: Any) -> User:
    u = User.objects.create_user(
        username=username, password="pw-Linkage-2026", organisation=org, **extra
    )
    for role in roles:
        u.groups.add(Group.objects.get(name=role))
    return u


def specialty(code: str = "water", name: str = "水域") -> Specialty:
    obj, _ = Specialty.objects.get_or_create(code=code, defaults={"name": name})
    return obj


def force(actor: User, org: Organisation, **data: Any) -> Force:
    n = next(_counter)
    defaults = {
        "name": f"测试救援队{n}",
        "category": "government",
        "duty_phone": "0635-2345678",
        "headcount": 20,
    }
    defaults.update(data)
    specialties = defaults.pop("specialties", [])
    return services.create_force(
        actor=actor, organisation=org, data=defaults, specialties=specialties
    )


def incident_type(code="11A01", name="洪水", category="natural", disaster_type="flood"):
    from command.models import IncidentType

    obj, _ = IncidentType.objects.get_or_create(
        code=code, defaults={"name": name, "category": category, "disaster_type": disaster_type}
    )
    return obj


def incident(actor: User, **data: Any):
    """An open incident recorded through the service."""
    from decimal import Decimal

    from command import services as command_services

    defaults = {
        "title": f"测试警情{next(_counter)}",
        "source": "119",
        "latitude": Decimal("36.838000"),
        "longitude": Decimal("115.705000"),
        "level": "iv",
    }
    defaults.update(data)
    defaults.setdefault("incident_type", incident_type())
    return command_services.create_incident(actor=actor, data=defaults)


def plan(dispatcher: User, incident_obj, forces, *, submit=False, **extra: Any):
    """A plan drafted (and optionally submitted) through the dispatch services. Forces
    already out on another order are confirmed (``allow_deployed``) unless a test says
    otherwise: tests/dispatch/test_plan_warnings.py covers the warning itself."""
    from dispatch import services as dispatch_services

    extra.setdefault("allow_deployed", True)

    result = dispatch_services.draft_plan(
        actor=dispatcher,
        incident_id=incident_obj.pk,
        task=extra.pop("task", "抢险救援"),
        reason=extra.pop("reason", "险情扩大，需专业力量"),
        lines=[dispatch_services.LineInput(force_id=x.pk, people=5) for x in forces],
        **extra,
    )
    if submit:
        result = dispatch_services.submit_plan(actor=dispatcher, plan_id=result.pk)
    return result


__all__ = ["JurisdictionLevel", "OrganisationKind"]


def hazard_type(
    code: str, name: str, sector: str, *, specialties=(), concerned=(), category: str = "Met"
):
    from earlywarning.models import HazardType

    obj, created = HazardType.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "sector": sector,
            "cap_category": category,
            "concerned_sectors": list(concerned),
        },
    )
    if created and specialties:
        obj.specialties.set(specialties)
    return obj


def grid(where: Jurisdiction, code: str, name: str, person: str, phone: str, **extra: Any):
    from earlywarning.models import Grid

    return Grid.objects.create(
        jurisdiction=where,
        code=code,
        name=name,
        person_name=person,
        person_phone=phone,
        **extra,
    )
