"""30-minute reporting (Tieling §三.(二).2: 重要紧急情况30分钟内报告, 杜绝迟报; Liaocheng
§三.三.1: copies to the same-level bureau and fire brigade): which incidents owe reports,
their deadlines, submission, receipt, follow-ups, the final report and 迟报."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from command import reports, services
from command.choices import ReportAddressee, ReportKind, ReportStatus
from command.models import IncidentReport, ReportAttachment
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from notify.choices import Purpose
from notify.models import Notification
from tests.command.reports_fixtures import NOW, record, report_world, reportable, rule

pytestmark = pytest.mark.django_db
__all__ = ["report_world"]

PDF = b"%PDF-1.4\n%test\n"


def _kinds(rows):
    return [(r.kind, r.addressee, r.sequence) for r in rows]


def test_a_level_three_incident_owes_the_initial_report_its_copies_and_a_follow_up(report_world):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        _incident, rows = reportable(w, received_at=NOW - timedelta(minutes=5))
    assert sorted(_kinds(rows)) == sorted(
        [
            (ReportKind.INITIAL, ReportAddressee.PARTY_GOVERNMENT, 1),
            (ReportKind.COPY, ReportAddressee.BUREAU, 1),
            (ReportKind.COPY, ReportAddressee.FIRE_BRIGADE, 1),
            (ReportKind.FOLLOW_UP, ReportAddressee.PARTY_GOVERNMENT, 2),
        ]
    )
    by_kind = {(r.kind, r.addressee): r for r in rows}
    # 30 minutes from receipt, not from recording.
    initial = by_kind[(ReportKind.INITIAL, ReportAddressee.PARTY_GOVERNMENT)]
    assert initial.due_at == NOW + timedelta(minutes=25)
    assert initial.rule == w.city_rule
    follow = by_kind[(ReportKind.FOLLOW_UP, ReportAddressee.PARTY_GOVERNMENT)]
    assert follow.due_at == initial.due_at + timedelta(minutes=120)
    assert Event.objects.filter(type="report.required").count() == 4


def test_an_ordinary_level_four_incident_owes_nothing(report_world):
    w = report_world
    incident = record(w.duty_officer_a, incident_type=w.fire_type, level="iv")
    assert not incident.reports.exists()


@pytest.mark.parametrize("casualties", [{"deaths": 1}, {"injuries": 3}, {"missing": 3}], ids=str)
def test_a_death_or_three_injured_or_missing_make_a_level_four_incident_reportable(
    report_world, casualties
):
    w = report_world
    incident = record(w.duty_officer_a, incident_type=w.fire_type, level="iv", **casualties)
    assert incident.reports.filter(kind=ReportKind.INITIAL).exists()


def test_two_injured_are_below_the_threshold(report_world):
    w = report_world
    incident = record(w.duty_officer_a, incident_type=w.fire_type, level="iv", injuries=2)
    assert not incident.reports.exists()


def test_the_nearest_rule_wins_a_hazardous_chemicals_leak_uses_the_county_rule(report_world):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        incident = record(w.duty_officer_a, incident_type=w.chem_type, level="iii", received_at=NOW)
    initial = incident.reports.get(kind=ReportKind.INITIAL)
    assert initial.rule == w.chem_rule
    assert initial.due_at == NOW + timedelta(minutes=20)


def test_a_rule_of_another_county_or_an_inactive_rule_does_not_apply(report_world):
    w = report_world
    rule(w.county_b, name="阳谷县一律报告")
    w.city_rule.active = False
    w.city_rule.save()
    incident = record(w.duty_officer_a, incident_type=w.fire_type, level="ii")
    assert not incident.reports.exists()


def test_a_reassessment_that_meets_the_rule_starts_the_clock_then_and_only_once(report_world):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        incident = record(w.duty_officer_a, incident_type=w.fire_type, level="iv", received_at=NOW)
    assert not incident.reports.exists()
    later = NOW + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        services.reassess_incident(
            actor=w.duty_officer_a, incident_id=incident.pk, level="iii", reason="过火面积扩大"
        )
        services.update_incident(
            actor=w.duty_officer_a, incident_id=incident.pk, data={"deaths": 2}
        )
    initial = incident.reports.get(kind=ReportKind.INITIAL)
    assert initial.due_at == later + timedelta(minutes=30)
    assert incident.reports.count() == 4
    assert reports.ensure_reports(incident=incident, actor=w.duty_officer_a) == []


def test_a_duty_officer_submits_on_time_with_attachments_and_the_fire_brigade_receives_its_copy(
    report_world,
):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        incident, _rows = reportable(w, received_at=NOW)
    copy = incident.reports.get(addressee=ReportAddressee.FIRE_BRIGADE)
    with time_machine.travel(NOW + timedelta(minutes=20), tick=False):
        done = reports.submit_report(
            actor=w.duty_officer_a,
            report_id=copy.pk,
            title="关于临清市先锋路商铺火灾的报告",
            body="7月20日9时30分，先锋路商铺起火……",
            attachments=[SimpleUploadedFile("现场.pdf", PDF)],
        )
    assert done.status == ReportStatus.SUBMITTED and not done.late
    assert done.submitted_by == w.duty_officer_a
    assert ReportAttachment.objects.filter(report=done).count() == 1
    received = reports.receive_report(
        actor=w.dispatcher_a, report_id=copy.pk, received_by="临清市消防救援大队指挥中心 李明"
    )
    assert received.status == ReportStatus.RECEIVED
    assert received.received_by.endswith("李明")
    assert Event.objects.filter(type="report.received", subject_id=str(copy.pk)).count() == 1


def test_a_submission_after_the_deadline_is_late_and_stays_late(report_world):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        incident, _ = reportable(w, received_at=NOW)
    initial = incident.reports.get(kind=ReportKind.INITIAL)
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        done = reports.submit_report(
            actor=w.duty_officer_a, report_id=initial.pk, title="初报", body="情况……"
        )
    assert done.late
    reports.receive_report(actor=w.duty_officer_a, report_id=initial.pk, received_by="市委值班室")
    initial.refresh_from_db()
    assert initial.late and initial.status == ReportStatus.RECEIVED


def test_the_tick_flags_a_due_report_past_its_deadline_once_and_tells_the_duty_officers(
    report_world, django_capture_on_commit_callbacks
):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        incident, _ = reportable(w, received_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        reminded = reports.remind_due(now=NOW + timedelta(minutes=25))
    assert reminded == 3
    reminder = Notification.objects.filter(purpose=Purpose.REPORT_DUE)
    assert reminder.count() == 3
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert reports.flag_late(now=NOW + timedelta(minutes=31)) == 3
    assert callbacks
    assert reports.flag_late(now=NOW + timedelta(minutes=32)) == 0
    assert incident.reports.filter(late=True).count() == 3
    assert Event.objects.filter(type="report.late").count() == 3
    # The reminders are closed and a late notice is open for each, to the duty officers.
    open_ = Notification.objects.filter(purpose=Purpose.REPORT_DUE, closed_at__isnull=True)
    assert open_.count() == 3
    assert all("迟报" in n.body or "late" in n.title.lower() or "迟" in n.title for n in open_)
    assert all(
        [r["user_id"] for r in n.audiences["duty_officers"]] == [w.duty_officer_a.pk] for n in open_
    )


def test_submitting_a_follow_up_plans_the_next_at_the_interval(report_world):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        incident, _ = reportable(w, received_at=NOW)
    first = incident.reports.get(kind=ReportKind.FOLLOW_UP, sequence=2)
    at = NOW + timedelta(minutes=100)
    with time_machine.travel(at, tick=False):
        reports.submit_report(actor=w.duty_officer_a, report_id=first.pk, title="续报", body="……")
    second = incident.reports.get(kind=ReportKind.FOLLOW_UP, sequence=3)
    assert second.due_at == first.due_at + timedelta(minutes=120)
    # A very late follow-up does not make the next one late at once.
    late_at = second.due_at + timedelta(hours=5)
    with time_machine.travel(late_at, tick=False):
        reports.submit_report(actor=w.duty_officer_a, report_id=second.pk, title="续报", body="……")
    third = incident.reports.get(kind=ReportKind.FOLLOW_UP, sequence=4)
    assert third.due_at == late_at + timedelta(minutes=120)


def test_closing_withdraws_the_pending_follow_up_and_requires_the_final_report(report_world):
    w = report_world
    with time_machine.travel(NOW, tick=False):
        incident, _ = reportable(w, received_at=NOW)
    closed = NOW + timedelta(minutes=50)
    with time_machine.travel(closed, tick=False):
        services.close_incident(actor=w.duty_officer_a, incident_id=incident.pk)
    assert not incident.reports.filter(kind=ReportKind.FOLLOW_UP).exists()
    final = incident.reports.get(kind=ReportKind.FINAL)
    assert final.due_at == closed + timedelta(hours=24)
    assert final.addressee == ReportAddressee.PARTY_GOVERNMENT


def test_closing_an_incident_that_owed_nothing_requires_no_final_report(report_world):
    w = report_world
    incident = record(w.duty_officer_a, incident_type=w.fire_type, level="iv")
    services.close_incident(actor=w.duty_officer_a, incident_id=incident.pk)
    assert not IncidentReport.objects.filter(incident=incident).exists()


def test_a_report_needs_title_and_text_and_names_the_empty_fields(report_world):
    w = report_world
    incident, _ = reportable(w)
    initial = incident.reports.get(kind=ReportKind.INITIAL)
    with pytest.raises(ValidationFailed) as exc:
        reports.submit_report(actor=w.duty_officer_a, report_id=initial.pk, title=" ", body="")
    assert set(exc.value.errors) == {"title", "body"}


def test_one_bad_attachment_refuses_the_whole_submission(report_world):
    w = report_world
    incident, _ = reportable(w)
    initial = incident.reports.get(kind=ReportKind.INITIAL)
    with pytest.raises(ValidationFailed) as exc:
        reports.submit_report(
            actor=w.duty_officer_a,
            report_id=initial.pk,
            title="初报",
            body="……",
            attachments=[
                SimpleUploadedFile("ok.pdf", PDF),
                SimpleUploadedFile("fake.pdf", b"MZ not a pdf"),
            ],
        )
    assert "fake.pdf" in exc.value.errors["attachments"][0]
    initial.refresh_from_db()
    assert initial.status == ReportStatus.DUE
    assert not ReportAttachment.objects.exists()


def test_a_report_is_submitted_once(report_world):
    w = report_world
    incident, _ = reportable(w)
    initial = incident.reports.get(kind=ReportKind.INITIAL)
    reports.submit_report(actor=w.duty_officer_a, report_id=initial.pk, title="初报", body="……")
    with pytest.raises(InvalidTransition):
        reports.submit_report(actor=w.duty_officer_a, report_id=initial.pk, title="初报", body="…")


def test_only_a_submitted_report_is_received_and_the_receiver_is_named(report_world):
    w = report_world
    incident, _ = reportable(w)
    initial = incident.reports.get(kind=ReportKind.INITIAL)
    with pytest.raises(InvalidTransition):
        reports.receive_report(actor=w.duty_officer_a, report_id=initial.pk, received_by="县委")
    reports.submit_report(actor=w.duty_officer_a, report_id=initial.pk, title="初报", body="……")
    with pytest.raises(ValidationFailed):
        reports.receive_report(actor=w.duty_officer_a, report_id=initial.pk, received_by=" ")


# --- permissions ---------------------------------------------------------------------------

SUBMIT = {
    "duty_officer_a": "ok",
    "approver_a": "ok",
    "admin_a": "ok",
    "dispatcher_a": "forbidden",
    "screen_a": "forbidden",
    "sync_client": "forbidden",
    "admin_city": "forbidden",
    "approver_city": "forbidden",
    "editor_a": "missing",
    "force_account_a": "missing",
    "duty_officer_b": "missing",
    "dispatcher_b": "missing",
}


@pytest.mark.parametrize(("persona", "outcome"), sorted(SUBMIT.items()))
def test_who_submits_a_report_of_county_a(report_world, persona, outcome):
    w = report_world
    incident, _ = reportable(w)
    initial = incident.reports.get(kind=ReportKind.INITIAL)
    actor = getattr(w, persona)
    call = lambda: reports.submit_report(  # noqa: E731
        actor=actor, report_id=initial.pk, title="初报", body="……"
    )
    if outcome == "ok":
        assert call().status == ReportStatus.SUBMITTED
    else:
        with pytest.raises(PermissionDeniedError if outcome == "forbidden" else NotFoundError):
            call()


RECEIVE = {
    ("duty_officer_a", ReportAddressee.PARTY_GOVERNMENT): "ok",
    ("duty_officer_a", ReportAddressee.FIRE_BRIGADE): "ok",
    ("dispatcher_a", ReportAddressee.FIRE_BRIGADE): "ok",
    ("dispatcher_a", ReportAddressee.PARTY_GOVERNMENT): "forbidden",
    ("dispatcher_city", ReportAddressee.FIRE_BRIGADE): "forbidden",
    ("screen_a", ReportAddressee.BUREAU): "forbidden",
    ("duty_officer_b", ReportAddressee.BUREAU): "missing",
    ("editor_a", ReportAddressee.FIRE_BRIGADE): "missing",
}


@pytest.mark.parametrize(("key", "outcome"), sorted(RECEIVE.items()), ids=str)
def test_who_records_the_receipt(report_world, key, outcome):
    w = report_world
    persona, addressee = key
    incident, _ = reportable(w)
    report = incident.reports.get(addressee=addressee, sequence=1)
    reports.submit_report(actor=w.duty_officer_a, report_id=report.pk, title="报告", body="……")
    call = lambda: reports.receive_report(  # noqa: E731
        actor=getattr(w, persona), report_id=report.pk, received_by="值班室"
    )
    if outcome == "ok":
        assert call().status == ReportStatus.RECEIVED
    else:
        with pytest.raises(PermissionDeniedError if outcome == "forbidden" else NotFoundError):
            call()


def test_a_rule_is_saved_by_the_bureau_in_its_jurisdiction_only(report_world):
    w = report_world
    saved = reports.save_rule(
        actor=w.approver_a,
        data={"name": "临清市较大火灾", "min_level": "iii"},
        incident_types=[w.fire_type],
    )
    assert saved.jurisdiction == w.county_a
    assert list(saved.incident_types.all()) == [w.fire_type]
    assert Event.objects.filter(type="report.rule_saved").count() == 1
    with pytest.raises(ValidationFailed):
        reports.save_rule(actor=w.approver_a, data={"name": "越权", "jurisdiction": w.county_b})
    with pytest.raises(ConflictError) as exc:
        reports.save_rule(actor=w.duty_officer_a, data={"name": "临清市较大火灾"})
    assert exc.value.errors == {"name": [exc.value.errors["name"][0]]}
    with pytest.raises(PermissionDeniedError):
        reports.save_rule(actor=w.dispatcher_a, data={"name": "消防"})
    with pytest.raises(NotFoundError):
        reports.save_rule(actor=w.approver_b, data={"name": "x"}, rule_id=saved.pk)


def test_the_report_tick_runs_on_the_beat_schedule_and_flags_late_reports(report_world):
    from command.tasks import report_tick
    from config.celery import app

    w = report_world
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "command.tasks.report_tick" in tasks
    with time_machine.travel(NOW, tick=False):
        reportable(w, received_at=NOW)
    with time_machine.travel(NOW + timedelta(minutes=25), tick=False):
        assert report_tick() == {"late": 0, "reminded": 3}
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        assert report_tick() == {"late": 3, "reminded": 0}
