"""Rescuers with GB 11643-valid ID numbers for the welfare tests."""

from __future__ import annotations

from datetime import date

import pytest

from forces.models import Personnel
from tests.idnumbers import id_number


@pytest.fixture
def rescuers(world):
    """Two rescuers of county A's water force (临清市水利抢险队) and one of county B's."""
    w = world
    w.rescuer_a = Personnel.objects.create(
        force=w.force_a,
        name="李勇",
        id_number=id_number("371581", date(1988, 5, 17), 135),
        phone="13912345678",
        position="队员",
    )
    w.rescuer_a2 = Personnel.objects.create(
        force=w.force_a, name="赵刚", id_number=id_number("371581", date(1990, 3, 2), 151)
    )
    w.rescuer_b = Personnel.objects.create(
        force=w.force_b,
        name="孙强",
        id_number=id_number("371521", date(1985, 11, 9), 173),
        phone="13787654321",
    )
    return w
