"""Masking of personal data (SPEC §2; ECOSYSTEM.md conventions): 138****5678,
110105********002X, 张*明."""

from __future__ import annotations

import re

# Field names whose value is masked for users outside the owning organisation. No list
# endpoint may order, search or filter by them: the order of the answers would reveal
# what the mask hides.
MASKED_FIELDS = frozenset({"id_number", "phone", "leader_phone", "callback_phone"})


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = value.strip()
    if re.fullmatch(r"1\d{10}", digits):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 5:  # hotlines and extensions are not personal
        return digits
    keep_head = digits.index("-") + 1 if "-" in digits[:5] else 3
    hidden = max(len(digits) - keep_head - 3, 1)
    return f"{digits[:keep_head]}{'*' * hidden}{digits[-3:]}"


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return f"{value[0]}*"
    return f"{value[0]}{'*' * (len(value) - 2)}{value[-1]}"
