"""Incidents (灾害事故/警情), SPEC §3 — the basic incident the dispatch chain hangs on."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from command.choices import (
    AreaType,
    IncidentCategory,
    IncidentLevel,
    IncidentSource,
    IncidentStatus,
)
from core.fields import external_id_field, unique_external_id
from core.models import Jurisdiction
from core.querysets import ScopedQuerySet
from forces.choices import DisasterType


class IncidentType(models.Model):
    """A GB/T 35561 incident type (突发事件分类与编码). Reference data.

    ``disaster_type`` links the type to a dispatch formation (Rongcheng §四.二.4)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=20, choices=IncidentCategory.choices)
    disaster_type = models.CharField(
        _("formation"), max_length=32, choices=DisasterType.choices, blank=True
    )

    class Meta:
        verbose_name = _("incident type")
        verbose_name_plural = _("incident types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Incident(models.Model):
    """A disaster or accident received by the centre (SPEC §3)."""

    title = models.CharField(pgettext_lazy("incident", "title"), max_length=150)
    received_at = models.DateTimeField(_("received at"))
    source = models.CharField(_("source"), max_length=16, choices=IncidentSource.choices)
    incident_type = models.ForeignKey(
        IncidentType, models.PROTECT, related_name="incidents", verbose_name=_("type")
    )
    level = models.CharField(
        _("level"), max_length=12, choices=IncidentLevel.choices, default=IncidentLevel.UNASSESSED
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="incidents", verbose_name=_("jurisdiction")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    area_type = models.CharField(
        _("area"), max_length=8, choices=AreaType.choices, default=AreaType.URBAN
    )
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    injuries = models.PositiveIntegerField(_("injuries"), default=0)
    missing = models.PositiveIntegerField(_("missing"), default=0)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=IncidentStatus.choices,
        default=IncidentStatus.OPEN,
        db_index=True,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    external_id = external_id_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-received_at", "-id"]
        constraints = [unique_external_id("incident")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("command:incident_detail", args=[self.pk])

    @property
    def category(self) -> str:
        return self.incident_type.category
