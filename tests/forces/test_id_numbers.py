"""Resident ID numbers follow GB 11643-1999: examples from the standard and elsewhere, and
numbers built from the standard's weight table (tests/idnumbers.py), never from the
validator itself."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from forces.validators import id_check_character, validate_cn_id_number
from tests.idnumbers import check_character, id_number, with_wrong_check

VALID = [
    "11010519491231002X",  # GB 11643-1999 §8.2 example
    "440524188001010014",  # GB 11643-1999 example, born 1880
    "360426199101010071",  # python-stdnum's documented example
    "11010119900307803X",
    "110101199003074477",
]

INVALID = [
    ("110105194912310022", "checksum"),  # accepted by the old 17-character slice
    ("440524188001010015", "checksum"),
    ("11010519491231002Y", "format"),
    ("1101051949123100", "format"),
    ("110105194913310021", "birth_date"),  # month 13, check character right
    ("110105194902300020", "birth_date"),  # 30 February
]


@pytest.mark.parametrize("number", VALID)
def test_real_world_id_numbers_pass(number):
    validate_cn_id_number(number)


@pytest.mark.parametrize("number", VALID)
def test_a_lowercase_x_or_any_wrong_check_character_is_judged_like_the_standard(number):
    validate_cn_id_number(number.lower())
    with pytest.raises(ValidationError):
        validate_cn_id_number(with_wrong_check(number))


@pytest.mark.parametrize("number,reason", INVALID)
def test_malformed_id_numbers_are_refused(number, reason):
    if reason == "birth_date":
        # The cases are built so that only the date is wrong.
        assert check_character(number[:17]) == number[17]
    with pytest.raises(ValidationError) as exc:
        validate_cn_id_number(number)
    assert exc.value.code == "invalid_id_number"


def test_a_future_birth_date_is_refused():
    with pytest.raises(ValidationError):
        validate_cn_id_number(id_number(born=date(2999, 1, 1)))


def test_validator_agrees_with_the_standard_table_on_random_numbers():
    rng = random.Random(11643)
    for _ in range(2000):
        area, year, sequence = (
            rng.randrange(110000, 660000),
            rng.randrange(1950, 2010),
            rng.randrange(1000),
        )
        body = f"{area}{year}0101{sequence:03d}"
        assert id_check_character(body) == check_character(body)
        validate_cn_id_number(body + check_character(body))
