"""Reporting pages and API (Tieling §三.(二).2): who opens them, the submit form with
attachments and field errors, receipt, the printable PDF, the bureau's rule pages, the
incident page's section, the dashboard panel with its 迟报 count, and constant query
counts on the lists and the panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from command import reports
from command.choices import ReportAddressee, ReportKind, ReportStatus
from command.models import ReportAttachment, ReportRule
from hall import selectors as hall_selectors
from tests.command.reports_fixtures import NOW, report_world, reportable

pytestmark = pytest.mark.django_db
__all__ = ["report_world"]

PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _initial(incident):
    return incident.reports.get(kind=ReportKind.INITIAL)


READ = {
    "duty_officer_a": 200,
    "approver_a": 200,
    "dispatcher_a": 200,
    "screen_a": 200,
    "admin_a": 200,
    "admin_city": 200,
    "sync_client": 200,
    "editor_a": 403,
    "force_account_a": 403,
    "duty_officer_b": 404,
}


@pytest.mark.parametrize(("persona", "expected"), sorted(READ.items()))
def test_who_opens_the_report_list_and_a_report_of_county_a(
    report_world, as_user, api, persona, expected
):
    w = report_world
    incident, _ = reportable(w)
    client = as_user(getattr(w, persona))
    list_status = client.get(reverse("command:report_list")).status_code
    assert list_status == (200 if expected == 404 else expected)
    assert (
        client.get(reverse("command:report_detail", args=[_initial(incident).pk])).status_code
        == expected
    )
    api_status = api(getattr(w, persona)).get(f"/api/v1/command/reports/{_initial(incident).pk}/")
    assert api_status.status_code == expected


def test_the_list_filters_due_late_and_submitted(report_world, as_user):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        incident, _ = reportable(w, received_at=NOW)
        reports.submit_report(
            actor=w.duty_officer_a, report_id=_initial(incident).pk, title="初报", body="……"
        )
    reports.flag_late(now=NOW + timedelta(minutes=40))
    client = as_user(w.duty_officer_a)
    url = reverse("command:report_list")

    def rows(state):
        html = client.get(url, {"state": state}).content.decode()
        return html.count('class="report-row')

    assert rows("") == 4
    assert rows("due") == 3
    assert rows("submitted") == 1
    assert rows("late") == 2  # the two copies, past due; the initial was on time


def test_a_duty_officer_submits_with_attachments_then_prints_the_pdf(report_world, as_user):
    w = report_world
    incident, _ = reportable(w)
    report = _initial(incident)
    client = as_user(w.duty_officer_a)
    page = client.get(reverse("command:report_detail", args=[report.pk])).content.decode()
    assert 'id="submit-form"' in page
    response = client.post(
        reverse("command:report_submit", args=[report.pk]),
        {
            "title": "关于临清市先锋路商铺火灾的初报",
            "body": "7月20日9时30分，临清市先锋路商铺起火。\n目前无人员伤亡。",
            "attachments": [
                SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\nrest"),
                SimpleUploadedFile("处置情况.pdf", PDF),
            ],
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert ReportAttachment.objects.filter(report=report).count() == 2
    pdf = client.get(reverse("command:report_pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = reports_html(report)
    assert "关于临清市先锋路商铺火灾的初报" in html and "临清市应急管理局" in html
    assert "duty_a" in html or str(w.duty_officer_a) in html


def reports_html(report):
    from command.models import IncidentReport
    from command.report_pdf import report_html

    return report_html(
        IncidentReport.objects.select_related(
            "incident__jurisdiction", "submitted_by__organisation"
        ).get(pk=report.pk)
    )


def _layout_text(html: str) -> str:
    """The text WeasyPrint lays out on the pages (what ends up in the PDF)."""
    import weasyprint

    def walk(box):
        if hasattr(box, "text"):
            yield box.text
        for child in getattr(box, "children", None) or []:
            yield from walk(child)

    document = weasyprint.HTML(string=html).render()
    return "".join(t for page in document.pages for t in walk(page._page_box))


def test_the_pdf_contains_the_title_text_the_sender_and_the_signer(report_world, as_user):
    w = report_world
    incident, _ = reportable(w)
    report = _initial(incident)
    reports.submit_report(
        actor=w.duty_officer_a, report_id=report.pk, title="关于先锋路商铺火灾的初报", body="正文"
    )
    pdf = as_user(w.duty_officer_a).get(reverse("command:report_pdf", args=[report.pk])).content
    assert pdf.startswith(b"%PDF")
    text = _layout_text(reports_html(report))
    for expected in ("关于先锋路商铺火灾的初报", "临清市应急管理局", str(w.duty_officer_a), "正文"):
        assert expected in text


def test_a_bad_attachment_shows_its_error_on_the_form_and_keeps_nothing(report_world, as_user):
    w = report_world
    incident, _ = reportable(w)
    report = _initial(incident)
    response = as_user(w.duty_officer_a).post(
        reverse("command:report_submit", args=[report.pk]),
        {
            "title": "初报",
            "body": "",
            "attachments": [SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00")],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="field-body"' in html and "field-error" in html
    report.refresh_from_db()
    assert report.status == ReportStatus.DUE
    response = as_user(w.duty_officer_a).post(
        reverse("command:report_submit", args=[report.pk]),
        {"title": "初报", "body": "正文", "attachments": [SimpleUploadedFile("病毒.pdf", b"MZ")]},
    )
    assert response.status_code == 400
    assert "病毒.pdf" in response.content.decode()
    assert not ReportAttachment.objects.exists()


def test_a_fire_dispatcher_sees_no_submit_form_and_may_not_post_it(report_world, as_user):
    w = report_world
    incident, _ = reportable(w)
    report = _initial(incident)
    client = as_user(w.dispatcher_a)
    assert (
        'id="submit-form"'
        not in client.get(reverse("command:report_detail", args=[report.pk])).content.decode()
    )
    response = client.post(
        reverse("command:report_submit", args=[report.pk]), {"title": "x", "body": "y"}
    )
    assert response.status_code == 403


def test_the_fire_brigade_records_the_receipt_of_its_copy(report_world, as_user):
    w = report_world
    incident, _ = reportable(w)
    copy = incident.reports.get(addressee=ReportAddressee.FIRE_BRIGADE)
    reports.submit_report(actor=w.duty_officer_a, report_id=copy.pk, title="抄报", body="……")
    client = as_user(w.dispatcher_a)
    assert (
        'id="receive-form"'
        in client.get(reverse("command:report_detail", args=[copy.pk])).content.decode()
    )
    response = client.post(
        reverse("command:report_receive", args=[copy.pk]), {"received_by": "大队指挥中心 李明"}
    )
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.status == ReportStatus.RECEIVED and copy.received_by == "大队指挥中心 李明"


def test_the_incident_page_lists_its_reports_with_the_late_flag(report_world, as_user):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        incident, _ = reportable(w, received_at=NOW)
    reports.flag_late(now=NOW + timedelta(minutes=31))
    html = as_user(w.duty_officer_a).get(incident.get_absolute_url()).content.decode()
    assert 'id="incident-reports"' in html
    assert html.count('class="incident-report-row table-danger"') == 3


def test_the_dashboard_panel_counts_late_reports(report_world, as_user):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        reportable(w, received_at=NOW)
    reports.flag_late(now=NOW + timedelta(minutes=31))
    client = as_user(w.duty_officer_a)
    html = client.get(reverse("hall:dashboard_panel", args=["reports"])).content.decode()
    assert 'id="count-reports-late" data-value="3"' in html
    assert 'id="count-reports-due" data-value="4"' in html
    assert 'id="panel-reports"' in client.get(reverse("hall:dashboard")).content.decode()
    other = as_user(w.duty_officer_b)
    html = other.get(reverse("hall:dashboard_panel", args=["reports"])).content.decode()
    assert 'id="count-reports-late" data-value="0"' in html


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_counts_stay_constant_on_the_list_the_api_and_the_panel(report_world, as_user, api):
    w = report_world
    client = as_user(w.duty_officer_a)
    reader = api(w.duty_officer_a)
    reportable(w)
    calls = [
        lambda: client.get(reverse("command:report_list")),
        lambda: client.get(reverse("command:report_list"), {"state": "due"}),
        lambda: reader.get("/api/v1/command/reports/"),
        lambda: reader.get("/api/v1/command/report-rules/"),
        lambda: client.get(reverse("command:report_rule_list")),
        lambda: hall_selectors.PANELS["reports"](w.duty_officer_a, NOW),
    ]
    first = [_queries(c) for c in calls]
    for i in range(3):
        reportable(w, title=f"火灾{i}", injuries=5)
    reports.flag_late(now=NOW + timedelta(days=400))
    assert [_queries(c) for c in calls] == first


# --- rules ---------------------------------------------------------------------------------


def test_the_bureau_creates_and_edits_a_rule_on_the_pages(report_world, as_user):
    w = report_world
    client = as_user(w.approver_a)
    response = client.post(
        reverse("command:report_rule_create"),
        {
            "name": "临清市较大火灾",
            "min_level": "iii",
            "initial_minutes": "30",
            "follow_up_minutes": "60",
            "final_hours": "24",
            "copy_to_bureau": "on",
            "active": "on",
            "incident_types": [w.fire_type.pk],
        },
    )
    assert response.status_code == 302
    rule = ReportRule.objects.get(name="临清市较大火灾")
    assert rule.jurisdiction == w.county_a and not rule.copy_to_fire_brigade
    page = client.get(reverse("command:report_rule_list")).content.decode()
    assert "临清市较大火灾" in page and "较大及以上或有人员伤亡" in page  # the city's applies too
    response = client.post(
        reverse("command:report_rule_edit", args=[rule.pk]),
        {"name": "", "initial_minutes": "30", "follow_up_minutes": "60", "final_hours": "24"},
    )
    assert response.status_code == 400 and "field-error" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("approver_a", 200), ("duty_officer_a", 200), ("dispatcher_a", 403), ("screen_a", 403)],
)
def test_who_opens_the_rule_form(report_world, as_user, persona, expected):
    client = as_user(getattr(report_world, persona))
    assert client.get(reverse("command:report_rule_create")).status_code == expected


def test_the_city_rule_cannot_be_edited_by_a_county(report_world, as_user):
    w = report_world
    response = as_user(w.approver_a).get(reverse("command:report_rule_edit", args=[w.city_rule.pk]))
    assert response.status_code == 404


# --- API -----------------------------------------------------------------------------------


def test_the_api_submits_with_attachments_and_receives(report_world, api):
    w = report_world
    incident, _ = reportable(w)
    report = _initial(incident)
    client = api(w.duty_officer_a)
    response = client.post(
        f"/api/v1/command/reports/{report.pk}/submit/",
        {
            "title": "初报",
            "body": "情况……",
            "attachments": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)],
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert len(response.json()["attachments"]) == 2
    again = client.post(
        f"/api/v1/command/reports/{report.pk}/submit/",
        {"title": "x", "body": "y"},
        format="multipart",
    )
    assert again.status_code == 409 and again.json()["code"] == "report_submitted"
    received = client.post(
        f"/api/v1/command/reports/{report.pk}/receive/",
        {"received_by": "市委值班室"},
        format="json",
    )
    assert received.status_code == 200 and received.json()["received_by"] == "市委值班室"
    forbidden = api(w.dispatcher_a).post(
        f"/api/v1/command/reports/{incident.reports.get(addressee='bureau').pk}/submit/",
        {"title": "x", "body": "y"},
        format="multipart",
    )
    assert forbidden.status_code == 403 and "code" in forbidden.json()


def test_the_api_filters_late_reports(report_world, api):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        reportable(w, received_at=NOW)
    reports.flag_late(now=NOW + timedelta(minutes=31))
    data = api(w.duty_officer_a).get("/api/v1/command/reports/", {"late": "true"}).json()
    assert data["count"] == 3


def test_the_api_creates_and_changes_rules_for_the_bureau_only(report_world, api):
    w = report_world
    client = api(w.approver_a)
    created = client.post(
        "/api/v1/command/report-rules/",
        {"name": "危化一律", "incident_types": ["21B01"], "initial_minutes": 20},
        format="json",
    )
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    assert created.json()["jurisdiction_code"] == "371581"
    changed = client.patch(
        f"/api/v1/command/report-rules/{rule_id}/", {"active": False}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert changed.json()["incident_types"] == ["21B01"]
    refused = api(w.dispatcher_a).post(
        "/api/v1/command/report-rules/", {"name": "x"}, format="json"
    )
    assert refused.status_code == 403
    assert api(w.dispatcher_a).get("/api/v1/command/report-rules/").status_code == 200
