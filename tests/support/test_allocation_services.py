"""Allocation (调拨) services: a request for an incident, approved by the bureau of the
right level and issued from stock in the same transaction (all lines or none, never
negative, once), then delivered and received (DESIGN14 "allocation"; Linqing §二.(一))."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from notify.choices import Purpose
from notify.models import Delivery, Notification
from support.allocation import services
from support.choices import AllocationStatus, MovementKind
from support.models import AllocationRequest, StockMovement
from support.reserves.stock import InsufficientStock
from tests.support.allocation_fixtures import (
    approved,
    line,
    on_hand,
    request_data,
    stock_world,
    submitted,
)

__all__ = ["stock_world"]

pytestmark = pytest.mark.django_db


def test_a_request_for_the_flood_incident_is_a_numbered_draft_of_county_a(stock_world):
    w = stock_world
    allocation = services.create_allocation(
        actor=w.duty_officer_a,
        data=request_data(w.incident_a),
        lines=[line(w.store_a, w.sandbags, 2000), line(w.station_a, w.sandbags, "300.5")],
    )
    assert allocation.status == AllocationStatus.DRAFT
    assert allocation.jurisdiction == w.county_a
    assert allocation.requesting_organisation == w.bureau_a
    assert allocation.number.startswith("DB")
    assert [li.quantity for li in allocation.lines.order_by("pk")] == [
        Decimal("2000"),
        Decimal("300.5"),
    ]
    event = Event.objects.get(type="allocation.created")
    assert event.jurisdiction == w.county_a
    assert len(event.payload["lines"]) == 2
    assert on_hand(w.store_a, w.sandbags) == 5000  # nothing drawn before approval


def test_the_city_approves_when_a_city_warehouse_is_drawn_on(stock_world):
    w = stock_world
    allocation = services.create_allocation(
        actor=w.duty_officer_a,
        data=request_data(w.incident_a),
        lines=[line(w.store_a, w.sandbags, 100), line(w.store_city, w.sandbags, 5000)],
    )
    assert allocation.jurisdiction == w.city


def test_the_city_approves_when_both_counties_warehouses_are_mixed(stock_world):
    w = stock_world
    allocation = services.create_allocation(
        actor=w.admin_city,
        data=request_data(w.incident_a),
        lines=[line(w.store_a, w.sandbags, 100), line(w.store_b, w.sandbags, 100)],
    )
    assert allocation.jurisdiction == w.city
    services.submit_allocation(actor=w.admin_city, allocation_id=allocation.pk)
    with pytest.raises(PermissionDeniedError):
        services.approve_allocation(actor=w.approver_a, allocation_id=allocation.pk)
    services.approve_allocation(actor=w.approver_city, allocation_id=allocation.pk)
    assert on_hand(w.store_b, w.sandbags) == 3900


def test_a_county_cannot_draw_on_the_other_countys_warehouse(stock_world):
    w = stock_world
    with pytest.raises(ValidationFailed) as refused:
        services.create_allocation(
            actor=w.duty_officer_a,
            data=request_data(w.incident_a),
            lines=[line(w.store_b, w.sandbags, 100)],
        )
    assert "lines" in refused.value.errors


def test_a_request_needs_its_receiver_destination_and_lines(stock_world):
    w = stock_world
    with pytest.raises(ValidationFailed) as refused:
        services.create_allocation(
            actor=w.duty_officer_a,
            data=request_data(w.incident_a, destination="", receiver_phone="12345"),
            lines=[line(w.store_a, w.sandbags, 0)],
        )
    assert {"destination", "receiver_phone", "lines"} <= set(refused.value.errors)
    with pytest.raises(ValidationFailed):
        services.create_allocation(
            actor=w.duty_officer_a, data=request_data(w.incident_a), lines=[]
        )
    assert not AllocationRequest.objects.exists()


def test_a_risk_period_request_has_no_incident(stock_world):
    w = stock_world
    with pytest.raises(ValidationFailed):
        services.create_allocation(
            actor=w.duty_officer_a, data=request_data(None), lines=[line(w.store_a, w.sandbags, 1)]
        )
    allocation = services.create_allocation(
        actor=w.duty_officer_a,
        data=request_data(None, risk_period="2026年主汛期"),
        lines=[line(w.store_a, w.sandbags, 1)],
    )
    assert allocation.incident is None and allocation.jurisdiction == w.county_a


def test_approval_issues_every_line_from_stock_in_the_same_transaction(stock_world):
    w = stock_world
    allocation = approved(w)
    assert allocation.status == AllocationStatus.APPROVED
    assert allocation.decided_by == w.approver_a
    assert on_hand(w.store_a, w.sandbags) == 3000
    assert on_hand(w.store_a, w.jackets) == 200
    movements = StockMovement.objects.filter(allocation_line__request=allocation)
    assert sorted(m.delta for m in movements) == [Decimal("-2000"), Decimal("-100")]
    assert {m.kind for m in movements} == {MovementKind.ISSUE}
    assert all(allocation.number in m.reason for m in movements)
    event = Event.objects.get(type="allocation.approved")
    assert len(event.payload["issued"]) == 2


def test_approving_twice_issues_once(stock_world):
    w = stock_world
    allocation = approved(w)
    with pytest.raises(InvalidTransition):
        services.approve_allocation(actor=w.approver_city, allocation_id=allocation.pk)
    assert on_hand(w.store_a, w.sandbags) == 3000
    assert StockMovement.objects.filter(kind=MovementKind.ISSUE).count() == 2
    assert Event.objects.filter(type="allocation.approved").count() == 1


def test_one_short_line_refuses_the_whole_approval_and_names_it(stock_world):
    w = stock_world
    allocation = submitted(
        w, lines=[line(w.store_a, w.sandbags, 1000), line(w.store_a, w.jackets, 301)]
    )
    with pytest.raises(InsufficientStock) as refused:
        services.approve_allocation(actor=w.approver_a, allocation_id=allocation.pk)
    assert refused.value.status_code == 409
    assert "临清市防汛物资储备库" in refused.value.detail and "300" in refused.value.detail
    assert on_hand(w.store_a, w.sandbags) == 5000  # the good line was not drawn either
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.SUBMITTED
    assert not StockMovement.objects.filter(kind=MovementKind.ISSUE).exists()


def test_first_expiring_batch_goes_first(stock_world):
    import datetime

    from tests.support.allocation_fixtures import stock

    w = stock_world
    older = stock(w.store_a, w.jackets, 50, batch="OLD", expiry=datetime.date(2027, 1, 1))
    approved(w, lines=[line(w.store_a, w.jackets, 80)])
    older.refresh_from_db()
    w.jackets_a.refresh_from_db()
    assert older.quantity == 0
    assert w.jackets_a.quantity == 270


def test_a_capacity_reserve_line_draws_nothing_and_is_held_to_its_agreed_capacity(stock_world):
    w = stock_world
    allocation = approved(w, lines=[line(w.factory_a, w.sandbags, 30000)])
    assert allocation.status == AllocationStatus.APPROVED
    assert not StockMovement.objects.filter(kind=MovementKind.ISSUE).exists()
    notification = Notification.objects.get(
        purpose=Purpose.ALLOCATION_APPROVED, object_id=allocation.pk
    )
    assert "24小时内交付" in notification.body
    too_much = submitted(w, lines=[line(w.factory_a, w.sandbags, 50001)])
    with pytest.raises(services.OverCapacity):
        services.approve_allocation(actor=w.approver_a, allocation_id=too_much.pk)


def test_a_capacity_reserve_without_an_agreed_capacity_is_refused_at_request(stock_world):
    w = stock_world
    with pytest.raises(ValidationFailed):
        services.create_allocation(
            actor=w.duty_officer_a,
            data=request_data(w.incident_a),
            lines=[line(w.factory_a, w.jackets, 10)],
        )


def test_submission_tells_the_approvers_and_approval_the_keepers_and_the_requester(stock_world):
    w = stock_world
    allocation = submitted(w, lines=[line(w.station_a, w.sandbags, 100)])
    told = Notification.objects.get(purpose=Purpose.ALLOCATION_SUBMITTED, object_id=allocation.pk)
    assert told.audiences["approvers"][0]["user_id"] == w.approver_a.pk
    assert Delivery.objects.filter(notification=told, user=w.approver_a).exists()
    services.approve_allocation(actor=w.approver_a, allocation_id=allocation.pk)
    told.refresh_from_db()
    assert told.closed_at is not None
    approved_note = Notification.objects.get(
        purpose=Purpose.ALLOCATION_APPROVED, object_id=allocation.pk
    )
    keeper = approved_note.audiences["keeper"]
    assert [r["phone"] for r in keeper] == ["13905352222"]
    assert Delivery.objects.filter(
        notification=approved_note, channel="sms", address="13905352222"
    ).exists()
    assert approved_note.audiences["org_users"][0]["user_id"] == w.duty_officer_a.pk


def test_delivery_then_receipt_with_a_shortfall_noted(stock_world):
    w = stock_world
    allocation = approved(w)
    services.record_delivery(actor=w.duty_officer_a, allocation_id=allocation.pk)
    sandbag_line = allocation.lines.get(item=w.sandbags)
    allocation = services.record_receipt(
        actor=w.duty_officer_a, allocation_id=allocation.pk, received={sandbag_line.pk: "1950"}
    )
    assert allocation.status == AllocationStatus.RECEIVED
    received = {li.item_id: li.received_quantity for li in allocation.lines.all()}
    assert received == {w.sandbags.pk: Decimal("1950"), w.jackets.pk: Decimal("100")}
    assert "编织袋" in allocation.receipt_note and "50" in allocation.receipt_note
    event = Event.objects.get(type="allocation.received")
    assert event.payload["shortfall"][0]["short"] == "50.00"


def test_a_receipt_cannot_exceed_what_was_sent(stock_world):
    w = stock_world
    allocation = approved(w)
    services.record_delivery(actor=w.duty_officer_a, allocation_id=allocation.pk)
    sandbag_line = allocation.lines.get(item=w.sandbags)
    with pytest.raises(ValidationFailed):
        services.record_receipt(
            actor=w.duty_officer_a, allocation_id=allocation.pk, received={sandbag_line.pk: 2001}
        )


def test_steps_out_of_order_are_refused(stock_world):
    w = stock_world
    allocation = services.create_allocation(
        actor=w.duty_officer_a,
        data=request_data(w.incident_a),
        lines=[line(w.store_a, w.sandbags, 10)],
    )
    with pytest.raises(InvalidTransition):
        services.approve_allocation(actor=w.approver_a, allocation_id=allocation.pk)
    with pytest.raises(InvalidTransition):
        services.record_delivery(actor=w.duty_officer_a, allocation_id=allocation.pk)
    done = approved(w)
    with pytest.raises(InvalidTransition):
        services.cancel_allocation(actor=w.duty_officer_a, allocation_id=done.pk, reason="不要了")
    with pytest.raises(InvalidTransition):
        services.update_allocation(
            actor=w.duty_officer_a,
            allocation_id=done.pk,
            data=request_data(w.incident_a),
            lines=[line(w.store_a, w.sandbags, 1)],
        )


def test_a_draft_is_changed_and_its_lines_replaced(stock_world):
    w = stock_world
    allocation = services.create_allocation(
        actor=w.dispatcher_a,
        data=request_data(w.incident_a),
        lines=[line(w.store_a, w.sandbags, 10)],
    )
    services.update_allocation(
        actor=w.dispatcher_a,
        allocation_id=allocation.pk,
        data=request_data(w.incident_a, destination="临清市先锋街道"),
        lines=[line(w.store_city, w.sandbags, 500), line(w.store_a, w.jackets, 20)],
    )
    allocation.refresh_from_db()
    assert allocation.destination == "临清市先锋街道"
    assert allocation.jurisdiction == w.city
    assert allocation.lines.count() == 2
    assert Event.objects.filter(type="allocation.updated").count() == 1


def test_reject_and_cancel_need_a_reason_and_close_the_approvers_notification(stock_world):
    w = stock_world
    allocation = submitted(w)
    with pytest.raises(ValidationFailed):
        services.reject_allocation(actor=w.approver_a, allocation_id=allocation.pk, reason=" ")
    services.reject_allocation(
        actor=w.approver_a, allocation_id=allocation.pk, reason="库存另有调配"
    )
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.REJECTED
    assert allocation.decision_note == "库存另有调配"
    told = Notification.objects.get(purpose=Purpose.ALLOCATION_SUBMITTED, object_id=allocation.pk)
    assert told.closed_at is not None
    other = submitted(w)
    services.cancel_allocation(actor=w.duty_officer_a, allocation_id=other.pk, reason="险情解除")
    other.refresh_from_db()
    assert other.status == AllocationStatus.CANCELLED
    assert on_hand(w.store_a, w.sandbags) == 5000


def test_an_unknown_allocation_is_not_found(stock_world):
    with pytest.raises(NotFoundError):
        services.approve_allocation(actor=stock_world.approver_a, allocation_id=999999)


def test_every_step_is_historied(stock_world):
    w = stock_world
    allocation = approved(w)
    services.record_delivery(actor=w.duty_officer_a, allocation_id=allocation.pk)
    statuses = [h.status for h in allocation.history.order_by("history_id")]
    assert statuses == ["draft", "submitted", "approved", "delivered"]
