"""ID-number checks (GB 11643-1999); the phone rules live in core.phones and are
re-exported here for the forms, serializers and migrations that name them."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.phones import (  # noqa: F401  (re-exported)
    PERSONAL_PHONE_RE,
    PHONE_RE,
    validate_personal_phone,
    validate_phone,
)

ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")


def id_check_character(body: str) -> str:
    """GB 11643-1999 check character of the first 17 digits (ISO 7064 MOD 11-2): digit
    i (0-based, from the left) weighs 2^(17-i) mod 11; the check is (12 - sum mod 11)
    mod 11, with 10 written X."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(body[:17]))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a GB 11643 resident ID number, or None if it is one.

    The area code (first 6 digits) is not checked: stdnum's table rejects many real IDs
    (ECOSYSTEM.md), and codes change as counties are merged."""
    value = (value or "").strip().upper()
    if not ID_NUMBER_RE.match(value):
        return "format"
    if id_check_character(value[:17]) != value[17]:
        return "checksum"
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth_date"
    if born.year < 1800 or born > datetime.date.today():
        return "birth_date"
    return None


ID_NUMBER_MESSAGES = {
    "format": _("An ID number has 17 digits and a final digit or X."),
    "checksum": _("The ID number's check digit is wrong."),
    "birth_date": _("The ID number holds no valid birth date."),
}


def validate_cn_id_number(value: str) -> None:
    """Resident ID card (GB 11643): 18 characters, valid check character and birth date;
    a lowercase x is accepted (models store it upper case)."""
    if not value:
        return
    problem = id_number_problem(value)
    if problem is not None:
        raise ValidationError(ID_NUMBER_MESSAGES[problem], code="invalid_id_number")
