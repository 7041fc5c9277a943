"""Intake as a linkage centre takes calls (issue 13; Zhoushan §二.3, §三.1): caller and
call-back number, a place by address or coordinates, 12345 for non-emergencies, the
maritime SAR centre for the water, 首接负责制 hand-overs, re-assessment as a step, and no
closing while work is open unless it is ended with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from command import selectors, services
from command.choices import Disposition, HandoverKind, IncidentStatus
from command.models import HotlineTransfer, Incident, IncidentAssessment, IncidentNote
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
from tests import factories as f
from tests.command.intake_fixtures import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db


def events(incident, type_):
    return Event.objects.filter(type=type_, subject_id=str(incident.pk))


# --- recording a call --------------------------------------------------------------------


def test_a_call_is_recorded_with_caller_number_and_address_only(intake_world):
    w = intake_world
    incident = f.incident(
        w.duty_officer_a,
        title="先锋路小区地下室进水",
        latitude=None,
        longitude=None,
        address="临清市先锋路街道幸福小区3号楼",
        caller_name="李女士",
        callback_phone="13905351234",
    )
    assert (incident.latitude, incident.longitude) == (None, None)
    assert incident.first_receiver == w.bureau_a and incident.handling_unit == w.bureau_a
    event = events(incident, "incident.created").get()
    assert event.payload["latitude"] is None and event.payload["address"]
    assert "13905351234" not in str(event.payload)


def test_a_call_needs_an_address_or_coordinates_and_both_coordinates(intake_world):
    w = intake_world
    with pytest.raises(ValidationFailed):
        f.incident(w.duty_officer_a, latitude=None, longitude=None, address="")
    with pytest.raises(ValidationFailed):
        f.incident(w.duty_officer_a, longitude=None, address="某地")
    with pytest.raises(ValidationFailed) as exc:
        f.incident(w.duty_officer_a, callback_phone="12")
    assert "callback_phone" in exc.value.errors


# --- re-assessment ----------------------------------------------------------------------


def test_reassessment_is_a_step_with_its_reason(intake_world):
    w = intake_world
    incident = services.reassess_incident(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, level="ii", reason="溃口扩大"
    )
    assert incident.level == "ii"
    step = IncidentAssessment.objects.get(incident=incident)
    assert (step.from_level, step.to_level, step.reason) == ("iv", "ii", "溃口扩大")
    assert step.assessed_by == w.duty_officer_a
    event = events(incident, "incident.reassessed").get()
    assert event.payload["reason"] == "溃口扩大" and event.payload["old_level"] == "iv"


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"level": "ii", "reason": " "}, ValidationFailed),
        ({"level": "iv", "reason": "同级"}, InvalidTransition),
        ({"level": "v", "reason": "无此级"}, ValidationFailed),
    ],
)
def test_reassessment_refuses_without_reason_same_or_unknown_level(intake_world, kwargs, error):
    w = intake_world
    with pytest.raises(error):
        services.reassess_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk, **kwargs)
    assert not IncidentAssessment.objects.exists()


@pytest.mark.parametrize(
    "persona,error",
    [
        ("duty_officer_a", None),
        ("dispatcher_a", None),
        ("admin_city", None),
        ("approver_a", PermissionDeniedError),
        ("editor_a", PermissionDeniedError),
        ("screen_a", PermissionDeniedError),
        ("duty_officer_b", NotFoundError),
        ("dispatcher_b", NotFoundError),
    ],
)
def test_who_reassesses(intake_world, persona, error):
    w = intake_world
    call = lambda: services.reassess_incident(  # noqa: E731
        actor=getattr(w, persona), incident_id=w.incident_a.pk, level="iii", reason="伤亡增加"
    )
    if error is None:
        assert call().level == "iii"
    else:
        with pytest.raises(error):
            call()


# --- 12345 -------------------------------------------------------------------------------


def test_a_non_emergency_call_goes_to_12345_and_its_reply_is_recorded(intake_world):
    w = intake_world
    incident = f.incident(w.duty_officer_a, title="路灯不亮", caller_name="孙先生")
    transfer = services.transfer_to_hotline(
        actor=w.duty_officer_a,
        incident_id=incident.pk,
        summary="小区门口路灯不亮，请维修",
        work_order_number="LC2026120400317",
    )
    incident.refresh_from_db()
    assert incident.disposition == Disposition.HOTLINE
    assert transfer.hotline == w.hotline and transfer.replied_at is None
    assert not selectors.in_emergency_flow(incident)
    assert (
        events(incident, "incident.transferred_to_hotline").get().payload["work_order_number"]
        == "LC2026120400317"
    )
    services.record_hotline_reply(
        actor=w.duty_officer_a, incident_id=incident.pk, reply="已维修，来电人满意"
    )
    transfer.refresh_from_db()
    assert transfer.reply == "已维修，来电人满意" and transfer.replied_at is not None
    assert transfer.reply_recorded_by == w.duty_officer_a
    assert events(incident, "incident.hotline_replied").exists()
    with pytest.raises(InvalidTransition) as exc:
        services.record_hotline_reply(actor=w.duty_officer_a, incident_id=incident.pk, reply="再次")
    assert exc.value.code == "already_replied"


def test_12345_refuses_twice_without_summary_and_for_the_wrong_roles(intake_world):
    w = intake_world
    incident = w.incident_a
    with pytest.raises(ValidationFailed):
        services.transfer_to_hotline(actor=w.duty_officer_a, incident_id=incident.pk, summary="")
    with pytest.raises(PermissionDeniedError):
        services.transfer_to_hotline(actor=w.sync_client, incident_id=incident.pk, summary="x")
    with pytest.raises(NotFoundError):
        services.transfer_to_hotline(actor=w.duty_officer_b, incident_id=incident.pk, summary="x")
    with pytest.raises(InvalidTransition) as exc:
        services.record_hotline_reply(actor=w.duty_officer_a, incident_id=incident.pk, reply="x")
    assert exc.value.code == "not_transferred"
    services.transfer_to_hotline(actor=w.dispatcher_a, incident_id=incident.pk, summary="非紧急")
    with pytest.raises(InvalidTransition) as exc:
        services.transfer_to_hotline(actor=w.duty_officer_a, incident_id=incident.pk, summary="y")
    assert exc.value.code == "not_emergency"
    assert HotlineTransfer.objects.count() == 1


def test_12345_is_refused_while_work_is_open(intake_world, open_work):
    w = intake_world
    open_work.lines[w.incident_a.pk] = ["调令 DL-1 临清市水利抢险队：已到场"]
    with pytest.raises(ConflictError) as exc:
        services.transfer_to_hotline(
            actor=w.duty_officer_a, incident_id=w.incident_a.pk, summary="x"
        )
    assert exc.value.code == "open_work"
    assert exc.value.errors == {"open_work": ["调令 DL-1 临清市水利抢险队：已到场"]}


def test_a_transferred_call_leaves_the_dashboard_and_the_hall_counters(intake_world):
    from hall import selectors as hall_selectors

    w = intake_world
    before = hall_selectors.build_screen_data(w.duty_officer_a)["counters"]["open_incidents"]
    services.transfer_to_hotline(actor=w.duty_officer_a, incident_id=w.incident_a.pk, summary="x")
    data = hall_selectors.build_screen_data(w.duty_officer_a)
    assert data["counters"]["open_incidents"] == before - 1
    assert w.incident_a.pk not in {row["id"] for row in data["incidents"]}


# --- maritime ------------------------------------------------------------------------------


def test_a_water_incident_goes_to_the_maritime_centre_which_reads_and_reports_back(
    intake_world,
):
    w = intake_world
    handover = services.hand_to_maritime(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, note="货船搁浅，3名船员"
    )
    incident = Incident.objects.get(pk=w.incident_a.pk)
    assert handover.kind == HandoverKind.MARITIME
    assert (handover.from_unit, handover.to_unit) == (w.bureau_a, w.maritime)
    assert incident.disposition == Disposition.MARITIME and incident.handling_unit == w.maritime
    event = events(incident, "incident.handed_over").get()
    assert event.organisation == w.maritime and event.payload["kind"] == "maritime"
    told = Notification.objects.get(purpose=Purpose.INCIDENT_HANDED)
    assert told.organisation == w.maritime and told.object_id == incident.pk

    # The centre's account reads this incident, and only incidents handed to it.
    assert list(selectors.readable_incidents(w.maritime_user)) == [incident]
    note = services.add_note(actor=w.maritime_user, incident_id=incident.pk, text="拖轮已到场")
    assert note.organisation == w.maritime
    assert events(incident, "incident.note_added").get().organisation == w.maritime
    # Another department, and the maritime centre on someone else's incident: refused.
    with pytest.raises(NotFoundError):
        services.add_note(actor=w.editor_a, incident_id=incident.pk, text="x")
    with pytest.raises(NotFoundError):
        services.add_note(actor=w.maritime_user, incident_id=w.incident_b.pk, text="x")
    assert IncidentNote.objects.count() == 1


def test_maritime_refused_without_a_centre_or_twice(intake_world):
    w = intake_world
    w.maritime.is_active = False
    w.maritime.kind = "enterprise"
    w.maritime.save(update_fields=["is_active", "kind"])
    with pytest.raises(ValidationFailed) as exc:
        services.hand_to_maritime(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    assert exc.value.code == "no_maritime_centre"


def test_maritime_only_once(intake_world):
    w = intake_world
    services.hand_to_maritime(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    with pytest.raises(InvalidTransition):
        services.hand_to_maritime(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    with pytest.raises(InvalidTransition):
        services.transfer_to_hotline(
            actor=w.duty_officer_a, incident_id=w.incident_a.pk, summary="x"
        )


# --- 首接负责制 ---------------------------------------------------------------------------


def test_first_receiver_hands_over_to_the_responsible_unit(intake_world):
    w = intake_world
    handover = services.hand_over(
        actor=w.duty_officer_a,
        incident_id=w.incident_a.pk,
        to_unit_id=w.ecology_a.pk,
        note="监测人员到场，现场移交",
    )
    incident = Incident.objects.get(pk=w.incident_a.pk)
    assert (handover.from_unit, handover.to_unit) == (w.bureau_a, w.ecology_a)
    assert handover.handed_at and handover.recorded_by == w.duty_officer_a
    assert incident.handling_unit == w.ecology_a and incident.first_receiver == w.bureau_a
    assert incident.disposition == Disposition.EMERGENCY  # still in the emergency flow
    event = events(incident, "incident.handed_over").get()
    assert event.payload["from_unit"] == w.bureau_a.name
    assert event.payload["to_unit"] == w.ecology_a.name
    assert Notification.objects.filter(
        purpose=Purpose.INCIDENT_HANDED, organisation=w.ecology_a
    ).exists()
    # The taking unit's account now reads it and reports back.
    assert incident in selectors.readable_incidents(w.ecology_user)
    services.add_note(actor=w.ecology_user, incident_id=incident.pk, text="监测数据正常")


@pytest.mark.parametrize(
    "target,error",
    [
        ("bureau_a", InvalidTransition),  # already handling it
        ("maritime", ValidationFailed),  # the maritime step is its own
        ("water_b", ValidationFailed),  # another county's department
    ],
)
def test_hand_over_refusals(intake_world, target, error):
    w = intake_world
    with pytest.raises(error):
        services.hand_over(
            actor=w.duty_officer_a, incident_id=w.incident_a.pk, to_unit_id=getattr(w, target).pk
        )


def test_notes_by_the_centre_and_not_by_screens(intake_world):
    w = intake_world
    services.add_note(actor=w.dispatcher_a, incident_id=w.incident_a.pk, text="第一批力量到场")
    with pytest.raises(PermissionDeniedError):
        services.add_note(actor=w.screen_a, incident_id=w.incident_a.pk, text="x")
    with pytest.raises(ValidationFailed):
        services.add_note(actor=w.duty_officer_a, incident_id=w.incident_a.pk, text=" ")


# --- closing ------------------------------------------------------------------------------


def test_close_is_refused_while_work_is_open_listing_it(intake_world, open_work):
    w = intake_world
    lines = ["调令 DL-1 临清市水利抢险队：已到场", "调令 DL-2 临清供电抢修队：已签收"]
    open_work.lines[w.incident_a.pk] = lines
    with pytest.raises(ConflictError) as exc:
        services.close_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    assert exc.value.code == "open_work" and exc.value.errors == {"open_work": lines}
    with pytest.raises(ValidationFailed):
        services.close_incident(
            actor=w.duty_officer_a, incident_id=w.incident_a.pk, end_open_work=True, reason=""
        )
    assert Incident.objects.get(pk=w.incident_a.pk).status == IncidentStatus.OPEN
    assert open_work.ended == []


def test_close_ends_open_work_with_the_reason_in_the_same_step(intake_world, open_work):
    w = intake_world
    open_work.lines[w.incident_a.pk] = ["调令 DL-1 临清市水利抢险队：已到场"]
    incident = services.close_incident(
        actor=w.duty_officer_a,
        incident_id=w.incident_a.pk,
        end_open_work=True,
        reason="险情排除，全部收队",
    )
    assert incident.status == IncidentStatus.CLOSED
    assert open_work.ended == [
        (incident.pk, "duty_a", "险情排除，全部收队", ["调令 DL-1 临清市水利抢险队：已到场"])
    ]
    event = events(incident, "incident.closed").get()
    assert event.payload["reason"] == "险情排除，全部收队" and event.payload["ended_count"] == 1


def test_close_without_open_work_needs_no_reason(intake_world, open_work):
    w = intake_world
    incident = services.close_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    assert incident.status == IncidentStatus.CLOSED and open_work.ended == []


@pytest.mark.parametrize(
    "persona,error",
    [
        ("duty_officer_a", None),
        ("dispatcher_a", None),
        ("admin_city", None),
        ("sync_client", PermissionDeniedError),
        ("approver_a", PermissionDeniedError),
        ("duty_officer_b", NotFoundError),
    ],
)
def test_who_closes(intake_world, persona, error):
    w = intake_world
    if error is None:
        services.close_incident(actor=getattr(w, persona), incident_id=w.incident_a.pk)
    else:
        with pytest.raises(error):
            services.close_incident(actor=getattr(w, persona), incident_id=w.incident_a.pk)


# --- who may direct calls: the matrix -------------------------------------------------------


@pytest.mark.parametrize(
    "persona,error",
    [
        ("duty_officer_a", None),
        ("dispatcher_a", None),
        ("admin_a", None),
        ("admin_city", None),
        ("approver_a", PermissionDeniedError),
        ("approver_city", PermissionDeniedError),
        ("sync_client", PermissionDeniedError),
        ("editor_a", PermissionDeniedError),
        ("duty_officer_b", NotFoundError),
        ("approver_b", NotFoundError),
    ],
)
@pytest.mark.parametrize("step", ["hotline", "maritime", "hand_over"])
def test_direction_matrix(intake_world, persona, error, step):
    w = intake_world
    actor = getattr(w, persona)
    calls = {
        "hotline": lambda: services.transfer_to_hotline(
            actor=actor, incident_id=w.incident_a.pk, summary="非紧急"
        ),
        "maritime": lambda: services.hand_to_maritime(actor=actor, incident_id=w.incident_a.pk),
        "hand_over": lambda: services.hand_over(
            actor=actor, incident_id=w.incident_a.pk, to_unit_id=w.ecology_a.pk
        ),
    }
    if error is None:
        calls[step]()
        assert Incident.objects.get(pk=w.incident_a.pk).handling_unit != w.bureau_a or (
            step == "hotline"
        )
    else:
        with pytest.raises(error):
            calls[step]()


def test_steps_on_a_closed_incident_are_refused(intake_world):
    w = intake_world
    services.close_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    for call in (
        lambda: services.transfer_to_hotline(
            actor=w.duty_officer_a, incident_id=w.incident_a.pk, summary="x"
        ),
        lambda: services.hand_to_maritime(actor=w.duty_officer_a, incident_id=w.incident_a.pk),
        lambda: services.hand_over(
            actor=w.duty_officer_a, incident_id=w.incident_a.pk, to_unit_id=w.ecology_a.pk
        ),
        lambda: services.reassess_incident(
            actor=w.duty_officer_a, incident_id=w.incident_a.pk, level="i", reason="x"
        ),
        lambda: services.add_note(actor=w.duty_officer_a, incident_id=w.incident_a.pk, text="x"),
    ):
        with pytest.raises(InvalidTransition):
            call()


def test_readable_incidents_is_one_query_however_many_were_handed(intake_world):
    w = intake_world
    services.hand_to_maritime(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    list(selectors.readable_incidents(w.maritime_user))  # the user's roles, once
    with CaptureQueriesContext(connection) as ctx:
        assert len(list(selectors.readable_incidents(w.maritime_user))) == 1
    assert len(ctx) == 1
    services.hand_to_maritime(actor=w.duty_officer_b, incident_id=w.incident_b.pk)
    with CaptureQueriesContext(connection) as ctx:
        assert len(list(selectors.readable_incidents(w.maritime_user))) == 2
    assert len(ctx) == 1


def test_the_recording_users_coordinates_may_be_read_on_gcj02(intake_world):
    """The form and the API convert; the service stores what it is given (WGS-84)."""
    from command.forms import to_wgs84

    lat, lon = to_wgs84(Decimal("31.175304"), Decimal("121.531542"), "gcj02")
    assert (lat, lon) == (Decimal("31.177428"), Decimal("121.527211"))
