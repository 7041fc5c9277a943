"""Stored ID numbers made before the GB 11643 fix are reported, never changed."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from forces.models import Expert, Personnel
from tests.idnumbers import id_number

pytestmark = pytest.mark.django_db

OLD_STYLE = "110105194912310022"  # made with the old 17-character slice


@pytest.fixture
def people(world):
    good = Personnel.objects.create(force=world.force_a, name="好", id_number=id_number())
    # .update() bypasses the validators, as rows written before the fix did.
    bad = Personnel.objects.create(force=world.force_a, name="坏")
    Personnel.objects.filter(pk=bad.pk).update(id_number=OLD_STYLE)
    expert = Expert.objects.create(
        name="专家",
        field="水利",
        phone="13912345678",
        organisation=world.water_a,
        jurisdiction=world.water_a.jurisdiction,
    )
    Expert.objects.filter(pk=expert.pk).update(id_number="11010519491331002X")
    return good, bad, expert


def test_check_id_numbers_lists_each_invalid_row_without_the_number(people):
    good, bad, expert = people
    out = StringIO()
    call_command("check_id_numbers", stdout=out)
    text = out.getvalue()
    assert f"Personnel #{bad.pk} " in text and "checksum" in text
    assert f"Expert #{expert.pk} " in text
    assert f"Personnel #{good.pk} " not in text
    assert OLD_STYLE not in text
    assert text.strip().endswith("2 invalid ID number(s).")


def test_the_data_migration_reports_and_changes_nothing(people, capsys):
    _good, bad, expert = people
    migration = importlib.import_module("forces.migrations.0003_report_invalid_id_numbers")
    migration.report(apps, None)
    printed = capsys.readouterr().out
    assert "2 stored ID number(s) fail GB 11643" in printed
    assert f"Personnel #{bad.pk} " in printed
    assert Personnel.objects.get(pk=bad.pk).id_number == OLD_STYLE
    assert Expert.objects.get(pk=expert.pk).id_number == "11010519491331002X"
