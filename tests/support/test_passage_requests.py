"""Passage requests (Liaocheng §四.2 交通运输保障): the bureau or the fire brigade asks the
traffic police or the transport bureau for traffic control or an emergency channel; the
addressee is told by SMS and chased until it acknowledges; it answers (or the bureau for
it); the requester withdraws or lifts it. Every step one event; the permission matrix
per role of county A, county B and the city."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from notify import services as notify_services
from notify.choices import InboundCode, Purpose
from notify.models import Delivery, Notification, SimulatedMessage
from support.choices import PassageStatus
from support.passage import services
from tests.support import passage_fixtures
from tests.support.passage_fixtures import make_request, request_data

pytestmark = pytest.mark.django_db
passage_world = passage_fixtures.passage_world

START = timezone.now().replace(microsecond=0) + timedelta(days=1)


def at(minutes: float):
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def _sms(request):
    note = Notification.objects.get(purpose=Purpose.PASSAGE_REQUEST, object_id=request.pk)
    return Delivery.objects.get(notification=note, channel="sms").address, note


def test_a_request_is_numbered_recorded_and_sent_to_the_traffic_police_duty_phone(passage_world):
    w = passage_world
    request = make_request(w)
    assert request.status == PassageStatus.SENT
    assert request.number == f"JT371581-{request.pk:06d}"
    assert request.jurisdiction == w.county_a
    event = Event.objects.get(type="passage.requested")
    assert event.organisation_id == w.police_a.pk and event.actor_id == w.duty_officer_a.pk
    phone, note = _sms(request)
    assert phone == "0635-2341122"
    assert note.title == "临清市交通管制请求"
    assert "G308线先锋桥至松林段" in note.body
    in_app = Delivery.objects.filter(notification=note, channel="in_app")
    assert set(in_app.values_list("user_id", flat=True)) == {w.police_editor_a.pk}


def test_an_sms_reply_from_the_duty_phone_acknowledges_the_request(passage_world):
    w = passage_world
    with at(0):
        request = make_request(w)
        notify_services.send_pending()
    phone, note = _sms(request)
    with at(3):
        outcome = notify_services.receive_reply(phone=phone, body=f"{note.reply_code} 收到")
    assert outcome.code == InboundCode.ACKNOWLEDGED
    assert outcome.answer.startswith("已签收临清市交通管制请求")
    event = Event.objects.get(type="passage.acknowledged")
    assert event.actor_id is None and event.payload["channel"] == "sms"
    note.refresh_from_db()
    assert note.acknowledged_at == START + timedelta(minutes=3)
    again = notify_services.receive_reply(phone=phone, body=note.reply_code)
    assert again.code == InboundCode.ALREADY


def test_a_silent_addressee_is_sent_again_called_and_the_duty_officer_raised(passage_world):
    w = passage_world
    with at(0):
        request = make_request(w)
        notify_services.send_pending()
    phone, _note = _sms(request)
    with at(10.5):
        notify_services.tick()
    assert SimulatedMessage.objects.filter(channel="sms", to=phone).count() == 2
    with at(20.5):
        notify_services.tick()
    assert SimulatedMessage.objects.filter(channel="voice", to=phone).count() == 1


def test_an_answer_ends_the_chase(passage_world):
    w = passage_world
    with at(0):
        request = make_request(w)
        notify_services.send_pending()
    phone, note = _sms(request)
    with at(5):
        services.answer_passage(
            actor=w.police_editor_a, request_id=request.pk, accepted=True, answer="已派警力管制"
        )
    note.refresh_from_db()
    assert note.acknowledged_at is not None
    with at(10.5):
        notify_services.tick()
    assert SimulatedMessage.objects.filter(channel="sms", to=phone).count() == 1


def test_the_addressee_accepts_and_the_requester_lifts(passage_world):
    w = passage_world
    request = make_request(w)
    services.answer_passage(
        actor=w.police_editor_a, request_id=request.pk, accepted=True, answer="已设卡管制"
    )
    request.refresh_from_db()
    assert request.status == PassageStatus.ACCEPTED
    assert request.answered_by == w.police_editor_a and request.answer == "已设卡管制"
    services.lift_passage(actor=w.duty_officer_a, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == PassageStatus.LIFTED and request.lifted_at is not None
    assert list(
        Event.objects.filter(type__startswith="passage.")
        .order_by("seq")
        .values_list("type", flat=True)
    ) == ["passage.requested", "passage.accepted", "passage.lifted"]


def test_a_decline_needs_a_reason(passage_world):
    w = passage_world
    request = make_request(w)
    with pytest.raises(ValidationFailed) as refused:
        services.answer_passage(
            actor=w.police_editor_a, request_id=request.pk, accepted=False, answer=""
        )
    assert "answer" in refused.value.errors
    services.answer_passage(
        actor=w.police_editor_a, request_id=request.pk, accepted=False, answer="路段已封闭"
    )
    request.refresh_from_db()
    assert request.status == PassageStatus.DECLINED


def test_an_answered_request_cannot_be_answered_again_or_withdrawn(passage_world):
    w = passage_world
    request = make_request(w)
    services.answer_passage(
        actor=w.police_editor_a, request_id=request.pk, accepted=True, answer=""
    )
    with pytest.raises(InvalidTransition):
        services.answer_passage(
            actor=w.police_editor_a, request_id=request.pk, accepted=False, answer="x"
        )
    with pytest.raises(InvalidTransition):
        services.withdraw_passage(actor=w.duty_officer_a, request_id=request.pk)
    with pytest.raises(InvalidTransition):
        services.acknowledge_passage(actor=w.police_editor_a, request_id=request.pk)


def test_a_withdrawn_request_stops_the_chase(passage_world):
    w = passage_world
    with at(0):
        request = make_request(w)
        notify_services.send_pending()
    phone, note = _sms(request)
    with at(2):
        services.withdraw_passage(actor=w.duty_officer_a, request_id=request.pk, reason="险情解除")
    note.refresh_from_db()
    assert note.closed_at is not None
    with at(10.5):
        notify_services.tick()
    assert SimulatedMessage.objects.filter(channel="sms", to=phone).count() == 1
    assert Event.objects.get(type="passage.withdrawn").payload["reason"] == "险情解除"


def test_the_bureau_records_the_answer_on_the_addressee_behalf(passage_world):
    w = passage_world
    request = make_request(w, actor=w.dispatcher_a)
    services.answer_passage(
        actor=w.duty_officer_a, request_id=request.pk, accepted=True, answer="电话确认已管制"
    )
    event = Event.objects.get(type="passage.accepted")
    assert event.payload["on_behalf"] is True
    note = Notification.objects.get(purpose=Purpose.PASSAGE_REQUEST, object_id=request.pk)
    assert note.acknowledged_label.startswith("值班员代答")


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("duty_officer_a", "ok"),
        ("approver_a", "ok"),
        ("dispatcher_a", "ok"),
        ("admin_a", "ok"),
        ("approver_city", "ok"),
        ("dispatcher_city", "ok"),
        ("editor_a", PermissionDeniedError),
        ("force_account_a", PermissionDeniedError),
        ("screen_a", PermissionDeniedError),
        ("police_editor_a", PermissionDeniedError),
        ("duty_officer_b", NotFoundError),
        ("dispatcher_b", NotFoundError),
    ],
)
def test_who_may_request_passage(passage_world, persona, outcome):
    w = passage_world
    actor = getattr(w, persona)
    if outcome == "ok":
        assert make_request(w, actor=actor).status == PassageStatus.SENT
    else:
        with pytest.raises(outcome):
            make_request(w, actor=actor)
        assert not Event.objects.filter(type="passage.requested").exists()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("police_editor_a", True),
        ("duty_officer_a", True),
        ("approver_city", True),
        ("transport_editor_a", False),
        ("editor_a", False),
        ("dispatcher_a", False),
        ("duty_officer_b", False),
        ("force_account_a", False),
    ],
)
def test_who_may_answer_a_request(passage_world, persona, allowed):
    w = passage_world
    request = make_request(w)
    actor = getattr(w, persona)
    if allowed:
        services.answer_passage(actor=actor, request_id=request.pk, accepted=True, answer="")
        request.refresh_from_db()
        assert request.status == PassageStatus.ACCEPTED
    else:
        with pytest.raises(PermissionDeniedError):
            services.answer_passage(actor=actor, request_id=request.pk, accepted=True, answer="")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("duty_officer_a", True),
        ("dispatcher_a", True),
        ("approver_city", True),
        ("police_editor_a", False),
        ("duty_officer_b", False),
        ("editor_a", False),
    ],
)
def test_who_may_withdraw_a_request(passage_world, persona, allowed):
    w = passage_world
    request = make_request(w)
    actor = getattr(w, persona)
    if allowed:
        services.withdraw_passage(actor=actor, request_id=request.pk)
    else:
        with pytest.raises(PermissionDeniedError):
            services.withdraw_passage(actor=actor, request_id=request.pk)


def test_the_addressee_may_lift_what_it_put_in_force_but_county_b_may_not(passage_world):
    w = passage_world
    request = make_request(w)
    services.answer_passage(
        actor=w.police_editor_a, request_id=request.pk, accepted=True, answer=""
    )
    with pytest.raises(PermissionDeniedError):
        services.lift_passage(actor=w.duty_officer_b, request_id=request.pk)
    services.lift_passage(actor=w.police_editor_a, request_id=request.pk)


def test_a_request_goes_only_to_police_or_transport_of_the_incident_area(passage_world):
    w = passage_world
    for addressee in (w.water_a, w.police_b):
        with pytest.raises(ValidationFailed) as refused:
            make_request(w, addressee=addressee.pk)
        assert "addressee" in refused.value.errors
    assert make_request(w, addressee=w.transport_a.pk).addressee == w.transport_a


def test_a_request_needs_its_fields_and_an_end_after_its_start(passage_world):
    w = passage_world
    with pytest.raises(ValidationFailed) as refused:
        services.request_passage(
            actor=w.duty_officer_a,
            incident_id=w.incident_a.pk,
            data=request_data(w, area="", reason=""),
        )
    assert {"area", "reason"} <= set(refused.value.errors)
    with pytest.raises(ValidationFailed) as refused:
        make_request(w, ends_at=timezone.now() - timedelta(hours=1))
    assert "ends_at" in refused.value.errors
    with pytest.raises(ValidationFailed):
        make_request(w, kind="parade")


def test_no_request_for_a_closed_incident(passage_world):
    w = passage_world
    from command.models import Incident

    Incident.objects.filter(pk=w.incident_a.pk).update(status="closed")
    with pytest.raises(InvalidTransition):
        make_request(w)


def test_a_request_is_acknowledged_once_whatever_the_path(passage_world):
    w = passage_world
    with at(0):
        request = make_request(w)
        notify_services.send_pending()
    phone, note = _sms(request)
    with at(1):
        services.acknowledge_passage(actor=w.police_editor_a, request_id=request.pk)
    with pytest.raises(InvalidTransition):
        services.acknowledge_passage(actor=w.duty_officer_a, request_id=request.pk)
    again = notify_services.receive_reply(phone=phone, body=note.reply_code)
    assert again.code == InboundCode.ALREADY
    assert Event.objects.filter(type="passage.acknowledged").count() == 1
    # Acknowledged is not answered: the addressee still answers.
    services.answer_passage(
        actor=w.police_editor_a, request_id=request.pk, accepted=True, answer=""
    )
