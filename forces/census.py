"""Census (普查) of an organisation's forces: one Excel workbook out, the same workbook in.

Rongcheng §四.二.1 asks for a census of every force's 种类及分布、处置实力、值守模式、
通信方式、经费保障模式、人员管理; Liaocheng §三.二.1 makes departments keep that basic
data current. The import is all-or-nothing (RELIABILITY.md): every row goes through the
registry services inside one transaction, every problem is collected with its sheet,
row and column, and one problem anywhere rolls the whole workbook back.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core import excel
from core.choices import OrganisationKind
from core.exceptions import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from core.masking import mask_id_number, mask_phone
from core.models import Jurisdiction, Organisation, User
from core.permissions import (
    can_manage_organisation_data,
    can_read_registry,
    can_see_personal_data,
    in_jurisdiction,
)
from forces import services
from forces.choices import CommMeans
from forces.models import Equipment, Force, Material, Personnel, Specialty

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 5000  # per sheet; a county census is a few hundred rows
MAX_COLUMNS = 60  # the widest census sheet has fewer; more is never a census
# A zip can unpack to far more than it weighs; refuse bombs before openpyxl reads them.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

# Chinese labels written to the workbook. Choice labels in forces.choices are English
# msgids; the workbook must read the same whatever the UI language, so it has its own.
CATEGORY_ZH = {
    "government": "政府应急救援力量",
    "enterprise": "企业应急救援力量",
    "social": "社会应急救援力量",
    "expert": "应急救援专家",
}
STATUS_ZH = {"standby": "待命", "deployed": "出动中", "resting": "休整", "unavailable": "不可用"}
DUTY_MODE_ZH = {"full_time": "24小时专职值守", "part_time": "兼职值守", "liaison": "联络值守"}
COMM_ZH = {
    "phone": "电话",
    "radio_370": "370MHz电台",
    "satellite": "卫星电话",
    "beidou": "北斗终端",
}
FUNDING_ZH = {
    "fiscal_full": "财政全额保障",
    "fiscal_partial": "财政差额补助",
    "enterprise": "企业自筹",
    "purchased": "政府购买服务",
    "self_raised": "自筹及社会捐赠",
}
TIER_ZH = {1: "一级", 2: "二级", 3: "三级"}
GENDER_ZH = {"male": "男", "female": "女"}
CONDITION_ZH = {"ready": "完好", "maintenance": "维修中", "retired": "报废"}
# Other spellings people type.
ALIASES: dict[str, dict[str, Any]] = {
    "comm_means": {
        "370": "radio_370",
        "370MHz": "radio_370",
        "卫星": "satellite",
        "北斗": "beidou",
    },
    "linkage_tier_override": {"1级": 1, "2级": 2, "3级": 3},
}
YES, NO = "是", "否"
TRUE_WORDS = {YES, "y", "yes", "true", "1", "在岗", "√", "✓"}
FALSE_WORDS = {NO, "n", "no", "false", "0", "离岗", "×", "✗"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
LIST_SPLIT = re.compile(r"[、,，;；\n]+")
AUTHORITY_KINDS = (OrganisationKind.INDUSTRY_DEPARTMENT, OrganisationKind.EMERGENCY_BUREAU)

_OMIT = object()  # "leave the field alone": the model default on create, unchanged on update


@dataclass(frozen=True, eq=False)  # identity: columns key dicts of cell values
class Column:
    """One workbook column: its header, the model field and how to read and write it."""

    header: str
    field: str
    kind: str = "text"
    width: int = 14
    labels: dict[Any, str] | None = None
    required: bool = False
    personal: bool = False


@dataclass(frozen=True, eq=False)
class Sheet:
    key: str
    title: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    item_kind: str = ""  # services.FORCE_ITEM_MODELS key; empty for the force sheet

    def header_of(self, field_name: str) -> str:
        return next((c.header for c in self.columns if c.field == field_name), "")


FORCE_NAME = Column("队伍名称", "name", width=28, required=True)
FORCE_REF = Column("队伍名称", "force", "force", width=28, required=True)

FORCES = Sheet(
    "forces",
    "队伍",
    Force,
    (
        FORCE_NAME,
        Column("类别", "category", "choice", 18, CATEGORY_ZH),
        Column("行业主管部门", "industry_authority", "authority", 22),
        Column("所在行政区划代码", "jurisdiction", "jurisdiction", 16),
        Column("地址", "address", width=30),
        Column("纬度", "latitude", "coordinate", 12),
        Column("经度", "longitude", "coordinate", 12),
        Column("救援专业", "specialties", "specialties", 24),
        Column("人数", "headcount", "count", 8),
        Column("值守模式", "duty_mode", "choice", 16, DUTY_MODE_ZH),
        Column("24小时值班电话", "duty_phone", "phone", 16),
        Column("负责人", "leader_name", width=10),
        Column("负责人电话", "leader_phone", "phone", 16, personal=True),
        Column("通信方式", "comm_means", "comm", 24),
        Column("经费保障模式", "funding_mode", "choice", 18, FUNDING_ZH),
        Column("状态", "status", "choice", 10, STATUS_ZH),
        Column("联动等级", "linkage_tier_override", "choice", 10, TIER_ZH),
        Column("外部编号", "external_id", width=16),
        Column("备注", "notes", width=30),
    ),
)
PERSONNEL = Sheet(
    "personnel",
    "人员",
    Personnel,
    (
        FORCE_REF,
        Column("姓名", "name", width=10, required=True),
        Column("性别", "gender", "choice", 6, GENDER_ZH),
        Column("职务", "position", width=12),
        Column("电话", "phone", "phone", 16, personal=True),
        Column("身份证号", "id_number", "id_number", 22, personal=True),
        Column("专业", "specialty", "specialty", 12),
        Column("资质证书", "certifications", width=24),
        Column("最近体检日期", "medical_exam_date", "date", 14),
        Column("意外险到期日", "insurance_expiry", "date", 14),
        Column("在岗", "is_active", "bool", 6),
    ),
    item_kind="personnel",
)
EQUIPMENT = Sheet(
    "equipment",
    "装备",
    Equipment,
    (
        FORCE_REF,
        Column("名称", "name", width=20, required=True),
        Column("型号", "model", width=18),
        Column("数量", "quantity", "count", 8),
        Column("单位", "unit", width=6),
        Column("状态", "condition", "choice", 10, CONDITION_ZH),
    ),
    item_kind="equipment",
)
MATERIALS = Sheet(
    "materials",
    "物资",
    Material,
    (
        FORCE_REF,
        Column("名称", "name", width=20, required=True),
        Column("规格", "spec", width=18),
        Column("数量", "quantity", "quantity", 10),
        Column("单位", "unit", width=6),
        Column("有效期至", "expiry_date", "date", 14),
    ),
    item_kind="material",
)
SHEETS = (FORCES, PERSONNEL, EQUIPMENT, MATERIALS)

NUMBER_FORMATS = {"coordinate": "0.000000", "quantity": "0.00", "count": "0", "date": "yyyy-mm-dd"}
DECIMAL_PLACES = {"coordinate": 6, "quantity": 2}


@dataclass(frozen=True)
class CensusError:
    """One problem: where it is in the workbook, as Excel numbers rows, and what it is."""

    sheet: str
    row: int
    column: str
    message: str


@dataclass
class CensusReport:
    """The outcome of one import. ``ok`` False means nothing was saved."""

    ok: bool = True
    errors: list[CensusError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_KEYS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_KEYS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_KEYS, 0))

    def add(self, sheet: Sheet, row: int, column: str, message: str) -> None:
        self.errors.append(CensusError(sheet.title, row, column, str(message)))

    @property
    def bad_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors})

    @property
    def sheets(self) -> list[tuple[str, int, int, int]]:
        """(sheet title, created, updated, unchanged) in workbook order."""
        return [
            (s.title, self.created[s.key], self.updated[s.key], self.unchanged[s.key])
            for s in SHEETS
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [asdict(e) for e in self.errors],
        }


_KEYS = tuple(s.key for s in SHEETS)


class _CellError(Exception):
    pass


class _Rollback(Exception):
    pass


# Export ---------------------------------------------------------------------------------


def export_census(*, actor: User, organisation: Organisation) -> bytes:
    """The organisation's forces, personnel, equipment and materials as an .xlsx
    workbook. Phones and ID numbers are masked for anyone but the owning organisation
    and administrators (SPEC §2)."""
    if not can_read_registry(actor):
        raise PermissionDeniedError("Your role may not read the force registry.")
    if not in_jurisdiction(actor, organisation.jurisdiction):
        raise NotFoundError("No such organisation in your jurisdiction.")
    show_personal = can_see_personal_data(actor, organisation.pk)
    forces = list(
        Force.objects.visible_to(actor)
        .filter(organisation=organisation)
        .select_related("industry_authority", "jurisdiction")
        .prefetch_related("specialties")
        .order_by("name", "pk")
    )
    # Same-named items are matched back in primary-key order on import: keep that order.
    rows: dict[Sheet, list[Any]] = {
        FORCES: forces,
        PERSONNEL: list(
            Personnel.objects.filter(force__in=forces)
            .select_related("force", "specialty")
            .order_by("force__name", "name", "pk")
        ),
        EQUIPMENT: list(
            Equipment.objects.filter(force__in=forces)
            .select_related("force")
            .order_by("force__name", "name", "pk")
        ),
        MATERIALS: list(
            Material.objects.filter(force__in=forces)
            .select_related("force")
            .order_by("force__name", "name", "pk")
        ),
    }
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in SHEETS:
        _write_sheet(workbook.create_sheet(sheet.title), sheet, rows[sheet], show_personal)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_filename(organisation: Organisation, day: date | None = None) -> str:
    day = day or timezone.localdate()
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", organisation.name).strip("_") or str(organisation.pk)
    return f"普查_{safe}_{day:%Y%m%d}.xlsx"


def content_disposition(organisation: Organisation, day: date | None = None) -> str:
    """An ASCII name for old clients, the Chinese one in RFC 5987 form for the rest."""
    day = day or timezone.localdate()
    fallback = f"census-{organisation.pk}-{day:%Y%m%d}.xlsx"
    encoded = quote(export_filename(organisation, day), safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _write_sheet(ws: Worksheet, sheet: Sheet, objects: list[Any], show_personal: bool) -> None:
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2DCDB")
    for index, column in enumerate(sheet.columns, start=1):
        cell = excel.write(ws.cell(row=1, column=index), column.header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        # Rows typed later in Excel keep phones and IDs as text too.
        ws.column_dimensions[letter].number_format = NUMBER_FORMATS.get(column.kind, "@")
        _add_validation(ws, column, letter)
    for row, obj in enumerate(objects, start=2):
        for index, column in enumerate(sheet.columns, start=1):
            value = _export_value(obj, column, show_personal)
            cell = excel.write(ws.cell(row=row, column=index), value)
            cell.number_format = NUMBER_FORMATS.get(column.kind, "@")
    ws.freeze_panes = "B2"


def _add_validation(ws: Worksheet, column: Column, letter: str) -> None:
    cells = f"{letter}2:{letter}{MAX_ROWS + 1}"
    if column.labels:
        listed = ",".join(column.labels.values())
        validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
        validation.error = _("Pick a value from the list.")
        validation.showErrorMessage = True
    elif column.kind == "bool":
        validation = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        validation.showErrorMessage = True
    elif column.kind == "force":
        # A suggestion list only: a row may also name a force already registered.
        forces = f"{quote_sheetname(FORCES.title)}!$A$2:$A${MAX_ROWS + 1}"
        validation = DataValidation(type="list", formula1=forces, allow_blank=True)
        validation.showErrorMessage = False
    else:
        return
    ws.add_data_validation(validation)
    validation.add(cells)


def _export_value(obj: Any, column: Column, show_personal: bool) -> Any:
    kind = column.kind
    if kind == "force":
        return obj.force.name
    if kind == "specialties":
        return "、".join(s.name for s in obj.specialties.all())
    if kind == "comm":
        return "、".join(COMM_ZH.get(v, v) for v in obj.comm_means or [])
    if kind == "jurisdiction":
        return obj.jurisdiction.code
    if kind in ("authority", "specialty"):
        related = getattr(obj, column.field)
        return related.name if related is not None else ""
    value = getattr(obj, column.field)
    if value is None:
        return None
    if column.labels is not None:
        return column.labels.get(value, str(value)) if value != "" else ""
    if kind == "bool":
        return YES if value else NO
    if column.personal and not show_personal:
        return mask_id_number(value) if kind == "id_number" else mask_phone(value)
    return value


# Import ---------------------------------------------------------------------------------


def import_census(*, actor: User, organisation: Organisation, upload: UploadedFile) -> CensusReport:
    """Create or update the organisation's forces and their personnel, equipment and
    materials from a census workbook. Forces are matched by name within the
    organisation; items by force and name (personnel also by ID number). Returns a
    report; when it lists any problem nothing has been saved."""
    if not in_jurisdiction(actor, organisation.jurisdiction):
        raise NotFoundError("No such organisation in your jurisdiction.")
    if not can_manage_organisation_data(actor, organisation):
        raise PermissionDeniedError("You may not import forces for this organisation.")
    workbook = _open_workbook(upload)
    try:
        present = [s for s in SHEETS if s.title in workbook.sheetnames]
        if not present:
            raise ValidationFailed(
                _("The workbook has none of the census sheets %(sheets)s.")
                % {"sheets": "、".join(s.title for s in SHEETS)},
                code="invalid_file",
                errors={"file": [_("No census sheet found.")]},
            )
        run = _Import(actor, organisation)
        try:
            with transaction.atomic():
                for sheet in present:
                    run.import_sheet(sheet, _worksheet(workbook, sheet.title))
                if run.report.errors:
                    raise _Rollback
        except _Unreadable as exc:
            raise _invalid_file(_unreadable_message(str(exc))) from exc
        except _Rollback:
            report = run.report
            report.ok = False
            for counts in (report.created, report.updated, report.unchanged):
                counts.update(dict.fromkeys(counts, 0))
        return run.report
    finally:
        workbook.close()


class _Unreadable(Exception):
    """openpyxl failed while reading a sheet: the file is damaged or hostile."""


def _unreadable_message(reason: str) -> str:
    return _("The workbook could not be read (%(reason)s). Save it again from Excel.") % {
        "reason": reason
    }


def _worksheet(workbook: Any, title: str) -> Any:
    # A read-only sheet parses its XML when opened (its dimension) and while iterated.
    try:
        return workbook[title]
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _Unreadable(type(exc).__name__) from exc


def _sheet_rows(ws: Any) -> Iterator[tuple[Any, ...]]:
    """The sheet's values, bounded: the parser stops after the first row past the limit,
    and a row is never wider than MAX_COLUMNS whatever the sheet declares."""
    values = ws.iter_rows(values_only=True, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS)
    while True:
        try:
            row = next(values)
        except StopIteration:
            return
        except Exception as exc:  # a damaged or hostile sheet (ParseError, zlib, DTD…)
            raise _Unreadable(type(exc).__name__) from exc
        yield row


def _invalid_file(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_file", errors={"file": [message]})


def _open_workbook(upload: UploadedFile) -> Any:
    """Size and type are checked before openpyxl parses anything (RELIABILITY.md)."""
    limit = settings.CENSUS_UPLOAD_MAX_BYTES
    too_big = _("The file is larger than %(limit)s MB. Split the census into several files.") % {
        "limit": f"{limit / 1024 / 1024:g}"
    }
    not_xlsx = _(
        "The file is not an Excel workbook (.xlsx). Open it in Excel or WPS and save it as "
        "“Excel Workbook (*.xlsx)”, then upload it again."
    )
    if not (upload.name or "").lower().endswith(".xlsx"):
        raise _invalid_file(not_xlsx)
    if upload.size is not None and upload.size > limit:
        raise _invalid_file(too_big)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _invalid_file(too_big)
    if not data:
        raise _invalid_file(_("The file is empty."))
    buffer = BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise _invalid_file(not_xlsx)
    try:
        with zipfile.ZipFile(buffer) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _invalid_file(not_xlsx) from exc
    if "xl/workbook.xml" not in {e.filename for e in entries}:
        raise _invalid_file(not_xlsx)
    if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise _invalid_file(too_big)
    buffer.seek(0)
    try:
        return load_workbook(buffer, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _invalid_file(_unreadable_message(type(exc).__name__)) from exc


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    return str(value).strip()


def _key(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)).casefold()


def _same(name: str, old: Any, new: Any) -> bool:
    """Excel stores line breaks as \\n where a browser sent \\r\\n, and ID numbers are
    read upper-case: neither is a change worth a history row."""
    if old == new:
        return True
    if not (isinstance(old, str) and isinstance(new, str)):
        return False
    old = old.replace("\r\n", "\n").strip()
    return old == new.strip() or (name == "id_number" and old.upper() == new)


class _Import:
    """One import run: caches, the rows already seen, and the report being built."""

    def __init__(self, actor: User, organisation: Organisation) -> None:
        self.actor = actor
        self.organisation = organisation
        self.report = CensusReport()
        self.forces: dict[str, Force] = {
            f.name: f
            for f in Force.objects.visible_to(actor)
            .filter(organisation=organisation)
            .select_related("industry_authority", "jurisdiction")
            .prefetch_related("specialties")
        }
        self.failed_forces: dict[str, int] = {}  # new forces whose row had problems
        self.seen: dict[tuple[Any, ...], int] = {}
        self.used_items: set[tuple[str, int]] = set()
        self.items: dict[str, dict[tuple[int, str], list[Any]]] = {}
        self._tables: dict[str, dict[str, Any]] = {}
        specialties = list(Specialty.objects.all())
        self.specialties = {_key(s.name): s for s in specialties}
        self.specialties.update({_key(s.code): s for s in specialties})
        self.jurisdictions: dict[str, Jurisdiction | None] = {}
        self.authorities: dict[str, list[Organisation]] = defaultdict(list)
        candidates = list(Organisation.objects.visible_to(actor).filter(kind__in=AUTHORITY_KINDS))
        candidates += [f.industry_authority for f in self.forces.values() if f.industry_authority]
        for org in candidates:
            if org not in self.authorities[org.name]:
                self.authorities[org.name].append(org)

    # Reading cells ----------------------------------------------------------------------

    def rows(self, sheet: Sheet, ws: Any) -> Iterator[tuple[int, dict[Column, Any]]]:
        """Non-empty rows as {column: raw value}, numbered as Excel numbers them."""
        declared_rows, declared_columns = ws.max_row or 0, ws.max_column or 0
        if declared_rows > MAX_ROWS + 1 or declared_columns > MAX_COLUMNS:
            # Refused before any row is read: a few KB can declare A1:XFD1048576.
            message = _(
                "The sheet declares %(rows)d rows and %(columns)d columns; a census sheet "
                "may have at most %(max_rows)d rows and %(max_columns)d columns. Delete the "
                "empty rows and columns after the table, save, and upload again."
            ) % {
                "rows": declared_rows,
                "columns": declared_columns,
                "max_rows": MAX_ROWS,
                "max_columns": MAX_COLUMNS,
            }
            self.report.add(sheet, 1, "", message)
            return
        values = _sheet_rows(ws)
        header = next(values, None) or ()
        if all(_is_blank(v) for v in header):
            return  # an emptied sheet: nothing to import
        by_header = {c.header: c for c in sheet.columns}
        positions: dict[int, Column] = {}
        for index, raw in enumerate(header):
            column = by_header.get(str(raw or "").strip().rstrip("*＊").strip())
            if column is not None and column not in positions.values():
                positions[index] = column
        missing = [c for c in sheet.columns if c.required and c not in positions.values()]
        for column in missing:
            self.report.add(sheet, 1, column.header, _("This column is missing."))
        if missing:
            return
        for row, raw_row in enumerate(values, start=2):
            cells = {c: raw_row[i] if i < len(raw_row) else None for i, c in positions.items()}
            if row <= MAX_ROWS + 1 and all(_is_blank(v) for v in cells.values()):
                continue
            if row > MAX_ROWS + 1:
                self.report.add(
                    sheet, row, "", _("A sheet may hold at most %(n)d rows.") % {"n": MAX_ROWS}
                )
                return
            yield row, cells

    def parse(self, sheet: Sheet, row: int, cells: dict[Column, Any]) -> dict[str, Any] | None:
        """Typed values by field name, or None after reporting the row's problems."""
        data: dict[str, Any] = {}
        ok = True
        for column, raw in cells.items():
            if _is_blank(raw):
                if column.required:
                    self.report.add(sheet, row, column.header, _("This cell is required."))
                    ok = False
                    continue
                blank = self._blank(sheet, column)
                if blank is not _OMIT:
                    data[column.field] = blank
                continue
            try:
                data[column.field] = self._parse_cell(sheet, column, raw)
            except _CellError as exc:
                self.report.add(sheet, row, column.header, str(exc))
                ok = False
        return data if ok else None

    def _blank(self, sheet: Sheet, column: Column) -> Any:
        if column.kind in ("comm", "specialties"):
            return []
        if column.kind == "jurisdiction":
            return _OMIT
        model_field = sheet.model._meta.get_field(column.field)
        if model_field.null:
            return None
        if model_field.has_default():
            return _OMIT
        return ""

    def _parse_cell(self, sheet: Sheet, column: Column, raw: Any) -> Any:
        parser: Callable[[Sheet, Column, Any], Any] = getattr(self, f"_read_{column.kind}")
        return parser(sheet, column, raw)

    def _read_text(self, sheet: Sheet, column: Column, raw: Any) -> str:
        return _text(raw)

    _read_force = _read_text

    def _read_phone(self, sheet: Sheet, column: Column, raw: Any) -> str:
        return re.sub(r"\s+", "", _text(raw))

    def _read_id_number(self, sheet: Sheet, column: Column, raw: Any) -> str:
        if isinstance(raw, int | float):
            raise _CellError(
                _(
                    "The ID number was stored as a number, so Excel has lost its last digits. "
                    "Format the column as text and type the number again."
                )
            )
        return re.sub(r"\s+", "", _text(raw)).upper()

    def _read_count(self, sheet: Sheet, column: Column, raw: Any) -> int:
        if isinstance(raw, bool):
            raise _CellError(_("Enter a whole number."))
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"[+-]?\d+", raw.strip()):
            return int(raw.strip())
        raise _CellError(_("Enter a whole number."))

    def _read_decimal(self, raw: Any, places: int) -> Decimal:
        if isinstance(raw, bool):
            raise _CellError(_("Enter a number."))
        try:
            number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(_text(raw))
            if not number.is_finite():
                raise InvalidOperation
            return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError) as exc:
            raise _CellError(_("Enter a number.")) from exc

    def _read_coordinate(self, sheet: Sheet, column: Column, raw: Any) -> Decimal:
        return self._read_decimal(raw, DECIMAL_PLACES["coordinate"])

    def _read_quantity(self, sheet: Sheet, column: Column, raw: Any) -> Decimal:
        return self._read_decimal(raw, DECIMAL_PLACES["quantity"])

    def _read_date(self, sheet: Sheet, column: Column, raw: Any) -> date:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = _text(raw)
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise _CellError(_("Enter a date such as 2026-03-01."))

    def _read_bool(self, sheet: Sheet, column: Column, raw: Any) -> bool:
        word = _key(raw)
        if word in {_key(w) for w in TRUE_WORDS}:
            return True
        if word in {_key(w) for w in FALSE_WORDS}:
            return False
        raise _CellError(_("Enter %(yes)s or %(no)s.") % {"yes": YES, "no": NO})

    def _table(self, sheet: Sheet, column: Column, labels: dict[Any, str]) -> dict[str, Any]:
        """Accepted spellings → value: the value, the English label, the label in the
        active language and the workbook's Chinese label."""
        name = f"{sheet.key}.{column.field}"
        if name not in self._tables:
            model_field = sheet.model._meta.get_field(column.field)
            choices = model_field.choices or (CommMeans.choices if column.kind == "comm" else [])
            table: dict[str, Any] = {}
            for value, label in choices:
                with translation.override("en"):
                    english = str(label)
                for alias in (value, english, str(label), labels.get(value, value)):
                    table[_key(alias)] = value
            for alias, value in ALIASES.get(column.field, {}).items():
                table[_key(alias)] = value
            self._tables[name] = table
        return self._tables[name]

    def _unknown(self, raw: Any, labels: dict[Any, str]) -> _CellError:
        return _CellError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": _text(raw), "choices": "、".join(labels.values())}
        )

    def _read_choice(self, sheet: Sheet, column: Column, raw: Any) -> Any:
        labels = column.labels or {}
        value = self._table(sheet, column, labels).get(_key(_text(raw)))
        if value is None:
            raise self._unknown(raw, labels)
        return value

    def _read_comm(self, sheet: Sheet, column: Column, raw: Any) -> list[str]:
        table = self._table(sheet, column, COMM_ZH)
        means: list[str] = []
        for part in LIST_SPLIT.split(_text(raw)):
            if not part.strip():
                continue
            value = table.get(_key(part))
            if value is None:
                raise self._unknown(part, COMM_ZH)
            if value not in means:
                means.append(value)
        return means

    def _specialty(self, name: str) -> Specialty:
        found = self.specialties.get(_key(name))
        if found is None:
            raise _CellError(_("Unknown specialty “%(name)s”.") % {"name": name.strip()})
        return found

    def _read_specialty(self, sheet: Sheet, column: Column, raw: Any) -> Specialty:
        return self._specialty(_text(raw))

    def _read_specialties(self, sheet: Sheet, column: Column, raw: Any) -> list[Specialty]:
        found: list[Specialty] = []
        for part in LIST_SPLIT.split(_text(raw)):
            if part.strip() and (specialty := self._specialty(part)) not in found:
                found.append(specialty)
        return found

    def _read_jurisdiction(self, sheet: Sheet, column: Column, raw: Any) -> Jurisdiction:
        code = _text(raw)
        if code not in self.jurisdictions:
            self.jurisdictions[code] = Jurisdiction.objects.filter(code=code).first()
        found = self.jurisdictions[code]
        if found is None:
            raise _CellError(_("Unknown division code %(code)s.") % {"code": code})
        return found

    def _read_authority(self, sheet: Sheet, column: Column, raw: Any) -> Organisation:
        name = _text(raw)
        found = self.authorities.get(name, [])
        if not found:
            raise _CellError(
                _("No industry department or emergency bureau named “%(name)s” in your area.")
                % {"name": name}
            )
        if len(found) > 1:
            raise _CellError(
                _("Several organisations are named “%(name)s”; ask an administrator.")
                % {"name": name}
            )
        return found[0]

    # Writing rows -----------------------------------------------------------------------

    def import_sheet(self, sheet: Sheet, ws: Any) -> None:
        for row, cells in self.rows(sheet, ws):
            data = self.parse(sheet, row, cells)
            if sheet is FORCES:
                if data is None:
                    name = _text(cells.get(FORCE_NAME) or "")
                    if name and name not in self.forces:
                        self.failed_forces.setdefault(name, row)
                    continue
                self.import_force(row, data)
            elif data is not None:
                self.import_item(sheet, row, data)

    def _service_failed(self, sheet: Sheet, row: int, exc: Exception) -> None:
        if isinstance(exc, DomainError) and isinstance(exc.errors, dict):
            for name, messages in exc.errors.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    self.report.add(sheet, row, sheet.header_of(name), message)
        elif isinstance(exc, DomainError):
            self.report.add(sheet, row, "", exc.detail)
        else:
            self.report.add(sheet, row, "", _("The row conflicts with existing data."))

    def _duplicate(self, sheet: Sheet, row: int, key: tuple[Any, ...], column: str) -> bool:
        first = self.seen.setdefault(key, row)
        if first != row:
            self.report.add(
                sheet, row, column, _("The same record is already on row %(row)d.") % {"row": first}
            )
            return True
        return False

    @staticmethod
    def _changes(instance: models.Model, data: dict[str, Any]) -> dict[str, Any]:
        return {
            name: value
            for name, value in data.items()
            if not _same(name, getattr(instance, name), value)
        }

    def import_force(self, row: int, data: dict[str, Any]) -> None:
        name = data.pop("name")
        if self._duplicate(FORCES, row, ("force", name), FORCE_NAME.header):
            return
        specialties = data.pop("specialties", None)
        force = self.forces.get(name)
        try:
            if force is None:
                created = services.create_force(
                    actor=self.actor,
                    organisation=self.organisation,
                    data={"name": name, **data},
                    specialties=specialties or [],
                    reason="census import",
                )
                self.forces[name] = created
                self.report.created[FORCES.key] += 1
                return
            changes = self._changes(force, data)
            new_specialties = None
            if specialties is not None and {s.pk for s in specialties} != {
                s.pk for s in force.specialties.all()
            }:
                new_specialties = specialties
            if not changes and new_specialties is None:
                self.report.unchanged[FORCES.key] += 1
                return
            services.update_force(
                actor=self.actor,
                force_id=force.pk,
                data=changes,
                specialties=new_specialties,
                reason="census import",
            )
            self.report.updated[FORCES.key] += 1
        except (DomainError, IntegrityError) as exc:
            if force is None:
                self.failed_forces.setdefault(name, row)
            self._service_failed(FORCES, row, exc)

    def _existing(self, sheet: Sheet) -> dict[tuple[int, str], list[Any]]:
        if sheet.key not in self.items:
            index: dict[tuple[int, str], list[Any]] = defaultdict(list)
            related = ["specialty"] if sheet is PERSONNEL else []
            for item in (
                sheet.model._default_manager.filter(force__in=list(self.forces.values()))
                .select_related(*related)
                .order_by("pk")
            ):
                index[(item.force_id, item.name)].append(item)
            self.items[sheet.key] = index
        return self.items[sheet.key]

    def _match(self, sheet: Sheet, force: Force, data: dict[str, Any]) -> Any:
        """The first record not yet matched with the same force and name, so rows of
        same-named items map onto the records in the order the export wrote them.
        Personnel with an ID number match that ID first, then a record without one."""
        candidates = [
            item
            for item in self._existing(sheet).get((force.pk, data["name"]), [])
            if (sheet.key, item.pk) not in self.used_items
        ]
        id_number = data.get("id_number") or ""
        if sheet is PERSONNEL and id_number:
            candidates = [p for p in candidates if p.id_number.upper() == id_number] or [
                p for p in candidates if not p.id_number
            ]
        return candidates[0] if candidates else None

    def import_item(self, sheet: Sheet, row: int, data: dict[str, Any]) -> None:
        force_name = data.pop("force")
        force = self.forces.get(force_name)
        if force is None:
            if force_name in self.failed_forces:
                self._check_detached(sheet, row, data)
                return
            self.report.add(
                sheet,
                row,
                FORCE_REF.header,
                _("No force named “%(name)s” in this workbook or in %(organisation)s.")
                % {"name": force_name, "organisation": self.organisation.name},
            )
            return
        if sheet is PERSONNEL and data.get("id_number"):
            key = (sheet.key, force.pk, data["id_number"])
            if self._duplicate(sheet, row, key, sheet.header_of("id_number")):
                return
        item = self._match(sheet, force, data)
        try:
            if item is None:
                services.add_force_item(
                    actor=self.actor,
                    force_id=force.pk,
                    kind=sheet.item_kind,
                    data=data,
                    reason="census import",
                )
                self.report.created[sheet.key] += 1
                return
            self.used_items.add((sheet.key, item.pk))
            changes = self._changes(item, data)
            if not changes:
                self.report.unchanged[sheet.key] += 1
                return
            services.update_force_item(
                actor=self.actor,
                kind=sheet.item_kind,
                item_id=item.pk,
                data=changes,
                reason="census import",
            )
            self.report.updated[sheet.key] += 1
        except (DomainError, IntegrityError) as exc:
            self._service_failed(sheet, row, exc)

    def _check_detached(self, sheet: Sheet, row: int, data: dict[str, Any]) -> None:
        """The row's new force has problems of its own; still check this row's cells so
        one upload shows every problem."""
        try:
            sheet.model(**data).full_clean(exclude=["force"])
        except ValidationError as exc:
            self._service_failed(sheet, row, ValidationFailed(str(exc), errors=exc.message_dict))
