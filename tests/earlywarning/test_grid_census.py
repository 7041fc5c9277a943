"""The grid register as an Excel workbook (网格责任人名册): template, export of the visible
grids with phones masked as on the page, and the all-or-nothing import with a row report
(RELIABILITY.md), like the force census."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from core.choices import OrganisationKind as K
from core.exceptions import PermissionDeniedError, ValidationFailed
from core.models import Event
from core.roles import Role
from earlywarning import grid_census
from earlywarning.events import GridEvent
from earlywarning.models import Grid
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in grid_census.COLUMNS]


def workbook(rows: list[dict], *, headers=None, title=grid_census.SHEET_TITLE) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    headers = headers or HEADERS
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "grids.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=grid_census.XLSX_CONTENT_TYPE)


def row(code: str, name: str, place: str, person: str, phone: str, **extra) -> dict:
    values = {
        "网格编码": code,
        "网格名称": name,
        "所在行政区划代码": place,
        "网格责任人": person,
        "责任人电话": phone,
    }
    values.update(extra)
    return values


def rows_of(content: bytes) -> list[dict]:
    ws = load_workbook(BytesIO(content))[grid_census.SHEET_TITLE]
    values = list(ws.iter_rows(values_only=True))
    header = [str(h).rstrip("*") for h in values[0]]
    return [dict(zip(header, r, strict=True)) for r in values[1:]]


def cells(report) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in report.errors}


def test_template_has_the_headers_required_marks_and_filling_notes():
    wb = load_workbook(BytesIO(grid_census.template_workbook()))
    ws = wb[grid_census.SHEET_TITLE]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["网格编码*", "网格名称*", "所在行政区划代码*"]
    assert "备注" in header
    assert ws.max_row == 1
    assert grid_census.HELP_TITLE in wb.sheetnames


def test_a_township_clerks_workbook_creates_and_updates_grids_in_one_import(warning_world):
    """A clerk types into a fresh sheet: codes and phones as numbers, the required marks
    in the headers, a blank line between blocks, 在用 as 否."""
    w = warning_world
    wb = Workbook()
    ws = wb.active
    ws.title = "网格"
    ws.append(["网格编码*", "网格名称*", "所在行政区划代码*", "网格责任人*", "责任人电话*",
               "监督人", "监督人电话", "户数", "在用"])  # fmt: skip
    ws.append(["371581101002-02", "东关村二网格", 371581101002, "钱小红", 13805351010,
               "刘镇长", "139 0535 0001", 86, "是"])  # fmt: skip
    ws.append([None] * 9)
    ws.append(["371581101001-01", "松林村一网格", "371581101001", "李大山", "13805351099",
               "刘镇长", "13905350001", 3.0, "否"])  # fmt: skip
    out = BytesIO()
    wb.save(out)

    report = grid_census.import_grids(actor=w.duty_officer_a, upload=upload(out.getvalue()))

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    new = Grid.objects.get(code="371581101002-02")
    assert (new.jurisdiction, new.person_phone, new.supervisor_phone, new.households) == (
        w.village_a2,
        "13805351010",
        "13905350001",
        86,
    )
    w.grid_a1.refresh_from_db()
    assert (w.grid_a1.person_phone, w.grid_a1.is_active, w.grid_a1.households) == (
        "13805351099",
        False,
        3,
    )
    assert w.grid_a1.history.latest().history_change_reason == "grid import"
    event = Event.objects.get(type=GridEvent.IMPORTED)
    assert event.payload == {"created": 1, "updated": 1, "unchanged": 0}
    assert event.jurisdiction == w.town_a
    assert event.actor == w.duty_officer_a
    assert not Event.objects.filter(type__in=[GridEvent.CREATED, GridEvent.UPDATED]).exists()


def test_every_bad_row_is_reported_and_nothing_is_saved(warning_world):
    w = warning_world
    content = workbook(
        [
            row("371581101002-02", "东关村二网格", "371581101002", "钱小红", "13805351010"),
            row("371581101002-03", "东关村三网格", "371581101002", "孙强", "1380535"),
            row("371581101002-04", "东关村四网格", "371581999999", "周红", "13805351012"),
            row("371521101000-02", "博济桥二网格", "371521101", "吴敏", "13805352002"),
            row("371581101002-02", "东关村五网格", "371581101002", "冯伟", "13805351013"),
            row("371581101002-06", "", "371581101002", "", "13805351014"),
            row("371581101002-07", "东关村七网格", "371581101002", "陈亮", "13805351015",
                **{"户数": "很多", "在用": "也许"}),
            row("371581101001-01", "松林村一网格", "371581101001", "李大山", "13805351001",
                **{"监督人电话": "12345"}),
        ]
    )  # fmt: skip
    before = (Grid.objects.count(), Grid.history.count(), Event.objects.count())

    report = grid_census.import_grids(actor=w.duty_officer_a, upload=upload(content))

    assert not report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert cells(report) == {
        (3, "责任人电话"),  # bad phone
        (4, "所在行政区划代码"),  # unknown division code
        (5, "所在行政区划代码"),  # county B: outside the clerk's jurisdiction
        (6, "网格编码"),  # the same code as row 2
        (7, "网格名称"),  # missing required cells
        (7, "网格责任人"),
        (8, "户数"),
        (8, "在用"),
        (9, "监督人电话"),  # a hotline is nobody's phone
    }
    assert report.bad_rows == 7
    assert "2" in next(e.message for e in report.errors if e.row == 6)
    assert (Grid.objects.count(), Grid.history.count(), Event.objects.count()) == before


def test_a_workbook_without_a_required_column_is_reported_on_row_1(warning_world):
    headers = [h for h in HEADERS if h != "责任人电话"]
    content = workbook([row("X-1", "网格", "371581101001", "张三", "13805351001")], headers=headers)

    report = grid_census.import_grids(actor=warning_world.admin_a, upload=upload(content))

    assert not report.ok
    assert cells(report) == {(1, "责任人电话")}


def test_files_that_are_not_a_register_are_refused(warning_world):
    actor = warning_world.admin_a
    with pytest.raises(ValidationFailed) as not_xlsx:
        grid_census.import_grids(actor=actor, upload=upload(b"code,name\n", "grids.csv"))
    assert not_xlsx.value.code == "invalid_file"
    with pytest.raises(ValidationFailed) as no_sheet:
        grid_census.import_grids(actor=actor, upload=upload(workbook([], title="Sheet1")))
    assert "网格" in no_sheet.value.detail


def test_only_grid_managers_import(warning_world):
    content = workbook([row("X-1", "网格", "371581101001", "张三", "13805351001")])
    for user in (warning_world.dispatcher_a, warning_world.editor_a, warning_world.sync_client):
        with pytest.raises(PermissionDeniedError):
            grid_census.import_grids(actor=user, upload=upload(content))


def test_a_code_of_another_county_is_not_taken_over(warning_world):
    content = workbook(
        [row("371521101000-01", "博济桥网格", "371581101001", "张三", "13805351001")]
    )
    report = grid_census.import_grids(actor=warning_world.duty_officer_a, upload=upload(content))
    assert cells(report) == {(2, "网格编码")}
    warning_world.grid_b1.refresh_from_db()
    assert warning_world.grid_b1.person_name == "吴刚"


def test_export_round_trip_changes_nothing(warning_world):
    w = warning_world
    content = grid_census.export_grids(actor=w.duty_officer_a)
    exported = rows_of(content)
    assert [r["网格编码"] for r in exported] == [
        "371581101001-01",
        "371581101001-02",
        "371581101002-01",
        "371581102000-01",
        "371581102001-01",
    ]
    assert exported[0]["责任人电话"] == "13805351001"  # the county's duty officer keeps them
    assert exported[0]["所在行政区划"] == "松林村"
    events = Event.objects.count()

    report = grid_census.import_grids(actor=w.duty_officer_a, upload=upload(content))

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert Grid.history.filter(history_type="~").count() == 0
    assert Event.objects.count() == events + 1  # the import's own, with its counts


def test_export_masks_phones_for_readers_who_do_not_keep_grids(warning_world):
    w = warning_world
    exported = rows_of(grid_census.export_grids(actor=w.dispatcher_a))
    assert exported[0]["责任人电话"] == "138****1001"
    assert exported[0]["监督人电话"] == "139****0001"
    assert len(exported) == 5  # county A only
    synced = rows_of(grid_census.export_grids(actor=w.sync_client))
    assert len(synced) == 6
    assert all("****" in r["责任人电话"] for r in synced)
    with pytest.raises(PermissionDeniedError):
        grid_census.export_grids(actor=w.screen_a)


def test_a_masked_export_read_back_keeps_the_hidden_numbers(warning_world):
    """A township government editor sees its own township's numbers, and a masked number
    typed back unchanged never overwrites the real one."""
    w = warning_world
    town_gov = f.organisation("松林镇人民政府", K.GOVERNMENT_OFFICE, w.town_a)
    clerk = f.user("town_clerk_a", town_gov, Role.DEPARTMENT_EDITOR)
    content = workbook(
        [
            row("371581101001-01", "松林村一网格", "371581101001", "李大山", "138****1001",
                **{"监督人": "刘镇长", "监督人电话": "139****0001"}),
        ]
    )  # fmt: skip
    report = grid_census.import_grids(actor=clerk, upload=upload(content))
    assert report.ok, report.errors
    assert report.unchanged == 1
    w.grid_a1.refresh_from_db()
    assert w.grid_a1.person_phone == "13805351001"


def test_a_formula_like_grid_name_is_exported_as_text(warning_world):
    w = warning_world
    Grid.objects.filter(pk=w.grid_a1.pk).update(name='=HYPERLINK("http://x","y")')
    ws = load_workbook(BytesIO(grid_census.export_grids(actor=w.admin_a)))[grid_census.SHEET_TITLE]
    cell = ws["B2"]
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"


def test_a_damaged_workbook_is_a_clear_file_error(warning_world):
    good = workbook([row("X-1", "网格", "371581101001", "张三", "13805351001")])
    damaged = good[: len(good) // 2]
    with pytest.raises(ValidationFailed) as refused:
        grid_census.import_grids(actor=warning_world.admin_a, upload=upload(damaged))
    assert refused.value.code == "invalid_file"
