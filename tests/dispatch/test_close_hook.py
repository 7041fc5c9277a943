"""Closing an incident with forces still out (issue 13): the dispatch chain registers its
open work with ``command.closing``; ending it stands the orders down with a reason, tells
each force, withdraws plans awaiting a decision, and the pages show it honestly."""

from __future__ import annotations

import pytest
from django.urls import reverse

from command import closing
from command.choices import IncidentStatus
from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.models import Event
from dispatch import services
from dispatch.choices import OrderStatus, PlanStatus
from dispatch.models import CallOutOrder, DispatchAlert
from dispatch.selectors import overdue_orders
from forces.choices import ForceStatus
from notify.choices import Purpose
from notify.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db


def approved(w, forces):
    plan = f.plan(w.dispatcher_a, w.incident_a, forces, submit=True)
    return plan, services.approve_plan(actor=w.approver_a, plan_id=plan.pk)


def dispatch_work():
    (work,) = [w for w in closing.registered() if w.name == "dispatch.orders"]
    return work


def close(w, incident):
    incident.status = IncidentStatus.CLOSED
    incident.save(update_fields=["status"])


def test_open_orders_and_plans_awaiting_approval_are_listed_as_open_work(incident_world):
    w = incident_world
    _plan, (order,) = approved(w, [w.force_a])
    services.acknowledge_order(actor=w.force_account_a, order_id=order.pk)
    waiting = f.plan(w.dispatcher_a, w.incident_a, [w.force_power_a], submit=True)
    f.plan(w.dispatcher_a, w.incident_a, [w.force_power_a])  # a draft never blocks

    lines = closing.open_work(w.incident_a)

    assert any(order.number in line and "临清市水利抢险队" in line for line in lines)
    assert any(f"#{waiting.pk}" in line for line in lines)
    assert len(dispatch_work().describe(w.incident_a)) == 2
    # Another county's incident has none.
    assert dispatch_work().describe(w.incident_b) == []


def test_a_completed_order_is_not_open_work(incident_world):
    w = incident_world
    _plan, (order,) = approved(w, [w.force_a])
    for step in ("acknowledge", "depart", "arrive", "complete"):
        services.advance_order(actor=w.force_account_a, order_id=order.pk, action=step)
    assert dispatch_work().describe(w.incident_a) == []


def test_ending_stands_orders_down_with_reason_and_releases_the_force(incident_world):
    w = incident_world
    _plan, (order,) = approved(w, [w.force_a])
    waiting = f.plan(w.dispatcher_a, w.incident_a, [w.force_power_a], submit=True)
    w.force_a.refresh_from_db()
    assert w.force_a.status == ForceStatus.DEPLOYED

    ended = dispatch_work().end(w.incident_a, w.duty_officer_a, "险情解除，统一收队")

    assert ended == 2
    order.refresh_from_db()
    assert order.status == OrderStatus.ENDED
    assert order.end_reason == "险情解除，统一收队"
    assert order.ended_by == w.duty_officer_a and order.ended_at is not None
    waiting.refresh_from_db()
    assert waiting.status == PlanStatus.WITHDRAWN
    w.force_a.refresh_from_db()
    assert w.force_a.status == ForceStatus.STANDBY
    types = list(
        Event.objects.filter(type__in=["order.ended", "plan.withdrawn"]).values_list(
            "type", "payload__reason"
        )
    )
    assert sorted(types) == [
        ("order.ended", "险情解除，统一收队"),
        ("plan.withdrawn", "险情解除，统一收队"),
    ]
    assert dispatch_work().describe(w.incident_a) == []


def test_the_force_is_told_once_and_the_order_chase_stops(incident_world):
    w = incident_world
    _plan, (order,) = approved(w, [w.force_a])
    chase = Notification.objects.get(purpose=Purpose.ORDER, object_id=order.pk)
    assert chase.is_open

    services.end_orders(actor=w.duty_officer_a, incident=w.incident_a, reason="误报，收队")

    chase.refresh_from_db()
    assert not chase.is_open
    told = Notification.objects.get(purpose=Purpose.ORDER_ENDED, object_id=order.pk)
    assert "收队" in told.body and order.number in told.body and "误报" in told.body
    channels = set(told.deliveries.values_list("channel", flat=True))
    assert channels == {"in_app", "sms"}  # the force account in-app; duty phone, leader SMS


def test_a_force_still_out_on_another_incident_stays_deployed(incident_world):
    w = incident_world
    approved(w, [w.force_a])
    other = f.incident(w.duty_officer_a, title="另一处险情", jurisdiction=w.county_a)
    plan = services.draft_plan(
        actor=w.dispatcher_a,
        incident_id=other.pk,
        task="增援",
        reason="同一队伍",
        lines=[services.LineInput(force_id=w.force_a.pk, people=3)],
        allow_deployed=True,
    )
    services.submit_plan(actor=w.dispatcher_a, plan_id=plan.pk)
    services.approve_plan(actor=w.approver_a, plan_id=plan.pk)

    services.end_orders(actor=w.duty_officer_a, incident=w.incident_a, reason="收队")

    w.force_a.refresh_from_db()
    assert w.force_a.status == ForceStatus.DEPLOYED


def test_ending_needs_a_reason_and_a_closer_in_the_jurisdiction(incident_world):
    w = incident_world
    _plan, (order,) = approved(w, [w.force_a])
    with pytest.raises(ValidationFailed) as exc:
        services.end_orders(actor=w.duty_officer_a, incident=w.incident_a, reason="  ")
    assert exc.value.code == "reason_required"
    with pytest.raises(PermissionDeniedError):
        services.end_orders(actor=w.approver_a, incident=w.incident_a, reason="收队")
    with pytest.raises(PermissionDeniedError):
        services.end_orders(actor=w.force_account_a, incident=w.incident_a, reason="收队")
    with pytest.raises(NotFoundError):
        services.end_orders(actor=w.duty_officer_b, incident=w.incident_a, reason="收队")
    # The fire brigade's dispatcher and the city's administrator may.
    assert services.end_orders(actor=w.dispatcher_a, incident=w.incident_a, reason="收队") == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.ENDED


def test_an_ended_order_takes_no_more_steps_and_is_never_overdue(incident_world):
    w = incident_world
    _plan, (order,) = approved(w, [w.force_a])
    CallOutOrder.objects.filter(pk=order.pk).update(
        ack_deadline=order.issued_at, arrival_deadline=order.issued_at
    )
    from django.utils import timezone

    services.mark_overdue(now=timezone.now())
    assert DispatchAlert.objects.filter(order=order, resolved_at__isnull=True).exists()

    services.end_orders(actor=w.duty_officer_a, incident=w.incident_a, reason="收队")

    assert not DispatchAlert.objects.filter(order=order, resolved_at__isnull=True).exists()
    assert not overdue_orders(CallOutOrder.objects.filter(pk=order.pk), timezone.now()).exists()
    assert services.mark_overdue(now=timezone.now()) == []
    from core.exceptions import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.acknowledge_order(actor=w.force_account_a, order_id=order.pk)


def test_order_pages_and_the_dashboard_show_stood_down_orders(incident_world, client):
    w = incident_world
    _plan, (order,) = approved(w, [w.force_a])
    waiting = f.plan(w.dispatcher_a, w.incident_a, [w.force_power_a], submit=True)
    services.end_orders(actor=w.duty_officer_a, incident=w.incident_a, reason="险情解除收队")
    close(w, w.incident_a)

    client.force_login(w.dispatcher_a)
    detail = client.get(reverse("dispatch:order_detail", args=[order.pk])).content.decode()
    assert 'id="order-ended"' in detail and "险情解除收队" in detail
    listing = client.get(reverse("dispatch:order_list")).content.decode()
    assert 'data-status="ended"' in listing and "险情解除收队" in listing
    plan_page = client.get(waiting.get_absolute_url()).content.decode()
    assert "plan-status-withdrawn" in plan_page and "险情解除收队" in plan_page

    client.force_login(w.duty_officer_a)
    dashboard = client.get(reverse("hall:dashboard")).content.decode()
    # Not counted as open, not gone: a stood-down line of its own.
    assert 'id="orders-stood-down"' in dashboard and order.number in dashboard
    assert 'data-status="ended" data-value="1"' in dashboard
    assert f'class="order-row" data-id="{order.pk}"' not in dashboard


def test_the_timeline_says_who_was_stood_down_and_why(incident_world):
    from django.utils import translation

    from dispatch.selectors import incident_timeline

    w = incident_world
    _plan, (order,) = approved(w, [w.force_a])
    services.end_orders(actor=w.duty_officer_a, incident=w.incident_a, reason="险情解除")
    with translation.override("en"):
        texts = [e.text for e in incident_timeline(w.incident_a)]
    assert f"临清市水利抢险队 stood down (order {order.number}): 险情解除" in texts
