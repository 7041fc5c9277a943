"""The reserves as an Excel workbook, like the force census (forces/census.py): a blank
template, an export of the warehouses a user sees with their levels and batches, and an
all-or-nothing import with a row report.

Sheets: 储备库 (one row per warehouse, matched by jurisdiction code + name), 储备水平 (minimum,
or agreed capacity and hours for capacity reserves), 库存批次 (the quantity counted per
batch: a new batch is received, a different quantity is a count adjustment). Every row goes
through the reserves services, so permissions, movements and events are the pages' own."""

from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from core import excel as core_excel
from core.events import record_event
from core.exceptions import DomainError, ValidationFailed
from core.models import Jurisdiction, Organisation
from forces import census as force_census
from support.choices import ReserveKind
from support.events import ReserveEvent
from support.models import ReserveItem, StockBatch, StockLevel, Warehouse
from support.reserves import services
from support.reserves.selectors import visible_warehouses

XLSX_CONTENT_TYPE = force_census.XLSX_CONTENT_TYPE
MAX_ROWS = force_census.MAX_ROWS
KIND_ZH = {
    ReserveKind.GOVERNMENT: "政府集中储备",
    ReserveKind.ENTERPRISE_CAPACITY: "企业生产力储备",
    ReserveKind.COMMERCIAL_AGREEMENT: "商业协议储存",
    ReserveKind.COMMUNITY: "社区储备站",
    ReserveKind.HOUSEHOLD: "家庭储备",
}
KIND_FROM_ZH = {v: k for k, v in KIND_ZH.items()} | {k.value: k for k in ReserveKind}

WAREHOUSES = (
    "储备库",
    [
        "行政区划代码*",
        "名称*",
        "类别*",
        "所属单位*",
        "地址",
        "库管员*",
        "库管员电话*",
        "协议编号",
        "协议到期",
        "外部编号",
    ],
)
LEVELS = (
    "储备水平",
    [
        "行政区划代码*",
        "储备库名称*",
        "物资编码*",
        "物资名称",
        "最低储备",
        "协议产能",
        "交付时限(小时)",
    ],
)
BATCHES = (
    "库存批次",
    ["行政区划代码*", "储备库名称*", "物资编码*", "物资名称", "批次号*", "有效期至", "数量*"],
)
HELP = (
    "储备库按“行政区划代码 + 名称”匹配：已有的更新，新的登记。类别填："
    + "、".join(KIND_ZH.values())
    + "。",
    "储备水平：实物储备填最低储备；企业生产力储备、商业协议储存填协议产能和交付时限（小时）。",
    "库存批次：填盘点数量。新批次按入库登记；已有批次数量不同的按盘点调整记录（原因“Excel导入盘点”）。",
    "物资编码须已在物资目录中。任何一行有误，整个文件都不导入。",
)


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    message: str


@dataclass
class ImportReport:
    ok: bool = True
    warehouses: int = 0
    levels: int = 0
    batches: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "errors": [asdict(e) for e in self.errors]}


class _Rollback(Exception):
    pass


def _new_workbook() -> tuple[Workbook, dict[str, Any]]:
    workbook = Workbook()
    sheets = {}
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F2DCDB")
    for index, (title, headers) in enumerate((WAREHOUSES, LEVELS, BATCHES)):
        ws = workbook.active if index == 0 else workbook.create_sheet()
        ws.title = title
        for col, header in enumerate(headers, start=1):
            cell = core_excel.write(ws.cell(row=1, column=col), header)
            cell.font, cell.fill = bold, fill
            ws.column_dimensions[cell.column_letter].width = 16
            ws.column_dimensions[cell.column_letter].number_format = "@"
        sheets[title] = ws
    help_sheet = workbook.create_sheet("填写说明")
    help_sheet.column_dimensions["A"].width = 100
    for line in HELP:
        core_excel.append(help_sheet, [line])
    return workbook, sheets


def _save(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_workbook() -> bytes:
    return _save(_new_workbook()[0])


def _num(value) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def export_reserves(*, queryset) -> bytes:
    """The warehouses of ``queryset`` (already scoped to the reader) with levels and
    batches, as a workbook the import reads back."""
    workbook, sheets = _new_workbook()
    warehouses = list(
        queryset.select_related("jurisdiction", "owner").order_by("jurisdiction__path", "name")
    )
    ids = [w.pk for w in warehouses]
    for w in warehouses:
        core_excel.append(
            sheets[WAREHOUSES[0]],
            [
                w.jurisdiction.code,
                w.name,
                KIND_ZH[w.kind],
                w.owner.name,
                w.address,
                w.keeper_name,
                w.keeper_phone,
                w.agreement_number,
                w.agreement_expires.isoformat() if w.agreement_expires else "",
                w.external_id or "",
            ],
        )
    levels = StockLevel.objects.filter(warehouse_id__in=ids).select_related(
        "warehouse__jurisdiction", "item"
    )
    for lv in levels.order_by("warehouse__jurisdiction__path", "warehouse__name", "item__code"):
        core_excel.append(
            sheets[LEVELS[0]],
            [
                lv.warehouse.jurisdiction.code,
                lv.warehouse.name,
                lv.item.code,
                str(lv.item),
                _num(lv.minimum),
                _num(lv.agreed_capacity),
                lv.delivery_hours or "",
            ],
        )
    batches = StockBatch.objects.filter(warehouse_id__in=ids, quantity__gt=0).select_related(
        "warehouse__jurisdiction", "item"
    )
    for b in batches.order_by(
        "warehouse__jurisdiction__path", "warehouse__name", "item__code", "batch_number"
    ):
        core_excel.append(
            sheets[BATCHES[0]],
            [
                b.warehouse.jurisdiction.code,
                b.warehouse.name,
                b.item.code,
                str(b.item),
                b.batch_number,
                b.expiry_date.isoformat() if b.expiry_date else "",
                _num(b.quantity),
            ],
        )
    return _save(workbook)


def content_disposition(prefix: str, fallback: str, day: datetime.date | None = None) -> str:
    day = day or timezone.localdate()
    encoded = quote(f"{prefix}_{day:%Y%m%d}.xlsx", safe="")
    return f"attachment; filename=\"{fallback}-{day:%Y%m%d}.xlsx\"; filename*=UTF-8''{encoded}"


# Import --------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _date(value) -> datetime.date | None:
    text = _text(value)
    if not text:
        return None
    for fmt in force_census.DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Enter a date like 2026-06-30."))


def _decimal(value, *, required: bool) -> Decimal | None:
    text = _text(value)
    if not text:
        if required:
            raise ValueError(_("This cell is required."))
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("Enter a number.")) from exc
    if not number.is_finite() or number < 0:
        raise ValueError(_("Enter a number of zero or more."))
    return number


def _rows(workbook, title: str):
    if title not in workbook.sheetnames:
        return
    ws = force_census._worksheet(workbook, title)
    values = force_census._sheet_rows(ws)
    next(values, None)
    for row, raw in enumerate(values, start=2):
        cells = [_text(v) if not isinstance(v, datetime.date) else v for v in raw]
        if all(not (c if isinstance(c, str) else True) for c in cells):
            continue
        if row > MAX_ROWS + 1:
            raise ValueError(_("A sheet may hold at most %(n)d rows.") % {"n": MAX_ROWS})
        yield row, list(cells) + [""] * 12


def import_reserves(*, actor, upload) -> ImportReport:
    """Register or update warehouses, levels and counted batches from a workbook, all or
    nothing (a report of every bad row when anything is wrong)."""
    workbook = force_census._open_workbook(upload)
    report = ImportReport()
    try:
        try:
            with transaction.atomic():
                _Import(actor, report).run(workbook)
                if report.errors:
                    raise _Rollback
        except force_census._Unreadable as exc:
            message = force_census._unreadable_message(str(exc))
            raise ValidationFailed(
                message, code="invalid_file", errors={"file": [message]}
            ) from exc
        except _Rollback:
            report.ok = False
            report.warehouses = report.levels = report.batches = 0
        return report
    finally:
        workbook.close()


class _Import:
    def __init__(self, actor, report: ImportReport) -> None:
        self.actor = actor
        self.report = report
        self.places: dict[str, Jurisdiction | None] = {}
        self.items = {i.code: i for i in ReserveItem.objects.all()}
        self.touched: set[int] = set()

    def add(self, sheet: str, row: int, message) -> None:
        self.report.errors.append(RowError(sheet, row, str(message)))

    def place(self, code: str) -> Jurisdiction:
        if code not in self.places:
            self.places[code] = Jurisdiction.objects.filter(code=code).first()
        found = self.places[code]
        if found is None:
            raise ValueError(_("No jurisdiction with the code %(code)s.") % {"code": code})
        return found

    def warehouse(self, code: str, name: str) -> Warehouse:
        found = visible_warehouses(self.actor).filter(jurisdiction__code=code, name=name).first()
        if found is None:
            raise ValueError(_("No warehouse %(name)s in %(code)s.") % {"name": name, "code": code})
        return found

    def item(self, code: str) -> ReserveItem:
        if code not in self.items:
            raise ValueError(_("The item code %(code)s is not in the catalogue.") % {"code": code})
        return self.items[code]

    def run(self, workbook) -> None:
        steps = (
            (WAREHOUSES[0], self.save_warehouse),
            (LEVELS[0], self.save_level),
            (BATCHES[0], self.save_batch),
        )
        for title, step in steps:
            try:
                rows = list(_rows(workbook, title))
            except ValueError as exc:
                self.add(title, 1, exc)
                continue
            for row, cells in rows:
                try:
                    with transaction.atomic():
                        step(cells)
                except ValueError as exc:
                    self.add(title, row, exc)
                except DomainError as exc:
                    self.add(title, row, exc.detail)
        if not self.report.errors and self.touched:
            places = list(Jurisdiction.objects.filter(warehouses__pk__in=self.touched).distinct())
            where = min(places, key=lambda j: len(j.path)) if len(places) == 1 else None
            if where is None:
                where = self.actor.jurisdiction or places[0]
            record_event(
                type=ReserveEvent.IMPORTED,
                jurisdiction=where,
                subject=where,
                actor=self.actor,
                payload={
                    "warehouses": self.report.warehouses,
                    "levels": self.report.levels,
                    "batches": self.report.batches,
                },
            )

    def save_warehouse(self, c) -> None:
        code, name, kind_text, owner_name = c[0], c[1], c[2], c[3]
        if not (code and name and kind_text and owner_name and c[5] and c[6]):
            raise ValueError(_("A required cell is empty."))
        kind = KIND_FROM_ZH.get(kind_text)
        if kind is None:
            raise ValueError(_("Unknown reserve kind: %(kind)s.") % {"kind": kind_text})
        place = self.place(code)
        owner = Organisation.objects.filter(name=owner_name).first()
        if owner is None:
            raise ValueError(_("No organisation named %(name)s.") % {"name": owner_name})
        data = {
            "name": name,
            "kind": kind,
            "owner": owner,
            "jurisdiction": place,
            "address": c[4],
            "keeper_name": c[5],
            "keeper_phone": re.sub(r"\s+", "", c[6]),
            "agreement_number": c[7],
            "agreement_expires": _date(c[8]),
            "external_id": c[9],
        }
        existing = Warehouse.objects.filter(jurisdiction=place, name=name).first()
        if existing is None:
            warehouse = services.create_warehouse(actor=self.actor, data=data)
        else:
            warehouse = services.update_warehouse(
                actor=self.actor, warehouse_id=existing.pk, data=data
            )
        self.touched.add(warehouse.pk)
        self.report.warehouses += 1

    def save_level(self, c) -> None:
        if not (c[0] and c[1] and c[2]):
            raise ValueError(_("A required cell is empty."))
        warehouse = self.warehouse(c[0], c[1])
        hours = _decimal(c[6], required=False)
        services.set_stock_level(
            actor=self.actor,
            warehouse_id=warehouse.pk,
            item_id=self.item(c[2]).pk,
            minimum=_decimal(c[4], required=False) or 0,
            agreed_capacity=_decimal(c[5], required=False),
            delivery_hours=int(hours) if hours is not None else None,
        )
        self.touched.add(warehouse.pk)
        self.report.levels += 1

    def save_batch(self, c) -> None:
        if not (c[0] and c[1] and c[2] and c[4]):
            raise ValueError(_("A required cell is empty."))
        warehouse = self.warehouse(c[0], c[1])
        item = self.item(c[2])
        counted = _decimal(c[6], required=True)
        expiry = _date(c[5])
        batch = StockBatch.objects.filter(warehouse=warehouse, item=item, batch_number=c[4]).first()
        if batch is None:
            if counted:
                services.receive_stock(
                    actor=self.actor,
                    warehouse_id=warehouse.pk,
                    item_id=item.pk,
                    quantity=counted,
                    batch_number=c[4],
                    expiry_date=expiry,
                    reason="Excel导入",
                )
        else:
            services.adjust_stock(
                actor=self.actor,
                batch_id=batch.pk,
                counted_quantity=counted,
                reason="Excel导入盘点",
            )
        self.touched.add(warehouse.pk)
        self.report.batches += 1
