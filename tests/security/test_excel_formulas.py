"""Every workbook the platform writes keeps text as text: a force named like a formula is
exported as those characters (a string cell, quote-prefixed), never as a live formula."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core import excel
from duty.rollcalls import services as rollcall_services
from forces import census
from tests import factories as f

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
DANGEROUS = [HYPERLINK, "+86 635 1234567", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def sheet_xml(content: bytes, title: str) -> str:
    book = load_workbook(BytesIO(content))
    index = book.sheetnames.index(title) + 1
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


def cells_with(content: bytes, title: str, text: str):
    ws = load_workbook(BytesIO(content))[title]
    return [c for row in ws.iter_rows() for c in row if c.value == text]


@pytest.mark.parametrize("value", DANGEROUS)
def test_the_helper_writes_formula_like_text_as_quote_prefixed_text(value):
    book = Workbook()
    excel.append(book.active, [value, 12, None])
    excel.write(book.active.cell(row=2, column=1), value)
    out = BytesIO()
    book.save(out)
    ws = load_workbook(BytesIO(out.getvalue())).active
    for cell in (ws["A1"], ws["A2"]):
        assert cell.value == value.replace("\r", "\n")  # XML reads a lone CR as LF
        assert cell.data_type == "s"
        assert cell.quotePrefix is True
    assert ws["B1"].value == 12 and ws["B1"].data_type == "n"


def test_ordinary_text_is_not_quote_prefixed_and_control_characters_are_dropped():
    book = Workbook()
    excel.append(book.active, ["临清市水利抢险队", "队\x01名"])
    assert book.active["A1"].quotePrefix is False
    assert book.active["B1"].value == "队名"


@pytest.mark.parametrize("name", [HYPERLINK, "@SUM(1+1)"])
def test_census_export_writes_a_formula_like_force_name_as_text(world, name):
    f.force(world.editor_a, world.water_a, name=name)
    content = census.export_census(actor=world.editor_a, organisation=world.water_a)
    (cell,) = cells_with(content, "队伍", name)
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    assert "<f>" not in sheet_xml(content, "队伍")


def test_roll_call_report_export_writes_a_formula_like_force_name_as_text(client, world):
    f.force(world.editor_a, world.water_a, name=HYPERLINK)
    now = timezone.now()
    rollcall_services.start_roll_call(
        actor=world.dispatcher_a, jurisdiction=world.county_a, now=now - timedelta(hours=5)
    )
    rollcall_services.close_expired(now=now)
    client.force_login(world.duty_officer_a)
    response = client.get(reverse("duty:rollcall_report_xlsx"))
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    found = [
        c
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert found, "the force should appear in the report"
    for cell in found:
        assert cell.value == HYPERLINK
        assert cell.data_type == "s" and cell.quotePrefix is True
    with zipfile.ZipFile(BytesIO(response.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode()
