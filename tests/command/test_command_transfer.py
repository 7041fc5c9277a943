"""Command passes brigade → on-site HQ → special HQ (Liaocheng §三.一.3, Zhoushan §三.1):
each hand-over is a recorded, timestamped step, told to the forces out on the incident."""

from __future__ import annotations

import pytest

from command.choices import CommandAuthority as A
from command.command_transfers import transfer_command, transfers_of
from command.events import IncidentEvent
from command.models import CommandTransfer
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from dispatch import services as dispatch_services
from notify.choices import Purpose
from notify.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db


def _hand(actor, incident, authority, commander, **extra):
    return transfer_command(
        actor=actor,
        incident_id=incident.pk,
        to_authority=authority,
        to_commander=commander,
        **extra,
    )


def test_command_passes_brigade_to_onsite_hq_to_special_hq_each_step_on_the_timeline(
    incident_world,
):
    w = incident_world
    incident = w.incident_a
    assert incident.command_authority == A.FIRE_BRIGADE

    _hand(w.dispatcher_a, incident, A.ONSITE_HQ, "李副市长", to_organisation=w.bureau_a)
    _hand(w.duty_officer_a, incident, A.SPECIAL_HQ, "王市长", note="启动防汛专项应急预案")

    incident.refresh_from_db()
    assert (incident.command_authority, incident.commander) == (A.SPECIAL_HQ, "王市长")
    steps = transfers_of(incident)
    assert [(s.from_authority, s.to_authority) for s in steps] == [
        (A.FIRE_BRIGADE, A.ONSITE_HQ),
        (A.ONSITE_HQ, A.SPECIAL_HQ),
    ]
    assert steps[1].from_commander == "李副市长"
    assert steps[0].recorded_by == w.dispatcher_a
    assert steps[0].transferred_at <= steps[1].transferred_at
    events = Event.objects.filter(type=IncidentEvent.COMMAND_TRANSFERRED).order_by("seq")
    assert [e.payload["to_authority"] for e in events] == [A.ONSITE_HQ, A.SPECIAL_HQ]
    assert events[1].payload["from_commander"] == "李副市长"


def test_a_special_plan_activated_at_once_hands_command_straight_to_the_special_hq(
    incident_world,
):
    w = incident_world
    _hand(w.approver_a, w.incident_a, A.SPECIAL_HQ, "王市长")
    w.incident_a.refresh_from_db()
    assert w.incident_a.command_authority == A.SPECIAL_HQ


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("duty_officer_a", None),
        ("approver_a", None),
        ("dispatcher_a", None),
        ("admin_a", None),
        ("admin_city", None),
        ("approver_city", None),
        ("dispatcher_city", None),
        ("editor_a", PermissionDeniedError),
        ("force_account_a", PermissionDeniedError),
        ("screen_a", PermissionDeniedError),
        ("sync_client", PermissionDeniedError),
        ("duty_officer_b", NotFoundError),
        ("dispatcher_b", NotFoundError),
        ("approver_b", NotFoundError),
    ],
)
def test_who_may_hand_command_over_forward(incident_world, persona, outcome):
    w = incident_world
    actor = getattr(w, persona)
    if outcome is None:
        transfer = _hand(actor, w.incident_a, A.ONSITE_HQ, "李副市长")
        assert transfer.recorded_by == actor
    else:
        with pytest.raises(outcome):
            _hand(actor, w.incident_a, A.ONSITE_HQ, "李副市长")
        assert not CommandTransfer.objects.exists()


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("duty_officer_a", None),
        ("approver_a", None),
        ("admin_a", None),
        ("admin_city", None),
        ("dispatcher_a", PermissionDeniedError),
        ("dispatcher_city", PermissionDeniedError),
        ("duty_officer_b", NotFoundError),
    ],
)
def test_only_the_bureau_hands_command_back_when_the_special_hq_stands_down(
    incident_world, persona, outcome
):
    w = incident_world
    _hand(w.duty_officer_a, w.incident_a, A.SPECIAL_HQ, "王市长")
    actor = getattr(w, persona)
    if outcome is None:
        _hand(actor, w.incident_a, A.ONSITE_HQ, "李副市长", note="防汛专项应急预案终止")
        w.incident_a.refresh_from_db()
        assert w.incident_a.command_authority == A.ONSITE_HQ
        event = Event.objects.filter(type=IncidentEvent.COMMAND_TRANSFERRED).latest("seq")
        assert event.payload["back"] is True
    else:
        with pytest.raises(outcome):
            _hand(actor, w.incident_a, A.ONSITE_HQ, "李副市长", note="防汛专项应急预案终止")
        assert CommandTransfer.objects.count() == 1


def test_handing_command_back_needs_a_reason(incident_world):
    w = incident_world
    _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, "李副市长")
    with pytest.raises(ValidationFailed) as raised:
        _hand(w.duty_officer_a, w.incident_a, A.FIRE_BRIGADE, "赵队长", note="  ")
    assert "note" in raised.value.errors
    w.incident_a.refresh_from_db()
    assert w.incident_a.command_authority == A.ONSITE_HQ


def test_a_new_commander_of_the_same_hq_is_a_hand_over_but_the_same_one_is_refused(
    incident_world,
):
    w = incident_world
    _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, "李副市长")
    _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, "张副市长")
    with pytest.raises(InvalidTransition) as raised:
        _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, "张副市长")
    assert raised.value.code == "already_commands"
    assert CommandTransfer.objects.count() == 2


def test_a_hand_over_names_who_takes_command_and_a_known_authority(incident_world):
    w = incident_world
    with pytest.raises(ValidationFailed) as raised:
        _hand(w.duty_officer_a, w.incident_a, "mayor", " ")
    assert set(raised.value.errors) == {"to_authority", "to_commander"}


def test_the_commanding_organisation_must_be_of_the_incidents_area(incident_world):
    w = incident_world
    with pytest.raises(ValidationFailed) as raised:
        _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, "李副市长", to_organisation=w.bureau_b)
    assert "to_organisation" in raised.value.errors
    # The city's bureau above the county may lead the HQ.
    _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, "李副市长", to_organisation=w.city_bureau)


def test_a_closed_incident_keeps_its_last_commander(incident_world):
    from command import services as command_services

    w = incident_world
    command_services.close_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    with pytest.raises(InvalidTransition):
        _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, "李副市长")


def test_the_forces_out_on_the_incident_and_the_centre_are_told(incident_world):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    dispatch_services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    transfer = _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, "李副市长")

    notification = Notification.objects.get(purpose=Purpose.COMMAND_TRANSFERRED)
    assert notification.object_id == transfer.pk
    reached = {r["user_id"] for rows in notification.audiences.values() for r in rows}
    assert w.force_account_a.pk in reached  # the water force's account (open order)
    assert w.duty_officer_a.pk in reached
    assert w.dispatcher_a.pk in reached
    assert w.force_account_b.pk not in reached
    assert w.force_account_power_a.pk not in reached  # no order for the power company
    assert "现场指挥部" in notification.body and "李副市长" in notification.body


def test_each_hand_over_is_its_own_notification(incident_world):
    w = incident_world
    _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, "李副市长")
    _hand(w.duty_officer_a, w.incident_a, A.SPECIAL_HQ, "王市长")
    assert Notification.objects.filter(purpose=Purpose.COMMAND_TRANSFERRED).count() == 2


def test_reading_the_steps_takes_one_query_however_many(incident_world, django_assert_num_queries):
    w = incident_world
    for name in ("甲", "乙", "丙", "丁"):
        _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, name, to_organisation=w.bureau_a)
    with django_assert_num_queries(1):
        steps = transfers_of(w.incident_a)
        names = [(s.to_organisation.name, str(s.recorded_by)) for s in steps]
    assert len(names) == 4


def test_the_hand_over_reaches_the_forces_by_sms_and_the_centre_in_app(incident_world):
    from notify.models import Delivery

    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    dispatch_services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    w.force_account_a.phone = "13812340001"
    w.force_account_a.save(update_fields=["phone"])
    _hand(w.duty_officer_a, w.incident_a, A.ONSITE_HQ, "李副市长")
    deliveries = Delivery.objects.filter(notification__purpose=Purpose.COMMAND_TRANSFERRED)
    channels = {(d.audience, d.channel) for d in deliveries}
    assert ("force_account", "sms") in channels
    assert ("force_account", "in_app") in channels
    assert ("duty_officers", "in_app") in channels
