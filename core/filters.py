"""Filters shared by the pages and the API, bounded like every other input (core.bounds):
a number or date no column can hold is an invalid filter, not a database error."""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as drf_filters
from django_filters import utils as filter_utils
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters as rest_filters

from core.bounds import is_date_text, is_datetime_text, validate_year_window, year_window_message

_EMPTY_MESSAGE = _(
    "Give one value of the parameter's type (an id is a number, a yes/no is true or "
    "false), or leave it out."
)


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.NumberFilter):
    """A primary key given by number (``?force=12``)."""

    field_class = IdField


def _refuse_text(value, accepts) -> None:
    # The schema's pattern (core/api/schema.py): a date of the window, an offset in minutes.
    if isinstance(value, str) and value.strip() and not accepts(value.strip()):
        raise forms.ValidationError(year_window_message(), code="invalid")


class _BoundedDateTimeField(django_filters.fields.IsoDateTimeField):
    default_validators = [validate_year_window]

    def to_python(self, value):
        _refuse_text(value, is_datetime_text)
        return super().to_python(value)


class _BoundedDateField(forms.DateField):
    default_validators = [validate_year_window]

    def to_python(self, value):
        _refuse_text(value, is_date_text)
        return super().to_python(value)


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


def _refers_to_an_object(f: django_filters.Filter) -> bool:
    return isinstance(
        f, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
    )


def _is_id(value: str) -> bool:
    value = value.strip().removeprefix("-")
    return not value or (value.isascii() and value.isdigit())


def _takes_text(f: django_filters.Filter) -> bool:
    # A code (``?specialty=water``) is text as well: the schema declares a string.
    if isinstance(f, django_filters.ModelChoiceFilter):
        return not _by_id(f)
    return isinstance(f, django_filters.CharFilter)


def _by_id(f: django_filters.Filter) -> bool:
    """A filter naming its object by primary key (``?organisation=12``), not by a code."""
    to_field = getattr(f.field, "to_field_name", None)
    model = getattr(getattr(f, "queryset", None), "model", None)
    return to_field is None or (model is not None and to_field == model._meta.pk.name)


class FilterBackend(drf_filters.DjangoFilterBackend):
    """Filters as the schema declares them (issue 11, the contract):

    - a parameter given empty (``?is_active=``) is refused unless it is a text filter: an
      empty value is neither a boolean, a number, an id nor one of an enum's choices;
    - an id that names no object the filter may refer to filters to nothing (200, empty),
      like any other value that matches nothing, instead of a 400 that tells a caller
      which ids exist."""

    filterset_base = FilterSet

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        empty = [
            name
            for name, f in filterset.filters.items()
            if name in request.query_params
            and not request.query_params.get(name, "").strip()
            and not _takes_text(f)
        ]
        empty += [
            name
            for name, f in filterset.filters.items()
            if isinstance(f, django_filters.BooleanFilter)
            and request.query_params.get(name, "").strip() not in ("", "true", "false")
        ]
        empty += [
            name
            for name, f in filterset.filters.items()
            if len(request.query_params.getlist(name)) > 1
            and not isinstance(f, django_filters.MultipleChoiceFilter)
            and not isinstance(f, django_filters.ModelMultipleChoiceFilter)
        ]
        empty += [
            name
            for name, f in filterset.filters.items()
            if isinstance(f, django_filters.ModelChoiceFilter)
            and _by_id(f)
            and name in request.query_params
            and not _is_id(request.query_params.get(name, ""))
        ]
        if empty:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({name: [_EMPTY_MESSAGE] for name in dict.fromkeys(empty)})
        if any(
            isinstance(f, django_filters.ModelChoiceFilter)
            and _by_id(f)
            and abs(int(request.query_params.get(name).strip() or 0)) >= 2**63
            for name, f in filterset.filters.items()
            if name in request.query_params
        ):
            return queryset.none()  # an id no row can have
        if not filterset.is_valid():
            errors = filterset.form.errors.as_data()
            if all(
                _refers_to_an_object(filterset.filters[name])
                and all(error.code == "invalid_choice" for error in field_errors)
                for name, field_errors in errors.items()
                if name in filterset.filters
            ) and set(errors) <= set(filterset.filters):
                return queryset.none()
            raise filter_utils.translate_validation(filterset.errors)
        return filterset.qs


class SearchFilter(rest_filters.SearchFilter):
    """``?search=`` is advertised only where a view declares what it searches
    (``search_fields``); elsewhere the schema does not offer a parameter that does nothing."""

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "search_fields", None):
            return []
        return super().get_schema_operation_parameters(view)
