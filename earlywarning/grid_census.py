"""The grid register (网格责任人名册) as an Excel workbook: a blank template, an export of
the grids a user sees, and an all-or-nothing import with a row-level report, like the
force census (forces/census.py, RELIABILITY.md).

A township clerk downloads the template (or the export), fills one row per grid and
uploads it. Grids are matched by their code: a known code updates that grid, a new one
creates a grid. One problem anywhere and nothing is saved; the report names every bad
row and column. A successful import records one ``grid.imported`` event with counts.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core import excel
from core.events import record_event
from core.exceptions import DomainError, PermissionDeniedError, ValidationFailed
from core.masking import mask_phone
from core.models import Jurisdiction, User
from earlywarning.events import GridEvent
from earlywarning.grids import (
    add_grid,
    can_manage_grids,
    can_read_grids,
    change_grid,
    shows_grid_phones,
    visible_grids,
)
from earlywarning.models import Grid

# The workbook checks (size, zip bomb, damaged XML) are the force census's own.
from forces import census as force_census

XLSX_CONTENT_TYPE = force_census.XLSX_CONTENT_TYPE
MAX_ROWS = force_census.MAX_ROWS
MAX_COLUMNS = force_census.MAX_COLUMNS
SHEET_TITLE = "网格"
HELP_TITLE = "填写说明"
YES, NO = "是", "否"
TRUE_WORDS = {YES, "y", "yes", "true", "1", "在用", "√", "✓"}
FALSE_WORDS = {NO, "n", "no", "false", "0", "停用", "×", "✗"}


@dataclass(frozen=True, eq=False)
class Column:
    header: str
    field: str
    kind: str = "text"
    width: int = 14
    required: bool = False
    personal: bool = False
    export_only: bool = False


CODE = Column("网格编码", "code", width=20, required=True)
COLUMNS = (
    CODE,
    Column("网格名称", "name", width=24, required=True),
    Column("所在行政区划代码", "jurisdiction", "jurisdiction", 18, required=True),
    Column("所在行政区划", "jurisdiction_name", width=18, export_only=True),
    Column("网格责任人", "person_name", width=12, required=True),
    Column("责任人电话", "person_phone", "phone", 16, required=True, personal=True),
    Column("监督人", "supervisor_name", width=12),
    Column("监督人电话", "supervisor_phone", "phone", 16, personal=True),
    Column("户数", "households", "count", 8),
    Column("在用", "is_active", "bool", 6),
    Column("外部编号", "external_id", width=16),
    Column("备注", "note", width=30),
)
HELP_LINES = (
    "每行一个网格。带 * 的列必须填写。",
    "网格编码：县级网格台账中的编码，全市唯一；已有编码的行更新该网格，新编码新建网格。",
    "所在行政区划代码：网格所在乡镇（街道）9位或村（社区）12位代码，须在您的辖区内。",
    "责任人电话、监督人电话：11位手机号码，或带区号的固定电话（如0635-2345678）。",
    "在用：填“是”或“否”，空白为“是”。所在行政区划一列仅供查看，导入时不读取。",
    "任何一行有误，整个文件都不导入；请按错误报告逐行改正后重新上传整个文件。",
)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class GridImportReport:
    """The outcome of one import. ``ok`` False means nothing was saved."""

    ok: bool = True
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def add(self, row: int, column: str, message: Any) -> None:
        # Kept in row order whatever pass found it (cells, then duplicates, then saving).
        bisect.insort(self.errors, RowError(row, column, str(message)), key=lambda e: e.row)

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [asdict(e) for e in self.errors],
        }


class _CellError(Exception):
    pass


class _Rollback(Exception):
    pass


# Export --------------------------------------------------------------------------------


def _new_workbook() -> tuple[Workbook, Any]:
    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET_TITLE
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F2DCDB")
    for index, column in enumerate(COLUMNS, start=1):
        header = f"{column.header}*" if column.required else column.header
        cell = excel.write(ws.cell(row=1, column=index), header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        # Codes and phones stay text when typed in Excel (no 3.7158E+11, no lost zeros).
        ws.column_dimensions[letter].number_format = "0" if column.kind == "count" else "@"
        if column.kind == "bool":
            validation = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
            validation.showErrorMessage = True
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    ws.freeze_panes = "C2"
    help_sheet = workbook.create_sheet(HELP_TITLE)
    help_sheet.column_dimensions["A"].width = 100
    for line in HELP_LINES:
        excel.append(help_sheet, [line])
    return workbook, ws


def _save(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_workbook() -> bytes:
    """The empty register with its headers, drop-downs and filling notes."""
    workbook, _ws = _new_workbook()
    return _save(workbook)


def export_grids(*, actor: User, queryset: Any = None) -> bytes:
    """The grids ``actor`` sees (or the given subset of them) as a workbook the import
    reads back. Phones are masked as on the list page."""
    if not can_read_grids(actor):
        raise PermissionDeniedError(_("Your role may not read the grid register."))
    grids = queryset if queryset is not None else visible_grids(actor)
    grids = grids.filter(pk__in=visible_grids(actor).values("pk")).select_related("jurisdiction")
    workbook, ws = _new_workbook()
    shown: dict[int, bool] = {}
    for row, grid in enumerate(grids.order_by("jurisdiction__path", "code"), start=2):
        if grid.jurisdiction_id not in shown:
            shown[grid.jurisdiction_id] = shows_grid_phones(actor, grid.jurisdiction)
        for index, column in enumerate(COLUMNS, start=1):
            value = _export_value(grid, column, shown[grid.jurisdiction_id])
            cell = excel.write(ws.cell(row=row, column=index), value)
            cell.number_format = "0" if column.kind == "count" else "@"
    return _save(workbook)


def _export_value(grid: Grid, column: Column, show_phones: bool) -> Any:
    if column.field == "jurisdiction":
        return grid.jurisdiction.code
    if column.field == "jurisdiction_name":
        return grid.jurisdiction.name
    value = getattr(grid, column.field)
    if column.kind == "bool":
        return YES if value else NO
    if column.personal and not show_phones:
        return mask_phone(value)
    return value


def filename(prefix: str, day: date | None = None) -> str:
    day = day or timezone.localdate()
    return f"{prefix}_{day:%Y%m%d}.xlsx"


def content_disposition(prefix: str, fallback: str, day: date | None = None) -> str:
    """An ASCII name for old clients, the Chinese one in RFC 5987 form for the rest."""
    day = day or timezone.localdate()
    encoded = quote(filename(prefix, day), safe="")
    return f"attachment; filename=\"{fallback}-{day:%Y%m%d}.xlsx\"; filename*=UTF-8''{encoded}"


# Import --------------------------------------------------------------------------------


def import_grids(*, actor: User, upload: UploadedFile) -> GridImportReport:
    """Create or update grids from a register workbook, all or nothing."""
    if not can_manage_grids(actor):
        raise PermissionDeniedError(_("Your role may not keep grids."))
    workbook = force_census._open_workbook(upload)
    try:
        if SHEET_TITLE not in workbook.sheetnames:
            message = _("The workbook has no sheet named “%(sheet)s”.") % {"sheet": SHEET_TITLE}
            raise ValidationFailed(message, code="invalid_file", errors={"file": [message]})
        run = _Import(actor)
        try:
            with transaction.atomic():
                run.run(force_census._worksheet(workbook, SHEET_TITLE))
                if run.report.errors:
                    raise _Rollback
        except force_census._Unreadable as exc:
            message = force_census._unreadable_message(str(exc))
            raise ValidationFailed(
                message, code="invalid_file", errors={"file": [message]}
            ) from exc
        except _Rollback:
            run.report.ok = False
            run.report.created = run.report.updated = run.report.unchanged = 0
        return run.report
    finally:
        workbook.close()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _key(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)).casefold()


def _common_ancestor(places: list[Jurisdiction]) -> Jurisdiction:
    paths = [p.path.split("/")[:-1] for p in places]
    common: list[str] = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    by_code = {p.code: p for p in places}
    # Two trees (two provinces, a superuser's import): the first one's root.
    code = common[-1] if common else paths[0][0]
    return by_code.get(code) or Jurisdiction.objects.get(code=code)


class _Import:
    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.report = GridImportReport()
        self.jurisdictions: dict[str, Jurisdiction | None] = {}
        self.seen: dict[str, int] = {}
        self.touched: list[Jurisdiction] = []

    def rows(self, ws: Any) -> Iterator[tuple[int, dict[Column, Any]]]:
        declared_rows, declared_columns = ws.max_row or 0, ws.max_column or 0
        if declared_rows > MAX_ROWS + 1 or declared_columns > MAX_COLUMNS:
            self.report.add(
                1,
                "",
                _(
                    "The sheet declares %(rows)d rows and %(columns)d columns; the register "
                    "may have at most %(max_rows)d rows. Delete the empty rows and columns "
                    "after the table, save, and upload again."
                )
                % {"rows": declared_rows, "columns": declared_columns, "max_rows": MAX_ROWS},
            )
            return
        values = force_census._sheet_rows(ws)
        header = next(values, None) or ()
        by_header = {c.header: c for c in COLUMNS if not c.export_only}
        positions: dict[int, Column] = {}
        for index, raw in enumerate(header):
            column = by_header.get(str(raw or "").strip().rstrip("*＊").strip())
            if column is not None and column not in positions.values():
                positions[index] = column
        missing = [c for c in COLUMNS if c.required and c not in positions.values()]
        for column in missing:
            self.report.add(1, column.header, _("This column is missing."))
        if missing:
            return
        for row, raw_row in enumerate(values, start=2):
            cells = {c: raw_row[i] if i < len(raw_row) else None for i, c in positions.items()}
            if row > MAX_ROWS + 1:
                self.report.add(
                    row, "", _("A sheet may hold at most %(n)d rows.") % {"n": MAX_ROWS}
                )
                return
            if all(_is_blank(v) for v in cells.values()):
                continue
            yield row, cells

    def run(self, ws: Any) -> None:
        parsed = [(row, self.parse(row, cells)) for row, cells in self.rows(ws)]
        codes = [data["code"] for _row, data in parsed if data and data.get("code")]
        existing = {
            g.code: g
            for g in Grid.objects.select_for_update(of=("self",))
            .select_related("jurisdiction")
            .filter(code__in=codes)
        }
        for row, data in parsed:
            if data is not None:
                self.save(row, data, existing.get(data["code"]))
        if not self.report.errors and self.touched:
            report = self.report
            record_event(
                type=GridEvent.IMPORTED,
                jurisdiction=(where := _common_ancestor(self.touched)),
                subject=where,
                actor=self.actor,
                payload={
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )

    # Cells ------------------------------------------------------------------------------

    def parse(self, row: int, cells: dict[Column, Any]) -> dict[str, Any] | None:
        data: dict[str, Any] = {}
        ok = True
        for column, raw in cells.items():
            if _is_blank(raw):
                if column.required:
                    self.report.add(row, column.header, _("This cell is required."))
                    ok = False
                elif column.kind == "count":
                    data[column.field] = None
                elif column.kind == "bool":
                    data[column.field] = True
                else:
                    data[column.field] = ""
                continue
            try:
                data[column.field] = getattr(self, f"_read_{column.kind}")(raw)
            except _CellError as exc:
                self.report.add(row, column.header, str(exc))
                ok = False
        if not ok:
            return None
        code = data["code"]
        first = self.seen.setdefault(code, row)
        if first != row:
            self.report.add(
                row,
                CODE.header,
                _("The grid code %(code)s is already on row %(row)d.")
                % {"code": code, "row": first},
            )
            return None
        return data

    def _read_text(self, raw: Any) -> str:
        return _text(raw)

    def _read_phone(self, raw: Any) -> str:
        if isinstance(raw, float | int) and not isinstance(raw, bool):
            raw = _text(raw)
        return re.sub(r"\s+", "", _text(raw))

    def _read_count(self, raw: Any) -> int:
        if isinstance(raw, bool):
            raise _CellError(_("Enter a whole number."))
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, int) and raw >= 0:
            return raw
        if isinstance(raw, str) and re.fullmatch(r"\+?\d+", raw.strip()):
            return int(raw.strip())
        raise _CellError(_("Enter a whole number."))

    def _read_bool(self, raw: Any) -> bool:
        word = _key(raw)
        if word in {_key(w) for w in TRUE_WORDS}:
            return True
        if word in {_key(w) for w in FALSE_WORDS}:
            return False
        raise _CellError(_("Enter %(yes)s or %(no)s.") % {"yes": YES, "no": NO})

    def _read_jurisdiction(self, raw: Any) -> Jurisdiction:
        code = _text(raw)
        if code not in self.jurisdictions:
            self.jurisdictions[code] = Jurisdiction.objects.filter(code=code).first()
        found = self.jurisdictions[code]
        if found is None:
            raise _CellError(_("Unknown division code %(code)s.") % {"code": code})
        if not can_manage_grids(self.actor, found):
            raise _CellError(
                _("%(name)s (%(code)s) is outside your jurisdiction.")
                % {"name": found.name, "code": code}
            )
        return found

    # Rows -------------------------------------------------------------------------------

    def save(self, row: int, data: dict[str, Any], grid: Grid | None) -> None:
        if grid is not None:
            if not can_manage_grids(self.actor, grid.jurisdiction):
                self.report.add(
                    row, CODE.header, _("The grid code is already used outside your jurisdiction.")
                )
                return
            # A masked export read back: the hidden number stays as it is.
            for name in ("person_phone", "supervisor_phone"):
                current = getattr(grid, name)
                if current and data.get(name) == mask_phone(current) and "*" in data[name]:
                    data[name] = current
        try:
            with transaction.atomic():
                if grid is None:
                    created = add_grid(actor=self.actor, data=data, reason="grid import")
                    self.report.created += 1
                    self.touched.append(created.jurisdiction)
                    return
                changed = change_grid(actor=self.actor, grid=grid, data=data, reason="grid import")
        except (DomainError, IntegrityError) as exc:
            self._failed(row, exc)
            return
        self.touched.append(grid.jurisdiction)
        if changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def _failed(self, row: int, exc: Exception) -> None:
        headers = {c.field: c.header for c in COLUMNS}
        headers["__all__"] = COLUMNS[1].header  # the one constraint: a name per place
        if isinstance(exc, DomainError) and isinstance(exc.errors, dict):
            for name, messages in exc.errors.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    self.report.add(row, headers.get(name, ""), message)
        elif isinstance(exc, DomainError):
            self.report.add(row, "", exc.detail)
        else:
            self.report.add(row, "", _("The row conflicts with existing data."))
