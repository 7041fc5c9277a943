"""Phone and ID-number checks (ECOSYSTEM.md: mobile 1[3-9]+9 digits, landline 0571-87654321)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{3,5})$")


def validate_phone(value: str) -> None:
    """Mobile, landline with area code, or a short hotline number."""
    if value and not PHONE_RE.match(value):
        raise ValidationError(
            _("Enter a mobile number (13812345678) or a landline with area code (0635-2345678)."),
            code="invalid_phone",
        )


def validate_cn_id_number(value: str) -> None:
    """Resident ID card: 18 characters with a valid checksum.

    stdnum's birth-place check rejects many real IDs, so only the checksum and
    birth date decide here.
    """
    if not value:
        return
    value = value.upper()
    if not re.match(r"^\d{17}[\dX]$", value):
        raise ValidationError(
            _("An ID number has 17 digits and a final digit or X."), code="invalid_id_number"
        )
    if ric.calc_check_digit(value[:17]) != value[-1]:
        raise ValidationError(_("The ID number's check digit is wrong."), code="invalid_id_number")
    try:
        ric.get_birth_date(value)
    except Exception as exc:
        raise ValidationError(
            _("The ID number holds no valid birth date."), code="invalid_id_number"
        ) from exc
