"""Resident ID numbers valid by GB 11643-1999, built from the standard's own table so
tests do not trust the validator they check."""

from __future__ import annotations

from datetime import date

# GB 11643-1999 §8.2: the weights W_i for positions 1..17 and the check character for
# each remainder of the weighted sum mod 11 (0..10).
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_FOR_REMAINDER = "10X98765432"


def check_character(body: str) -> str:
    assert len(body) == 17 and body.isdigit(), body
    return CHECK_FOR_REMAINDER[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def id_number(area: str = "371581", born: date = date(1990, 1, 1), sequence: int = 123) -> str:
    """A valid ID: area code, birth date, a 3-digit sequence (odd last digit: male)."""
    body = f"{area}{born:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


def with_wrong_check(number: str) -> str:
    """The same number with a check character that is certainly wrong."""
    right = number[17].upper()
    return number[:17] + next(c for c in "0123456789X" if c != right)
