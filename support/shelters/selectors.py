"""Reads of shelters used by the pages, the API and the hall screen: the visible register
and the per-capita shelter area of each jurisdiction against its indicator (Linqing
主要指标 7: 2.5 m² per resident; its text: 2 m² by 2025)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from core.choices import JurisdictionLevel
from core.models import Jurisdiction
from support.models import Shelter, ShelterIndicator
from support.shelters.permissions import reads_shelters

__all__ = [
    "PerCapitaRow",
    "below_indicator",
    "indicator_jurisdictions",
    "map_points",
    "map_shelters",
    "per_capita",
    "visible_shelters",
]

# The levels the indicator page lists (a township shows when it has an indicator).
_LISTED_LEVELS = (JurisdictionLevel.PROVINCE, JurisdictionLevel.CITY, JurisdictionLevel.COUNTY)
CENT = Decimal("0.01")


def visible_shelters(user: Any) -> QuerySet:
    """The shelters a reader sees: their jurisdiction and below."""
    if not reads_shelters(user):
        return Shelter.objects.none()
    return Shelter.objects.visible_to(user).select_related("jurisdiction", "owner")


def map_points(queryset: QuerySet, *, limit: int = 500) -> list[dict[str, Any]]:
    """Shelters in service with coordinates, as map markers (one query)."""
    rows = (
        queryset.filter(is_active=True, latitude__isnull=False, longitude__isnull=False)
        .order_by("jurisdiction__path", "name")
        .values("id", "name", "kind", "level", "capacity", "area_m2", "latitude", "longitude")[
            :limit
        ]
    )
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "kind": row["kind"],
            "level": row["level"],
            "capacity": row["capacity"],
            "area_m2": float(row["area_m2"]),
            "lat": float(row["latitude"]),
            "lng": float(row["longitude"]),
        }
        for row in rows
    ]


def map_shelters(user: Any, *, limit: int = 500) -> list[dict[str, Any]]:
    """The shelter layer of a map the user may open (the hall screen gates its own
    roles): shelters of the user's jurisdiction and below."""
    return map_points(Shelter.objects.visible_to(user), limit=limit)


@dataclass(frozen=True)
class PerCapitaRow:
    """One jurisdiction on the indicator page: shelters of it and below, in service."""

    jurisdiction: Jurisdiction
    shelter_count: int
    area_m2: Decimal
    capacity: int
    indicator: ShelterIndicator | None

    @property
    def population(self) -> int | None:
        return self.indicator.resident_population if self.indicator else None

    @property
    def target(self) -> Decimal | None:
        return self.indicator.area_per_resident if self.indicator else None

    @property
    def per_capita(self) -> Decimal | None:
        """m² of effective shelter area per resident, to the cent."""
        if not self.indicator:
            return None
        return (self.area_m2 / self.indicator.resident_population).quantize(
            CENT, rounding=ROUND_HALF_UP
        )

    @property
    def below(self) -> bool:
        """Compared exactly (area < target × population), not on the rounded figure."""
        if not self.indicator:
            return False
        return self.area_m2 < self.indicator.area_per_resident * self.indicator.resident_population

    @property
    def shortfall_m2(self) -> Decimal:
        """Effective area still to build to meet the target (0 when met)."""
        if not self.indicator:
            return Decimal(0)
        needed = self.indicator.area_per_resident * self.indicator.resident_population
        return max(Decimal(0), needed - self.area_m2).quantize(Decimal("0.1"))

    @property
    def has_indicator(self) -> bool:
        return self.indicator is not None


def per_capita(*, jurisdictions: Iterable[Jurisdiction]) -> list[PerCapitaRow]:
    """Per jurisdiction: the effective area and capacity of the shelters in service in it
    and below, its resident population and target. Two queries whatever the count; a
    jurisdiction without an indicator has no per-capita figure and is never "below"."""
    jurisdictions = list(jurisdictions)
    if not jurisdictions:
        return []
    prefixes = Q()
    for jurisdiction in jurisdictions:
        prefixes |= Q(jurisdiction__path__startswith=jurisdiction.path)
    totals = list(
        Shelter.objects.filter(prefixes, is_active=True)
        .values("jurisdiction__path")
        .annotate(area=Sum("area_m2"), capacity=Sum("capacity"), n=Count("id"))
        .order_by()
    )
    indicators = {
        i.jurisdiction_id: i
        for i in ShelterIndicator.objects.filter(jurisdiction__in=jurisdictions)
    }
    rows = []
    for jurisdiction in jurisdictions:
        mine = [t for t in totals if t["jurisdiction__path"].startswith(jurisdiction.path)]
        rows.append(
            PerCapitaRow(
                jurisdiction=jurisdiction,
                shelter_count=sum(t["n"] for t in mine),
                area_m2=sum((Decimal(t["area"]) for t in mine), Decimal(0)),
                capacity=sum(t["capacity"] or 0 for t in mine),
                indicator=indicators.get(jurisdiction.pk),
            )
        )
    return rows


def indicator_jurisdictions(user: Any) -> list[Jurisdiction]:
    """What the indicator page lists for a reader: their jurisdiction and the ones below
    down to counties, plus any township or village that has an indicator (one query)."""
    if not reads_shelters(user):
        return []
    scope = Jurisdiction.objects.all()
    if not user.is_superuser:
        if user.jurisdiction is None:
            return []
        scope = scope.filter(path__startswith=user.jurisdiction.path)
    return list(
        scope.filter(Q(level__in=_LISTED_LEVELS) | Q(shelter_indicator__isnull=False))
        .distinct()
        .order_by("path")
    )


def below_indicator(user: Any) -> list[PerCapitaRow]:
    """The reader's jurisdictions whose per-capita shelter area is below their target."""
    return [row for row in per_capita(jurisdictions=indicator_jurisdictions(user)) if row.below]
