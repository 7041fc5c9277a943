"""Filters of the response lists (API; the pages may use them too)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from core.models import Jurisdiction
from response.choices import (
    OPEN_INSTRUCTION_STATUSES,
    ActivationStatus,
    InstructionStatus,
    ResponseHazard,
    ResponseLevel,
)
from response.models import ResponseActivation, ResponseInstruction, ResponseManual


def _within(qs, lookup: str, code: str):
    node = Jurisdiction.objects.filter(code=code).only("path").first()
    if node is None:
        return qs.none()
    return qs.filter(**{f"{lookup}__path__startswith": node.path})


class ManualFilter(django_filters.FilterSet):
    hazard = django_filters.ChoiceFilter(choices=ResponseHazard.choices, label=_("hazard"))
    level = django_filters.ChoiceFilter(choices=ResponseLevel.choices, label=_("level"))
    jurisdiction = django_filters.CharFilter(
        method="filter_jurisdiction", label=_("jurisdiction code: that one and below")
    )

    class Meta:
        model = ResponseManual
        fields = ["hazard", "level", "jurisdiction"]

    def filter_jurisdiction(self, qs, name, value):
        return _within(qs, "jurisdiction", value) if value else qs


class ActivationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ActivationStatus.choices, label=_("status"))
    hazard = django_filters.ChoiceFilter(choices=ResponseHazard.choices, label=_("hazard"))
    level = django_filters.ChoiceFilter(choices=ResponseLevel.choices, label=_("level"))
    incident = IdFilter(field_name="incident_id", label=_("incident"))
    warning = IdFilter(field_name="warning_id", label=_("warning"))
    jurisdiction = django_filters.CharFilter(
        method="filter_jurisdiction", label=_("jurisdiction code: that one and below")
    )

    class Meta:
        model = ResponseActivation
        fields = ["status", "hazard", "level", "incident", "warning", "jurisdiction"]

    def filter_jurisdiction(self, qs, name, value):
        return _within(qs, "jurisdiction", value) if value else qs


class InstructionFilter(django_filters.FilterSet):
    activation = IdFilter(field_name="activation_id", label=_("response"))
    department = IdFilter(field_name="department_id", label=_("department"))
    status = django_filters.ChoiceFilter(choices=InstructionStatus.choices, label=_("status"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("open (not done)"))
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("open and past its due time")
    )

    class Meta:
        model = ResponseInstruction
        fields = ["activation", "department", "status", "open", "overdue"]

    def filter_open(self, qs, name, value):
        if value is None:
            return qs
        condition = Q(status__in=OPEN_INSTRUCTION_STATUSES)
        return qs.filter(condition) if value else qs.exclude(condition)

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = Q(status__in=OPEN_INSTRUCTION_STATUSES) & (
            Q(overdue=True) | Q(due_at__lt=timezone.now())
        )
        return qs.filter(late) if value else qs.exclude(late)
