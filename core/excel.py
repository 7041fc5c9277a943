"""Writing cells of the workbooks the platform exports. Every text value is written as
text: a force named ``=HYPERLINK(...)`` must reach the reader as those characters, never as
a formula Excel or WPS would evaluate (OWASP "CSV injection"). Text that starts like a
formula is also quote-prefixed, so editing the cell in Excel keeps it text; the displayed
value is unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean(value: Any) -> Any:
    """Text without the control characters openpyxl refuses (it raises on them)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value) or None
    return value


def as_text(cell: Cell) -> None:
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True


def write(cell: Cell, value: Any) -> Cell:
    cell.value = clean(value)
    as_text(cell)
    return cell


def append(sheet: Worksheet, values: Iterable[Any]) -> list[Cell]:
    """Append a row; returns its cells. Found by the row just written, not by
    ``max_row``, which scans every cell of the sheet (a 5,000-row export took seconds)."""
    row = [clean(v) for v in values]
    sheet.append(row)
    cells = [sheet.cell(row=sheet._current_row, column=n) for n in range(1, len(row) + 1)]
    for cell in cells:
        as_text(cell)
    return cells
