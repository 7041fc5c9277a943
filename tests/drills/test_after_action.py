"""After-action reports (总结, Liaocheng §三.三.3): after an incident the fire brigade
submits a written summary to the bureau, which accepts it or returns it; the problems
found become follow-up actions beside the drills' ones."""

from __future__ import annotations

import pytest

from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from drills import services as drill_services
from drills.after_action import (
    accept_after_action,
    return_after_action,
    submit_after_action,
)
from drills.choices import AfterActionStatus as S
from drills.events import AfterActionEvent
from drills.models import AfterActionReport, FollowUpAction
from notify.choices import Purpose
from notify.models import Notification
from tests.drills.after_action_fixtures import SECTIONS, draft, problem

pytestmark = pytest.mark.django_db


def _reached(notification) -> set[int]:
    return {r["user_id"] for rows in notification.audiences.values() for r in rows}


def test_the_brigade_writes_submits_and_the_bureau_accepts(closed_world):
    w = closed_world
    report = draft(w, problems=[problem(w)])
    assert (report.status, report.organisation) == (S.DRAFT, w.fire_a)
    submit_after_action(actor=w.dispatcher_a, report_id=report.pk)
    accept_after_action(actor=w.approver_a, report_id=report.pk, note="经验做法推广")
    report.refresh_from_db()
    assert report.status == S.ACCEPTED
    assert (report.submitted_by, report.reviewed_by) == (w.dispatcher_a, w.approver_a)
    assert report.review_note == "经验做法推广"
    types = list(
        Event.objects.filter(type__startswith="afteraction.")
        .order_by("seq")
        .values_list("type", flat=True)
    )
    assert types == [AfterActionEvent.SAVED, AfterActionEvent.SUBMITTED, AfterActionEvent.ACCEPTED]


def test_no_report_while_the_incident_is_still_being_handled(incident_world):
    w = incident_world
    with pytest.raises(InvalidTransition) as raised:
        draft(w)
    assert raised.value.code == "incident_open"
    assert not AfterActionReport.objects.exists()


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("dispatcher_a", None),
        ("dispatcher_city", None),  # the city detachment took part
        ("duty_officer_a", PermissionDeniedError),
        ("approver_a", PermissionDeniedError),
        ("admin_a", PermissionDeniedError),
        ("admin_city", PermissionDeniedError),
        ("editor_a", PermissionDeniedError),
        ("force_account_a", PermissionDeniedError),
        ("screen_a", PermissionDeniedError),
        ("sync_client", PermissionDeniedError),
        ("dispatcher_b", NotFoundError),
        ("approver_b", NotFoundError),
    ],
)
def test_who_writes_the_summary(closed_world, persona, outcome):
    w = closed_world
    actor = getattr(w, persona)
    if outcome is None:
        report = draft(w, actor=actor)
        assert report.organisation == actor.organisation
    else:
        with pytest.raises(outcome):
            draft(w, actor=actor)
        assert not AfterActionReport.objects.exists()


def test_only_the_brigade_that_wrote_it_goes_on_with_it(closed_world):
    w = closed_world
    report = draft(w)
    with pytest.raises(PermissionDeniedError):
        draft(w, actor=w.dispatcher_city, summary="改写")
    with pytest.raises(PermissionDeniedError):
        submit_after_action(actor=w.dispatcher_city, report_id=report.pk)


def test_a_report_is_submitted_with_every_section_written(closed_world):
    w = closed_world
    report = draft(w, what_failed="", suggestions=" ")
    with pytest.raises(ValidationFailed) as raised:
        submit_after_action(actor=w.dispatcher_a, report_id=report.pk)
    assert set(raised.value.errors) == {"what_failed", "suggestions"}
    report.refresh_from_db()
    assert report.status == S.DRAFT


def test_the_bureau_is_told_of_a_submitted_report(closed_world):
    w = closed_world
    report = draft(w)
    submit_after_action(actor=w.dispatcher_a, report_id=report.pk)
    notification = Notification.objects.get(purpose=Purpose.AFTER_ACTION)
    assert notification.object_id == report.pk
    assert {w.approver_a.pk, w.duty_officer_a.pk} <= _reached(notification)
    assert w.approver_b.pk not in _reached(notification)
    assert w.dispatcher_a.pk not in _reached(notification)


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("approver_a", None),
        ("duty_officer_a", None),
        ("admin_a", None),
        ("approver_city", None),
        ("admin_city", None),
        ("dispatcher_a", PermissionDeniedError),
        ("dispatcher_city", PermissionDeniedError),
        ("editor_a", PermissionDeniedError),
        ("screen_a", PermissionDeniedError),
        ("sync_client", PermissionDeniedError),
        ("approver_b", NotFoundError),
        ("duty_officer_b", NotFoundError),
    ],
)
@pytest.mark.parametrize("verdict", ["accept", "return"])
def test_who_accepts_or_returns_it(closed_world, persona, outcome, verdict):
    w = closed_world
    report = draft(w)
    submit_after_action(actor=w.dispatcher_a, report_id=report.pk)
    actor = getattr(w, persona)

    def act():
        if verdict == "accept":
            return accept_after_action(actor=actor, report_id=report.pk)
        return return_after_action(actor=actor, report_id=report.pk, reason="补充伤亡情况")

    if outcome is None:
        assert act().status == (S.ACCEPTED if verdict == "accept" else S.RETURNED)
    else:
        with pytest.raises(outcome):
            act()
        report.refresh_from_db()
        assert report.status == S.SUBMITTED


def test_a_returned_report_goes_back_to_the_brigade_with_the_reason(closed_world):
    w = closed_world
    report = draft(w)
    submit_after_action(actor=w.dispatcher_a, report_id=report.pk)
    with pytest.raises(ValidationFailed):
        return_after_action(actor=w.approver_a, report_id=report.pk, reason="  ")
    return_after_action(actor=w.approver_a, report_id=report.pk, reason="补充伤亡情况")
    report.refresh_from_db()
    assert (report.status, report.review_note) == (S.RETURNED, "补充伤亡情况")
    told = Notification.objects.filter(purpose=Purpose.AFTER_ACTION).order_by("serial")
    assert told.count() == 2
    assert told[0].closed_at is not None or not told[0].is_open
    assert w.dispatcher_a.pk in _reached(told[1])
    assert "补充伤亡情况" in told[1].body
    # Reworked and submitted again, then accepted.
    draft(w, summary=SECTIONS["summary"] + "无人员伤亡。")
    submit_after_action(actor=w.dispatcher_a, report_id=report.pk)
    accept_after_action(actor=w.approver_a, report_id=report.pk)
    report.refresh_from_db()
    assert report.status == S.ACCEPTED


def test_a_submitted_or_accepted_report_is_not_changed_nor_reviewed_twice(closed_world):
    w = closed_world
    report = draft(w)
    with pytest.raises(InvalidTransition):
        accept_after_action(actor=w.approver_a, report_id=report.pk)
    submit_after_action(actor=w.dispatcher_a, report_id=report.pk)
    with pytest.raises(InvalidTransition):
        draft(w, summary="改写")
    with pytest.raises(InvalidTransition):
        submit_after_action(actor=w.dispatcher_a, report_id=report.pk)
    accept_after_action(actor=w.approver_a, report_id=report.pk)
    with pytest.raises(InvalidTransition):
        return_after_action(actor=w.approver_a, report_id=report.pk, reason="再改")


def test_problems_found_become_follow_up_actions_and_resaving_keeps_the_closed_ones(
    closed_world,
):
    w = closed_world
    report = draft(w, problems=[problem(w), problem(w, "通信中继未架设", owner=w.bureau_a)])
    assert report.actions.count() == 2
    first = report.actions.get(problem="夜间照明不足")
    drill_services.close_follow_up_action(actor=w.dispatcher_a, action_id=first.pk, note="已配备")
    draft(w, problems=[problem(w, "通信中继预置点未建")])
    assert sorted(report.actions.values_list("problem", flat=True)) == [
        "夜间照明不足",
        "通信中继预置点未建",
    ]
    closed = Event.objects.get(type=AfterActionEvent.ACTION_CLOSED)
    assert closed.payload["action_id"] == first.pk


def test_a_problem_owner_must_be_of_the_incidents_area(closed_world):
    w = closed_world
    with pytest.raises(ValidationFailed) as raised:
        draft(w, problems=[problem(w, owner=w.fire_b)])
    assert "problems[0].owner" in raised.value.errors


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("duty_officer_a", {"drill", "after_action"}),
        ("dispatcher_a", {"drill", "after_action"}),
        ("admin_city", {"drill", "after_action"}),
        ("duty_officer_b", set()),
        ("dispatcher_b", set()),
    ],
)
def test_follow_up_actions_of_both_kinds_are_scoped_by_jurisdiction(closed_world, persona, sees):
    w = closed_world
    from datetime import date

    from tests.drills.helpers import conducted

    drill = conducted(w.admin_a, w.bureau_a, date(2026, 5, 20))
    drill_services.evaluate_drill(
        actor=w.admin_a, drill_id=drill.pk, score=80, problems=[problem(w, "预案不熟")]
    )
    draft(w, problems=[problem(w)])
    visible = FollowUpAction.objects.visible_to(getattr(w, persona))
    kinds = {"drill" if a.drill_id else "after_action" for a in visible}
    assert kinds == sees


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("dispatcher_a", None),  # the brigade that wrote it
        ("approver_a", None),  # the bureau that reviews it
        ("admin_city", None),
        ("editor_a", PermissionDeniedError),
        ("dispatcher_b", NotFoundError),
    ],
)
def test_who_closes_an_after_action_problem(closed_world, persona, outcome):
    w = closed_world
    report = draft(w, problems=[problem(w)])
    action = report.actions.get()
    actor = getattr(w, persona)
    if outcome is None:
        closed = drill_services.close_follow_up_action(
            actor=actor, action_id=action.pk, note="已整改"
        )
        assert closed.is_closed
    else:
        with pytest.raises(outcome):
            drill_services.close_follow_up_action(actor=actor, action_id=action.pk, note="已整改")
