"""The warning world is right by the standards, not only by our own code."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_every_grid_has_a_mobile_number_and_a_supervisor(warning_world):
    from earlywarning.models import Grid

    grids = list(Grid.objects.all())
    assert len(grids) == 6
    for grid in grids:
        assert re.fullmatch(r"1[3-9]\d{9}", grid.person_phone)
        assert re.fullmatch(r"1[3-9]\d{9}", grid.supervisor_phone)
        assert grid.shown_person_phone != grid.person_phone  # masked for pages
