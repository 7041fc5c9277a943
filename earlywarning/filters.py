"""Filters of the warning list (API; the pages may use them too)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Jurisdiction
from earlywarning.choices import WarningLevel, WarningStatus
from earlywarning.models import HazardWarning


class WarningFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WarningStatus.choices, label=_("status"))
    level = django_filters.ChoiceFilter(choices=WarningLevel.choices, label=_("level"))
    hazard_type = django_filters.CharFilter(
        field_name="hazard_type__code", label=_("hazard type (code)")
    )
    jurisdiction = django_filters.CharFilter(
        method="filter_area", label=_("jurisdiction code: warnings with an area within it")
    )
    active = django_filters.BooleanFilter(
        method="filter_active", label=_("in force (published and not expired)")
    )
    external_id = django_filters.CharFilter(label=_("external id"))

    class Meta:
        model = HazardWarning
        fields = ["status", "level", "hazard_type", "jurisdiction", "active", "external_id"]

    def filter_area(self, qs, name, value):
        """Warnings one of whose areas is that jurisdiction or below it."""
        if not value:
            return qs
        node = Jurisdiction.objects.filter(code=value).only("path").first()
        if node is None:
            return qs.none()
        through = HazardWarning.areas.through
        within = through.objects.filter(
            hazardwarning_id=OuterRef("pk"), jurisdiction__path__startswith=node.path
        )
        return qs.filter(Exists(within))

    def filter_active(self, qs, name, value):
        if value is None:
            return qs
        in_force = Q(status=WarningStatus.PUBLISHED, expires_at__gt=timezone.now())
        return qs.filter(in_force) if value else qs.exclude(in_force)
