"""Emergency shelters (应急避难场所, Linqing §四.(四)) and, per jurisdiction, the resident
population and the per-capita shelter-area indicator it is held to (2.5 m² per resident
in the Linqing plan's indicator table, 2 m² in its text: a setting per jurisdiction)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import external_id_field, unique_external_id
from core.models import Jurisdiction, Organisation
from core.phones import validate_phone
from core.querysets import ScopedQuerySet
from support.choices import ShelterKind, ShelterLevel
from support.models._geo import both_or_none, latitude_field, longitude_field

__all__ = ["DEFAULT_AREA_PER_RESIDENT", "Shelter", "ShelterIndicator"]

# The Linqing plan's indicator table (主要指标 7): 2.5 m² per urban resident.
DEFAULT_AREA_PER_RESIDENT = Decimal("2.5")


class Shelter(models.Model):
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=ShelterKind.choices)
    level = models.CharField(
        _("grade"), max_length=12, choices=ShelterLevel.choices, default=ShelterLevel.IMMEDIATE
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="shelters", verbose_name=_("jurisdiction")
    )
    owner = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="shelters",
        verbose_name=_("managing unit"),
    )
    address = models.CharField(_("address"), max_length=200)
    latitude = latitude_field()
    longitude = longitude_field()
    # Effective shelter area (有效避难面积), not the site's whole area.
    area_m2 = models.DecimalField(
        _("effective area (m²)"), max_digits=12, decimal_places=1, validators=[MinValueValidator(0)]
    )
    capacity = models.PositiveIntegerField(_("capacity (persons)"))
    # Codes from support.shelters.FACILITIES: water, power, toilets, medical, broadcast …
    facilities = models.JSONField(_("facilities"), default=list, blank=True)
    keeper_name = models.CharField(_("keeper"), max_length=50)
    keeper_phone = models.CharField(_("keeper phone"), max_length=20, validators=[validate_phone])
    is_active = models.BooleanField(_("in service"), default=True)
    external_id = external_id_field()
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shelter")
        verbose_name_plural = _("shelters")
        ordering = ["jurisdiction__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="shelter_unique_name_in_jurisdiction"
            ),
            unique_external_id("shelter"),
            both_or_none("shelter"),
            models.CheckConstraint(condition=models.Q(area_m2__gte=0), name="shelter_area_ge_0"),
        ]

    def __str__(self) -> str:
        return self.name


class ShelterIndicator(models.Model):
    """A jurisdiction's resident population and the shelter area per resident it must
    reach."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        models.PROTECT,
        related_name="shelter_indicator",
        verbose_name=_("jurisdiction"),
    )
    resident_population = models.PositiveIntegerField(_("resident population"))
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    area_per_resident = models.DecimalField(
        _("target area per resident (m²)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_AREA_PER_RESIDENT,
        validators=[MinValueValidator(0)],
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shelter indicator")
        verbose_name_plural = _("shelter indicators")
        ordering = ["jurisdiction__path"]

    def __str__(self) -> str:
        return str(self.jurisdiction)
