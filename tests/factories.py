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


__all__ = ["JurisdictionLevel", "OrganisationKind"]
