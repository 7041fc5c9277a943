"""No request makes the server answer 5xx: each class of hostile input from issue 8 is
played through the API and the pages; the API answers a 4xx JSON body with a ``code``."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from duty.rosters import services as roster_services
from tests.command.test_api import INCIDENTS
from tests.command.test_api import payload as incident_body
from tests.dispatch.test_api import PLANS, draft_body

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


@pytest.fixture
def w(incident_world):
    w = incident_world
    w.roster = roster_services.create_roster(
        actor=w.duty_officer_a, organisation=w.bureau_a, name="临清市应急联合值守表"
    )
    return w


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.raise_request_exception = False
    return client


def page_as(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def send_json(client, method: str, url: str, body) -> object:
    # json.dumps escapes a lone surrogate as ``\ud800``, exactly what an attacker sends.
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.generic(method, url, raw, content_type="application/json")


def assert_api_refusal(response, status: int = 400) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"]


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.content[:300]


# --- text that UTF-8 cannot encode ------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["level", "source", "area_type", "title", "address", "incident_type"]
)
def test_a_lone_surrogate_in_any_incident_field_is_a_400(w, field):
    response = send_json(
        api_as(w.duty_officer_a), "POST", INCIDENTS, incident_body(**{field: "\ud800"})
    )
    assert_api_refusal(response)
    assert response.json()["code"] == "invalid"


def test_a_lone_surrogate_in_a_key_or_a_plan_line_is_a_400(w):
    client = api_as(w.dispatcher_a)
    body = draft_body(w)
    body["lines"][0]["task"] = "\udfff"
    assert_api_refusal(send_json(client, "POST", PLANS, body))
    assert_api_refusal(send_json(client, "POST", PLANS, {"\ud800": 1, **draft_body(w)}))


def test_invalid_utf8_in_query_strings_and_forms_is_replaced_not_a_500(w):
    response = api_as(w.duty_officer_a).get(f"{INCIDENTS}?status=%ED%A0%80&search=%ED%A0%80")
    assert_api_refusal(response)
    page = page_as(w.duty_officer_a)
    assert page.get("/command/incidents/?status=%ED%A0%80&q=%ED%A0%80").status_code == 200
    response = page.post(
        "/command/incidents/new/",
        b"title=%ED%A0%80&level=%ED%A0%80",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 400)  # the form again, with its errors


# --- JSON nested too deeply --------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 20_000])
def test_json_nested_too_deeply_is_a_400(w, depth):
    for opener, closer in (("[", "]"), ('{"a":', "}")):
        raw = opener * depth + "1" + closer * depth
        response = send_json(api_as(w.duty_officer_a), "POST", INCIDENTS, raw)
        assert_api_refusal(response)


def test_ordinary_nesting_still_parses(w):
    response = send_json(api_as(w.dispatcher_a), "POST", PLANS, draft_body(w))
    assert response.status_code == 201, response.content


# --- integers beyond 64 bits -------------------------------------------------------------


@pytest.mark.parametrize("value", [int(HUGE), 2**31, -1])
def test_a_plan_line_with_an_integer_out_of_range_is_a_400(w, value):
    body = draft_body(w)
    body["lines"][0]["people"] = value
    response = send_json(api_as(w.dispatcher_a), "POST", PLANS, body)
    assert_api_refusal(response)
    assert "lines" in response.json()["errors"]


@pytest.mark.parametrize("field", ["deaths", "injuries", "missing"])
def test_incident_casualties_out_of_range_are_a_400(w, field):
    body = incident_body(**{field: int(HUGE)})
    assert_api_refusal(send_json(api_as(w.duty_officer_a), "POST", INCIDENTS, body))


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("dispatcher_a", "/api/v1/dispatch/orders/?force={n}"),
        ("dispatcher_a", "/api/v1/dispatch/plans/?incident={n}"),
        ("dispatcher_a", "/api/v1/dispatch/orders/?plan__incident={n}"),
        ("editor_a", "/api/v1/forces/forces/?organisation={n}"),
        ("editor_a", "/api/v1/forces/forces/?linkage_tier={n}"),
        ("editor_a", "/api/v1/forces/personnel/?force={n}"),
        ("editor_a", "/api/v1/forces/personnel/?organisation={n}"),
        ("editor_a", "/api/v1/forces/equipment/?force={n}"),
        ("duty_officer_a", "/api/v1/duty/rosters/?organisation={n}"),
        ("duty_officer_a", "/api/v1/duty/spot-checks/?year={n}"),
        ("dispatcher_a", "/api/v1/duty/roll-calls/?jurisdiction={n}"),
        ("duty_officer_a", "/api/v1/command/incidents/{n}/"),
    ],
)
@pytest.mark.parametrize("n", [HUGE, f"-{HUGE}", "1e400", "NaN"])
def test_integers_out_of_range_in_query_params_are_refused_or_empty(w, persona, url, n):
    response = api_as(getattr(w, persona)).get(url.format(n=n))
    assert response.status_code in (200, 400, 404), response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 200:
        assert response.json()["results"] == []
    else:
        assert response.json()["code"]


def test_integers_out_of_range_on_pages_are_refused_or_empty(w):
    client = page_as(w.dispatcher_a)
    for url in (
        f"/forces/?organisation={HUGE}&linkage_tier={HUGE}",
        f"/forces/experts/?organisation={HUGE}",
        f"/command/incidents/?incident_type={HUGE}",
        f"/dispatch/orders/?force={HUGE}",
    ):
        assert_no_server_error(client.get(url))


# --- far dates and offsets ---------------------------------------------------------------

FAR_DATETIMES = [
    "0001-01-01T00:00:00+08:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:59",
    "2026-02-30T00:00:00",
    "2026-01-01T00:00:00+25:00",
]


@pytest.mark.parametrize("value", FAR_DATETIMES)
def test_far_datetimes_in_incident_filters_and_bodies_are_a_400(w, value):
    client = api_as(w.duty_officer_a)
    for name in ("received_at__gte", "received_at__lte"):
        response = client.get(INCIDENTS, {name: value})
        assert_api_refusal(response)
    response = send_json(client, "POST", INCIDENTS, incident_body(received_at=value))
    assert_api_refusal(response)


@pytest.mark.parametrize("value", FAR_DATETIMES)
def test_far_datetimes_in_the_roster_window_are_a_400(w, value):
    client = api_as(w.duty_officer_a)
    for query in ({"from": value, "to": "2026-03-01T00:00:00"}, {"from": value, "to": value}):
        assert_api_refusal(client.get("/api/v1/duty/rosters/", query))


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "2026-02-30", "1-1-1"])
def test_far_dates_on_the_roll_call_report_are_refused(w, value):
    for query in ({"start": value}, {"end": value}, {"start": value, "end": value}):
        assert_api_refusal(api_as(w.duty_officer_a).get("/api/v1/duty/roll-call-report/", query))
        page = page_as(w.duty_officer_a)
        response = page.get("/duty/rollcalls/report/", query)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert_no_server_error(page.get("/duty/rollcalls/report.xlsx", query))


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "10000-01", "2026-13", "-1-1"])
def test_far_months_on_the_roster_page_show_the_current_month(w, month):
    response = page_as(w.duty_officer_a).get(f"/duty/rosters/{w.roster.pk}/", {"month": month})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "0001-01-01 00:00",
        "0001-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59-05:00",
    ],
)
def test_far_datetimes_in_the_incident_form_are_a_field_error(w, value):
    data = {
        "title": "临清市青年路民房火灾",
        "received_at": value,
        "source": "119",
        "incident_type": w.fire_type.pk,
        "level": "iv",
        "jurisdiction": w.county_a.pk,
        "address": "青年路88号",
        "latitude": "36.841000",
        "longitude": "115.712000",
        "area_type": "urban",
        "deaths": 0,
        "injuries": 0,
        "missing": 0,
    }
    response = page_as(w.duty_officer_a).post("/command/incidents/new/", data)
    assert response.status_code in (200, 400)
    assert "received_at" in response.context["form"].errors


# --- the iCalendar token -----------------------------------------------------------------


@pytest.mark.parametrize("token", ["值班表", "%E5%80%BC", "é" * 43, "%ED%A0%80", "x" * 500])
def test_a_non_ascii_calendar_token_is_a_404(w, token):
    response = Client(raise_request_exception=False).get(
        f"/duty/rosters/{w.roster.pk}/feed/{token}.ics"
    )
    assert response.status_code == 404


def test_the_right_calendar_token_still_opens_the_feed(w):
    response = Client().get(f"/duty/rosters/{w.roster.pk}/feed/{w.roster.feed_token}.ics")
    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR")


# --- the last resort: JSON 500 under /api/, pages of our own -----------------------------


@pytest.fixture
def crashing_incident_list(monkeypatch):
    from command.api.views import IncidentViewSet

    def crash(self, request, *args, **kwargs):
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(IncidentViewSet, "list", crash)


def test_an_unexpected_api_error_is_a_json_500_with_debug_off(
    w, settings, crashing_incident_list, caplog
):
    settings.DEBUG = False
    response = api_as(w.duty_officer_a).get(INCIDENTS)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "server_error"
    assert "a bug nobody foresaw" not in response.content.decode()
    assert "a bug nobody foresaw" in caplog.text  # logged with its traceback


def test_an_unexpected_error_outside_drf_under_api_is_json_too(w, settings, monkeypatch):
    settings.DEBUG = False
    from core import errors

    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    request = type("R", (), {"path": "/api/v1/command/incidents/"})()
    response = errors.server_error(request)
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"


def test_pages_have_their_own_error_pages_and_the_500_needs_no_database(
    w, settings, django_assert_num_queries
):
    settings.DEBUG = False
    from django.test import RequestFactory

    from core import errors

    response = page_as(w.duty_officer_a).get("/no-such-page/")
    assert response.status_code == 404
    assert "404" in response.content.decode() and "<h1" in response.content.decode()
    with django_assert_num_queries(0):
        response = errors.server_error(RequestFactory().get("/command/incidents/"))
    assert response.status_code == 500
    assert "500" in response.content.decode()


# --- after-commit side effects with the broker down --------------------------------------


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing a task fails the way Celery fails when Redis is unreachable."""
    from kombu.exceptions import OperationalError

    from dispatch.tasks import deliver_orders
    from duty.tasks import deliver_roll_call

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (deliver_orders, deliver_roll_call):
        monkeypatch.setattr(task, "apply_async", refuse)


def test_approving_a_plan_while_the_broker_is_down_answers_200_and_the_sweep_delivers(
    w, broker_down, django_capture_on_commit_callbacks, caplog
):
    from dispatch import tasks
    from dispatch.models import CallOutOrder
    from tests import factories as f

    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_power_a], submit=True)
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        response = api_as(w.approver_a).post(f"{PLANS}{plan.pk}/approve/")
    assert response.status_code == 200, response.content[:300]
    assert hooks  # the delivery hook did run, and failed
    assert "Connection refused" in caplog.text
    orders = CallOutOrder.objects.filter(plan=plan)
    assert orders.count() == 2
    assert not orders.filter(delivered_at__isnull=False).exists()
    assert tasks.sweep_deliveries() == 2  # the broker is back: the outbox sweep delivers
    assert not orders.filter(delivered_at__isnull=True).exists()


def test_every_after_commit_hook_is_robust():
    """A hook that talks to a broker, a gateway or a socket runs after the commit: if it
    raised, a committed change would answer 500."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    for path in root.glob("*/**/*.py"):
        if path.parts[len(root.parts)] in {"tests", "bench", ".venv"}:
            continue
        source = path.read_text(encoding="utf-8")
        for call in re.findall(r"transaction\.on_commit\((?:[^()]|\([^()]*\))*\)", source):
            assert "robust=True" in call, f"{path}: {call}"


# --- hostile census workbooks ------------------------------------------------------------

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";" if i > 1 else "&lol;") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def census_book() -> bytes:
    from tests.forces.test_census import force_row, workbook

    return workbook(forces=[force_row("新建救援队")])


def rewrite(content: bytes, name: str, data: bytes | None, method=None) -> bytes:
    """The same zip with one member replaced (``data``) or cut off after half its bytes."""
    import zipfile
    from io import BytesIO

    out = BytesIO()
    with zipfile.ZipFile(BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == name:
                body = body[: len(body) // 2] if data is None else data
            dst.writestr(info.filename, body, compress_type=method or info.compress_type)
    return out.getvalue()


def sheet_xml(rows: str, dimension: str = "A1:B2", prolog: str = "") -> bytes:
    return (
        f'{prolog}<worksheet {NS}><dimension ref="{dimension}"/><sheetData>{rows}'
        "</sheetData></worksheet>"
    ).encode()


def hostile_workbooks() -> dict[str, bytes]:
    import zipfile

    good = census_book()
    crc = bytearray(rewrite(good, SHEET, None, method=zipfile.ZIP_STORED))
    # Flip bytes inside the stored sheet: the zip directory is intact, the CRC is not.
    start = crc.find(b"<sheetData>")
    crc[start + 20 : start + 40] = b"Z" * 20
    return {
        "truncated_zip": good[: len(good) * 2 // 3],
        "truncated_sheet_xml": rewrite(good, SHEET, None),
        "corrupt_member": bytes(crc),
        "xxe_in_sheet": rewrite(
            good,
            SHEET,
            sheet_xml(
                '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>',
                prolog='<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM '
                '"file:///etc/passwd">]>',
            ),
        ),
        "billion_laughs_in_sheet": rewrite(
            good,
            SHEET,
            sheet_xml(
                '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
                prolog=LAUGHS,
            ),
        ),
        "billion_laughs_in_workbook": rewrite(
            good,
            "xl/workbook.xml",
            (LAUGHS + f"<workbook {NS}><sheets>&lol9;</sheets></workbook>").encode(),
        ),
        "missing_sheet_member": rewrite(good, "xl/workbook.xml", None),
    }


@pytest.mark.parametrize("case", list(hostile_workbooks()))
def test_damaged_or_hostile_census_workbooks_are_a_clear_400(w, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from forces import census
    from forces.models import Force

    content = hostile_workbooks()[case]
    response = api_as(w.editor_a).post(
        "/api/v1/forces/census/",
        {"organisation": w.water_a.pk, "file": SimpleUploadedFile("census.xlsx", content)},
        format="multipart",
    )
    assert_api_refusal(response)
    assert response.json()["code"] == "invalid_file"
    assert "root:" not in response.content.decode()  # /etc/passwd never read back
    page = page_as(w.editor_a).post(
        "/forces/census/",
        {"organisation": w.water_a.pk, "workbook": SimpleUploadedFile("c.xlsx", content)},
    )
    assert page.status_code == 400
    assert not Force.objects.filter(name="新建救援队").exists()
    assert census.MAX_ROWS  # the module under test


def test_openpyxl_parses_with_defusedxml():
    from openpyxl import xml

    assert xml.DEFUSEDXML is True


@pytest.mark.parametrize(
    ("dimension", "rows"),
    [
        ("A1:XFD1048576", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
        ("A1:B2", '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'),
        ("A1:BZ2", ""),
    ],
)
def test_a_tiny_workbook_declaring_a_huge_sheet_is_refused_in_well_under_a_second(
    w, dimension, rows
):
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile

    from forces import census
    from tests.forces.test_census import headers

    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for i, h in enumerate(headers(census.FORCES)[:20])
    )
    content = rewrite(
        census_book(), SHEET, sheet_xml(f'<row r="1">{header}</row>{rows}', dimension)
    )
    assert len(content) < 20_000
    started = time.perf_counter()
    response = api_as(w.editor_a).post(
        "/api/v1/forces/census/",
        {"organisation": w.water_a.pk, "file": SimpleUploadedFile("census.xlsx", content)},
        format="multipart",
    )
    elapsed = time.perf_counter() - started
    assert_api_refusal(response)
    assert elapsed < 1.0


def test_cells_beyond_the_census_columns_are_never_read(w):
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile

    row = '<row r="2">' + "".join(f'<c r="XF{i}2"><v>1</v></c>' for i in range(10)) + "</row>"
    content = rewrite(census_book(), SHEET, sheet_xml(row * 2000, "A1:B2"))
    started = time.perf_counter()
    response = api_as(w.editor_a).post(
        "/api/v1/forces/census/",
        {"organisation": w.water_a.pk, "file": SimpleUploadedFile("census.xlsx", content)},
        format="multipart",
    )
    assert response.status_code < 500
    assert time.perf_counter() - started < 2.0


def test_integers_out_of_range_in_page_forms_are_field_errors(w):
    data = {
        "title": "临清市青年路民房火灾",
        "source": "119",
        "incident_type": w.fire_type.pk,
        "level": "iv",
        "jurisdiction": w.county_a.pk,
        "address": "青年路88号",
        "latitude": "36.841000",
        "longitude": "115.712000",
        "area_type": "urban",
        "deaths": HUGE,
        "injuries": 2**31,
        "missing": 0,
    }
    response = page_as(w.duty_officer_a).post("/command/incidents/new/", data)
    assert response.status_code in (200, 400)
    assert {"deaths", "injuries"} <= set(response.context["form"].errors)
    from dispatch.forms import PlanLineForm, ResultForm

    assert "people" in PlanLineForm({"force": "", "people": HUGE}).errors
    assert "people_rescued" in ResultForm({"people_rescued": 2**31}).errors
