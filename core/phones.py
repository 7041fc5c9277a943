"""Phone number rules (ECOSYSTEM.md: mobile 1[3-9] and 9 digits, landline with area code
such as 0635-2345678). Duty lines and hotlines may also be short numbers (119, 12345); a
person's own phone may not."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ASCII digits only ([0-9], not \d, which takes any script's digits); the API schema
# declares the same patterns (core/api/schema.py).
PHONE_RE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?|[0-9]{3,5})$")
PERSONAL_PHONE_RE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?)$")

MESSAGE = _("Enter a mobile number (13812345678) or a landline with area code (0635-2345678).")


def validate_phone(value: str) -> None:
    """Duty line or hotline: mobile, landline with area code, or a short number."""
    if value and not PHONE_RE.match(value):
        raise ValidationError(MESSAGE, code="invalid_phone")


def validate_personal_phone(value: str) -> None:
    """A person's phone: mobile or landline with area code, never a short number."""
    if value and not PERSONAL_PHONE_RE.match(value):
        raise ValidationError(MESSAGE, code="invalid_phone")
