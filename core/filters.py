"""Filters shared by the pages and the API, bounded like every other input (core.bounds):
a number or date no column can hold is an invalid filter, not a database error."""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django_filters import rest_framework as drf_filters

from core.bounds import validate_year_window


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


class IdFilter(django_filters.NumberFilter):
    """A primary key given by number (``?force=12``)."""

    field_class = IdField


class _BoundedDateTimeField(django_filters.fields.IsoDateTimeField):
    default_validators = [validate_year_window]


class _BoundedDateField(forms.DateField):
    default_validators = [validate_year_window]


class IsoDateTimeFilter(drf_filters.IsoDateTimeFilter):
    field_class = _BoundedDateTimeField


class DateFilter(drf_filters.DateFilter):
    field_class = _BoundedDateField


class FilterSet(drf_filters.FilterSet):
    """The base of every generated API filterset (``filterset_fields``)."""

    FILTER_DEFAULTS = {
        **drf_filters.FilterSet.FILTER_DEFAULTS,
        models.DateTimeField: {"filter_class": IsoDateTimeFilter},
        models.DateField: {"filter_class": DateFilter},
    }


class FilterBackend(drf_filters.DjangoFilterBackend):
    filterset_base = FilterSet
