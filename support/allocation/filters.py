"""Filters of the allocation list (API)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from support.choices import AllocationStatus
from support.models import AllocationRequest


class AllocationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AllocationStatus.choices, label=_("status"))
    incident = IdFilter(field_name="incident_id", label=_("incident"))

    class Meta:
        model = AllocationRequest
        fields = ["status", "incident"]
