"""Serializer fields bounded like the pages' form fields (core.bounds), and declared in the
API schema with the same bounds (core/api/schema.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.bounds import (
    MAX_INT,
    MAX_YEAR,
    MIN_YEAR,
    is_date_text,
    is_datetime_text,
    validate_year_window,
    year_in_window,
    year_window_message,
)


def _refuse_text(value, accepts, message) -> None:
    if isinstance(value, str) and not accepts(value.strip()):
        raise serializers.ValidationError(message, code="invalid")


class DateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        # The schema's pattern: a date of the window, a time, an offset in whole minutes.
        _refuse_text(
            value,
            is_datetime_text,
            _(
                "Give a date and time like 2026-07-01T08:30:00+08:00 (years "
                "%(min)s to %(max)s, an offset in whole minutes)."
            )
            % {"min": MIN_YEAR, "max": MAX_YEAR},
        )
        return super().to_internal_value(value)

    def enforce_timezone(self, value):
        # Before the conversion, which overflows for year 1 or 9999 near an offset.
        if not year_in_window(value.year):
            raise serializers.ValidationError(year_window_message(), code="out_of_range")
        return super().enforce_timezone(value)


class DateField(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_year_window)

    def to_internal_value(self, value):
        _refuse_text(value, is_date_text, year_window_message())
        return super().to_internal_value(value)


def CountField(**kwargs) -> serializers.IntegerField:
    """A non-negative count that fits a PositiveIntegerField."""
    kwargs.setdefault("min_value", 0)
    kwargs.setdefault("max_value", MAX_INT)
    return serializers.IntegerField(**kwargs)


def bound_model_serializers() -> None:
    """Every ModelSerializer's generated date and date-time fields are these (called once
    from CoreConfig.ready), so a model's date is bounded in the API like a declared one."""
    mapping = serializers.ModelSerializer.serializer_field_mapping
    mapping[models.DateTimeField] = DateTimeField
    mapping[models.DateField] = DateField


def ExternalIdField(**kwargs) -> serializers.RegexField:
    """``<source>:<id>`` or empty; the pattern is in the schema and enforced the same."""
    from core.validators import EXTERNAL_ID_MAX_LENGTH, EXTERNAL_ID_PATTERN

    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("max_length", EXTERNAL_ID_MAX_LENGTH)
    return serializers.RegexField(EXTERNAL_ID_PATTERN, **kwargs)


class ChoiceLabelField(serializers.CharField):
    """The label of a model field's choice, in the active language: what
    ``source="get_<field>_display"`` gives, at a dictionary look-up per row. DRF inspects
    the signature of a method source on every row, and ``get_<field>_display`` builds a
    dictionary of the (lazy) choices on every call: on a list page of fifty rows with a
    few labels each, that was most of the time spent outside the database."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self._labels: dict | None = None

    def to_representation(self, value):
        # A bound field serves one response, in one language: the labels are read once.
        labels = self._labels
        if labels is None:
            model = self.parent.Meta.model
            for name in self.source_attrs[:-1]:
                model = model._meta.get_field(name).related_model
            choices = model._meta.get_field(self.source_attrs[-1]).flatchoices
            labels = self._labels = {key: str(label) for key, label in choices}
        return labels.get(value, value)
