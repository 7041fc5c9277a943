"""Coordinates as the registry stores them (WGS-84, six decimals)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def latitude_field() -> models.DecimalField:
    return models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )


def longitude_field() -> models.DecimalField:
    return models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )


def both_or_none(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(latitude__isnull=True, longitude__isnull=True)
        | models.Q(latitude__isnull=False, longitude__isnull=False),
        name=f"{prefix}_coordinates_both_or_none",
    )
