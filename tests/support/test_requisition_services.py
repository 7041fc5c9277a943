"""Requisition services: who may call up equipment for an incident, the owner told by
SMS, hand-over and return recorded with their condition, cancellation, events."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.events import Event
from core.exceptions import InvalidTransition, PermissionDeniedError, ValidationFailed
from notify.choices import Purpose
from notify.models import Delivery, Notification
from support.choices import RequisitionStatus
from support.events import RequisitionEvent
from support.models import Requisition
from support.requisition import services
from tests.support.requisition_fixtures import (  # noqa: F401
    make_requisition,
    requisition_data,
    requisition_world_fixture,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("duty_officer_a", True),
        ("approver_a", True),
        ("admin_a", True),
        ("dispatcher_a", True),
        ("admin_city", True),
        ("dispatcher_city", True),
        ("duty_officer_b", False),
        ("dispatcher_b", False),
        ("editor_a", False),
        ("force_account_a", False),
        ("screen_a", False),
        ("sync_client", False),
        ("editor_builder_a", False),
    ],
)
def test_only_the_bureau_or_fire_brigade_of_the_incident_may_requisition(
    requisition_world, persona, allowed
):
    w = requisition_world
    actor = getattr(w, persona)
    if allowed:
        req = make_requisition(w, actor=actor)
        assert req.status == RequisitionStatus.REQUESTED
        assert req.jurisdiction == w.county_a
    else:
        with pytest.raises(PermissionDeniedError):
            make_requisition(w, actor=actor)
        assert not Requisition.objects.exists()


def test_the_owner_is_told_by_sms_and_in_the_app_and_an_event_is_recorded(requisition_world):
    w = requisition_world
    req = make_requisition(w)
    assert req.number.startswith("ZY-")
    assert req.owner_name == "临清市宏达建筑工程有限公司"
    notification = Notification.objects.get(purpose=Purpose.REQUISITION, object_id=req.pk)
    assert "履带式挖掘机" in notification.body and req.number in notification.body
    deliveries = Delivery.objects.filter(notification=notification)
    assert deliveries.filter(channel="sms", address="13963501234").exists()
    assert deliveries.filter(channel="in_app", user=w.editor_builder_a).exists()
    event = Event.objects.get(type=RequisitionEvent.REQUESTED)
    assert event.organisation_id == w.builder_a.pk
    assert event.payload["number"] == req.number


def test_a_private_owner_is_reached_on_their_own_phone(requisition_world):
    w = requisition_world
    req = make_requisition(
        w, owner_organisation=None, owner_name="李师傅", owner_phone="13805359999"
    )
    assert req.owner_organisation is None
    delivery = Delivery.objects.get(notification__object_id=req.pk, channel="sms")
    assert delivery.address == "13805359999"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", ""),
        ("owner_phone", "phone-x"),
        ("purpose", " "),
        ("quantity", 0),
    ],
)
def test_an_incomplete_requisition_is_refused_with_the_field_named(requisition_world, field, value):
    w = requisition_world
    with pytest.raises(ValidationFailed) as caught:
        make_requisition(w, **{field: value})
    assert field in caught.value.errors


def test_the_period_must_end_after_it_starts(requisition_world):
    w = requisition_world
    now = timezone.now()
    with pytest.raises(ValidationFailed) as caught:
        make_requisition(w, needed_from=now, needed_until=now - datetime.timedelta(hours=1))
    assert "needed_until" in caught.value.errors


def test_no_requisition_for_a_closed_incident(requisition_world):
    w = requisition_world
    w.incident_a.status = "closed"
    w.incident_a.save(update_fields=["status"])
    with pytest.raises(InvalidTransition):
        make_requisition(w)


def test_hand_over_then_return_records_condition_damage_and_who(requisition_world):
    w = requisition_world
    req = make_requisition(w)
    handed = services.record_handover(
        actor=w.editor_builder_a, requisition_id=req.pk, at=None, condition="完好"
    )
    assert handed.status == RequisitionStatus.HANDED_OVER
    assert handed.handover_recorded_by == w.editor_builder_a
    notification = Notification.objects.get(purpose=Purpose.REQUISITION, object_id=req.pk)
    assert notification.closed_at is not None
    returned = services.record_return(
        actor=w.dispatcher_a,
        requisition_id=req.pk,
        at=timezone.now(),
        condition="斗齿磨损",
        damage="液压管破裂一处",
    )
    assert returned.status == RequisitionStatus.RETURNED
    assert returned.damage == "液压管破裂一处"
    assert returned.return_recorded_by == w.dispatcher_a
    types = list(Event.objects.order_by("seq").values_list("type", flat=True))
    assert types[-3:] == [
        RequisitionEvent.REQUESTED,
        RequisitionEvent.HANDED_OVER,
        RequisitionEvent.RETURNED,
    ]
    assert returned.history.count() == 3


def test_a_return_needs_a_hand_over_first_and_cannot_be_recorded_twice(requisition_world):
    w = requisition_world
    req = make_requisition(w)
    with pytest.raises(InvalidTransition):
        services.record_return(actor=w.duty_officer_a, requisition_id=req.pk, condition="好")
    services.record_handover(actor=w.duty_officer_a, requisition_id=req.pk, condition="好")
    with pytest.raises(InvalidTransition):
        services.record_handover(actor=w.duty_officer_a, requisition_id=req.pk, condition="好")


def test_hand_over_needs_its_condition_and_no_future_moment(requisition_world):
    w = requisition_world
    req = make_requisition(w)
    with pytest.raises(ValidationFailed):
        services.record_handover(actor=w.duty_officer_a, requisition_id=req.pk, condition=" ")
    with pytest.raises(ValidationFailed):
        services.record_handover(
            actor=w.duty_officer_a,
            requisition_id=req.pk,
            at=timezone.now() + datetime.timedelta(days=1),
            condition="好",
        )


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("duty_officer_a", True),
        ("dispatcher_a", True),
        ("editor_builder_a", True),
        ("admin_city", True),
        ("duty_officer_b", False),
        ("editor_a", False),
        ("force_account_a", False),
        ("screen_a", False),
    ],
)
def test_who_may_record_the_hand_over(requisition_world, persona, allowed):
    w = requisition_world
    req = make_requisition(w)
    actor = getattr(w, persona)
    if allowed:
        services.record_handover(actor=actor, requisition_id=req.pk, condition="完好")
    else:
        with pytest.raises(PermissionDeniedError):
            services.record_handover(actor=actor, requisition_id=req.pk, condition="完好")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("duty_officer_a", True),
        ("dispatcher_a", True),
        ("approver_city", True),
        ("editor_builder_a", False),
        ("duty_officer_b", False),
    ],
)
def test_who_may_cancel_a_requisition(requisition_world, persona, allowed):
    w = requisition_world
    req = make_requisition(w)
    actor = getattr(w, persona)
    if allowed:
        cancelled = services.cancel_requisition(
            actor=actor, requisition_id=req.pk, reason="险情已排除"
        )
        assert cancelled.status == RequisitionStatus.CANCELLED
        assert Notification.objects.get(object_id=req.pk).closed_at is not None
    else:
        with pytest.raises(PermissionDeniedError):
            services.cancel_requisition(actor=actor, requisition_id=req.pk, reason="险情已排除")


def test_cancelling_needs_a_reason_and_is_refused_after_hand_over(requisition_world):
    w = requisition_world
    req = make_requisition(w)
    with pytest.raises(ValidationFailed):
        services.cancel_requisition(actor=w.duty_officer_a, requisition_id=req.pk, reason="")
    services.record_handover(actor=w.duty_officer_a, requisition_id=req.pk, condition="完好")
    with pytest.raises(InvalidTransition):
        services.cancel_requisition(actor=w.duty_officer_a, requisition_id=req.pk, reason="不用")


def test_requisition_data_helper_names_the_excavator(requisition_world):
    assert requisition_data(requisition_world)["description"] == "履带式挖掘机"
