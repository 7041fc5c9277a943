"""Shelters and indicators for the shelter tests, built through the services on ``world``
(county A 临清市, county B 阳谷县 under 聊城市)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from support.choices import ShelterKind, ShelterLevel
from support.shelters import services


def shelter_data(jurisdiction, name, area, capacity, **extra):
    data = {
        "name": name,
        "kind": ShelterKind.PARK,
        "level": ShelterLevel.IMMEDIATE,
        "jurisdiction": jurisdiction,
        "address": f"{jurisdiction.name}{name}",
        "latitude": Decimal("36.838000"),
        "longitude": Decimal("115.706000"),
        "area_m2": Decimal(area),
        "capacity": capacity,
        "facilities": ["water", "toilets"],
        "keeper_name": "李明",
        "keeper_phone": "13912345678",
    }
    data.update(extra)
    return data


@pytest.fixture
def shelter_world(world):
    """County A: 1,000,000 m² over 400,000 residents (2.5 m², target 2.5: met); county B:
    500,000 m² over 400,000 residents (1.25 m², target 2: below); the city has its own
    indicator; a township shelter of county A counts for county A and the city."""
    w = world
    w.park_a = services.create_shelter(
        actor=w.duty_officer_a,
        data=shelter_data(w.county_a, "运河公园", "600000", 300000, external_id="lq:sh-1"),
    )
    w.square_town = services.create_shelter(
        actor=w.duty_officer_a,
        data=shelter_data(
            w.town_a, "松林镇文化广场", "400000", 200000, kind=ShelterKind.SQUARE, owner=w.water_a
        ),
    )
    w.closed_a = services.create_shelter(
        actor=w.duty_officer_a,
        data=shelter_data(w.county_a, "旧体育场", "900000", 450000, is_active=False),
    )
    w.stadium_b = services.create_shelter(
        actor=w.approver_b,
        data=shelter_data(w.county_b, "阳谷县体育场", "500000", 250000, kind=ShelterKind.STADIUM),
    )
    w.indicator_a = services.set_indicator(
        actor=w.admin_a,
        jurisdiction_id=w.county_a.pk,
        resident_population=400000,
        area_per_resident=Decimal("2.5"),
        population_year=2025,
    )
    w.indicator_b = services.set_indicator(
        actor=w.admin_city,
        jurisdiction_id=w.county_b.pk,
        resident_population=400000,
        area_per_resident=Decimal("2"),
    )
    w.indicator_city = services.set_indicator(
        actor=w.admin_city,
        jurisdiction_id=w.city.pk,
        resident_population=1000000,
        area_per_resident=Decimal("1.5"),
    )
    return SimpleNamespace(**vars(w))
