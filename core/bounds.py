"""The ranges the platform accepts from a request, in one place. Values outside them are
refused as invalid input where they are parsed, before they reach date arithmetic, time
zone conversion or a database column that cannot hold them."""

from __future__ import annotations

import re
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


# The text of a date or date-time a request may send, declared in the API schema as a
# pattern (core/api/schema.py) and refused the same way (core/api/fields.py, core/filters.py).
def _year_pattern() -> str:
    """A regular expression matching the years MIN_YEAR..MAX_YEAR (whole centuries)."""
    first, last = MIN_YEAR // 100, MAX_YEAR // 100
    assert MIN_YEAR % 100 == 0 and MAX_YEAR % 100 == 99, "core.bounds spans whole centuries"
    centuries = "|".join(str(c) for c in range(first, last + 1))
    return rf"(?:{centuries})[0-9][0-9]"


def _leap_years_pattern() -> str:
    first, last = MIN_YEAR // 100, MAX_YEAR // 100
    centuries = "|".join(str(c) for c in range(first, last + 1))
    leap_centuries = "|".join(str(c) for c in range(first, last + 1) if c % 4 == 0)
    within = r"0[48]|[2468][048]|[13579][26]"
    pattern = rf"(?:{centuries})(?:{within})"
    if leap_centuries:
        pattern = rf"(?:{pattern}|(?:{leap_centuries})00)"
    return pattern


_MONTH_DAY = (
    r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)"
)
DATE_PATTERN = rf"(?:{_year_pattern()}-{_MONTH_DAY}|{_leap_years_pattern()}-02-29)"
TIME_PATTERN = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
OFFSET_PATTERN = r"(?:Z|[+-](?:0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)"
#: What a date field accepts: a calendar date of the platform's window.
DATE_REGEX = rf"^{DATE_PATTERN}$"
#: What a date-time field accepts: a date of the window, a time, and an offset in whole
#: minutes (none = Asia/Shanghai).
DATETIME_REGEX = rf"^{DATE_PATTERN}[T ]{TIME_PATTERN}{OFFSET_PATTERN}?$"

_DATE_RE = re.compile(DATE_REGEX)
_DATETIME_RE = re.compile(DATETIME_REGEX)


def is_date_text(value: str) -> bool:
    return bool(_DATE_RE.fullmatch(value))


def is_datetime_text(value: str) -> bool:
    return bool(_DATETIME_RE.fullmatch(value))
