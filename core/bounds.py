"""The ranges the platform accepts from a request, in one place. Values outside them are
refused as invalid input where they are parsed, before they reach date arithmetic, time
zone conversion or a database column that cannot hold them."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Every date of this platform's work lies in this window; year 1 or 9999 with an offset
# cannot be converted to UTC, and the month calendar cannot step past either end.
MIN_YEAR = 1900
MAX_YEAR = 2199

# The range of a PositiveIntegerField / integer column on every supported database.
MAX_INT = 2_147_483_647


def year_in_window(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def year_window_message() -> str:
    return _("Give a date between the years %(min)d and %(max)d.") % {
        "min": MIN_YEAR,
        "max": MAX_YEAR,
    }


def validate_year_window(value: date | datetime | None) -> None:
    if value is not None and not year_in_window(value.year):
        raise ValidationError(year_window_message(), code="out_of_range")
