"""Serializer fields bounded like the pages' form fields (core.bounds)."""

from __future__ import annotations

from rest_framework import serializers

from core.bounds import MAX_INT, validate_year_window, year_in_window, year_window_message


class DateTimeField(serializers.DateTimeField):
    def enforce_timezone(self, value):
        # Before the conversion, which overflows for year 1 or 9999 near an offset.
        if not year_in_window(value.year):
            raise serializers.ValidationError(year_window_message(), code="out_of_range")
        return super().enforce_timezone(value)


class DateField(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_year_window)


def CountField(**kwargs) -> serializers.IntegerField:
    """A non-negative count that fits a PositiveIntegerField."""
    kwargs.setdefault("min_value", 0)
    kwargs.setdefault("max_value", MAX_INT)
    return serializers.IntegerField(**kwargs)


def ExternalIdField(**kwargs) -> serializers.RegexField:
    """``<source>:<id>`` or empty; the pattern is in the schema and enforced the same."""
    from core.validators import EXTERNAL_ID_MAX_LENGTH, EXTERNAL_ID_PATTERN

    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("max_length", EXTERNAL_ID_MAX_LENGTH)
    return serializers.RegexField(EXTERNAL_ID_PATTERN, **kwargs)
