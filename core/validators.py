"""Validators shared by every app (core is the bottom layer)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ``<source>:<id>``: the source is a short lower-case name of the system that owns the
# record (``sd``, ``province``, ``lc-119``), the id whatever that system calls it.
EXTERNAL_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,31}:[A-Za-z0-9_.:-]{1,64}$"
EXTERNAL_ID_MAX_LENGTH = 100
_EXTERNAL_ID = re.compile(EXTERNAL_ID_PATTERN)


def is_external_id(value: str) -> bool:
    return bool(_EXTERNAL_ID.fullmatch(value or ""))


def validate_external_id(value: str) -> None:
    """``<source>:<id>``, e.g. ``sd:370000-0042``."""
    if not is_external_id(value):
        raise ValidationError(
            _("Use <source>:<id>, e.g. sd:370000-0042 (source: a-z, 0-9, _ . -)."),
            code="invalid_external_id",
        )
