"""Orders and notices: the force's steps, delivery, and the overdue sweep (Zhoushan §三.2:
feedback on scene and on completion, result within 24 h)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import record_event
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import User
from dispatch import notifications
from dispatch.choices import (
    ORDER_STEPS,
    AlertKind,
    NoticeStatus,
    OrderStatus,
)
from dispatch.events import DispatchEvent, order_step_event
from dispatch.models import (
    CallOutOrder,
    DispatchAlert,
    Notice,
)
from dispatch.permissions import may_consent_for, may_step
from dispatch.policies import deadlines_for
from dispatch.selectors import overdue_orders, overdue_steps
from forces.choices import ForceStatus
from forces.models import Force
from forces.services import set_force_status
from notify.types import Responder

OPEN_ORDER_STATUSES = (
    OrderStatus.ISSUED,
    OrderStatus.ACKNOWLEDGED,
    OrderStatus.DEPARTED,
    OrderStatus.ARRIVED,
)


def _order_payload(order: CallOutOrder, **extra: Any) -> dict[str, Any]:
    return {
        "order_id": order.pk,
        "number": order.number,
        "plan_id": order.plan_id,
        "force_id": order.force_id,
        "force": str(order.force),
        "status": order.status,
        **extra,
    }


@transaction.atomic
def advance_order(
    *,
    actor: User | None,
    order_id: int,
    action: str,
    result: str = "",
    people_rescued: int | None = None,
    responder: Responder | None = None,
) -> CallOutOrder:
    """One step of an order: acknowledge, depart, arrive, complete, result (Zhoushan §三.2:
    on-scene and completion feedback, result within 24 h). The force account acts for its
    force; a dispatcher of the plan's brigade may act on its behalf, recorded as such.

    Without an actor, ``responder`` is who acknowledged through a channel (an SMS reply,
    a one-time link, a voice key), verified by notify before it calls here: such an
    answer only acknowledges."""
    order = (
        CallOutOrder.objects.select_for_update(of=("self",))
        .select_related("force__organisation", "plan__jurisdiction", "plan__incident__jurisdiction")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFoundError(_("No such order."))
    if actor is None:
        if responder is None or action != "acknowledge":
            raise PermissionDeniedError(_("A channel's answer only acknowledges an order."))
        on_behalf = False
    else:
        may, on_behalf = may_step(actor, order)
        if not may:
            if not CallOutOrder.objects.visible_to(actor).filter(pk=order_id).exists():
                raise NotFoundError(_("No such order."))
            raise PermissionDeniedError(
                _("Only the force or the dispatching brigade steps orders.")
            )
    if action not in ORDER_STEPS:
        raise ValidationFailed(_("Unknown step %(step)r.") % {"step": action}, code="unknown_step")
    required, target = ORDER_STEPS[action]
    if order.status != required:
        raise InvalidTransition(
            _("This step does not follow from the order's status (%(status)s).")
            % {"status": order.get_status_display()},
            code="invalid_step",
        )
    now = timezone.now()
    fields = ["status", "last_step_by", "last_step_on_behalf"]
    stamp = {
        "acknowledge": "acknowledged_at",
        "depart": "departed_at",
        "arrive": "arrived_at",
        "complete": "completed_at",
        "result": "reported_at",
    }[action]
    setattr(order, stamp, now)
    fields.append(stamp)
    if action == "complete":
        order.result_deadline = now + deadlines_for(order.force, order.plan.incident).result
        fields.append("result_deadline")
    if action == "result":
        errors = {}
        if not result.strip():
            errors["result"] = [_("Describe the result.")]
        if people_rescued is not None and people_rescued < 0:
            errors["people_rescued"] = [_("Cannot be negative.")]
        if errors:
            raise ValidationFailed(_("The result report is incomplete."), errors=errors)
        order.result = result.strip()
        order.people_rescued = people_rescued or 0
        fields += ["result", "people_rescued"]
    via = {}
    if action == "acknowledge":
        responder = responder or notifications.web_responder(actor)
        order.acknowledged_via = responder.channel
        order.acknowledged_label = responder.label[:100]
        fields += ["acknowledged_via", "acknowledged_label"]
        via = {"via": order.acknowledged_via, "via_label": order.acknowledged_label}
    order.status = target
    order.last_step_by = actor
    order.last_step_on_behalf = on_behalf
    order._history_user = actor
    order.save(update_fields=[*fields, "updated_at"])
    if action == "acknowledge":
        # Whatever the path, the chase stops here: no more SMS, no voice call.
        notifications.order_acknowledged(order, responder)
    resolves = {
        "acknowledge": [AlertKind.ACK_OVERDUE],
        "arrive": [AlertKind.ARRIVAL_OVERDUE],
        "result": [AlertKind.RESULT_OVERDUE],
    }.get(action, [])
    if resolves:
        resolved = DispatchAlert.objects.filter(
            order=order, kind__in=resolves, resolved_at__isnull=True
        ).update(resolved_at=now)
        if resolved:
            notifications.order_alerts_resolved(order)
    if action in ("complete", "result"):
        notifications.order_done(order)
    if action == "complete":
        force = Force.objects.select_for_update(of=("self",)).get(pk=order.force_id)
        still_out = (
            CallOutOrder.objects.filter(force_id=force.pk, status__in=OPEN_ORDER_STATUSES)
            .exclude(pk=order.pk)
            .exists()
        )
        if not still_out:
            set_force_status(
                force=force,
                status=ForceStatus.STANDBY,
                actor=actor,
                reason=f"order {order.number} completed",
            )
    record_event(
        type=order_step_event(target),
        jurisdiction=order.plan.incident.jurisdiction,
        subject=order,
        actor=actor,
        payload=_order_payload(order, on_behalf=on_behalf, **via),
        organisation=order.force.organisation,
    )
    return order


def acknowledge_order(
    *, actor: User | None, order_id: int, responder: Responder | None = None
) -> CallOutOrder:
    """The page, the API, an SMS reply, a one-time link or a voice key: one service."""
    return advance_order(actor=actor, order_id=order_id, action="acknowledge", responder=responder)


def depart_order(*, actor: User, order_id: int) -> CallOutOrder:
    return advance_order(actor=actor, order_id=order_id, action="depart")


def arrive_order(*, actor: User, order_id: int) -> CallOutOrder:
    return advance_order(actor=actor, order_id=order_id, action="arrive")


def complete_order(*, actor: User, order_id: int) -> CallOutOrder:
    return advance_order(actor=actor, order_id=order_id, action="complete")


def report_order_result(
    *, actor: User, order_id: int, result: str, people_rescued: int | None = None
) -> CallOutOrder:
    return advance_order(
        actor=actor,
        order_id=order_id,
        action="result",
        result=result,
        people_rescued=people_rescued,
    )


@transaction.atomic
def deliver_order(*, order_id: int) -> bool:
    """Mark an order delivered to its force and its notice delivered to the department.
    Idempotent: a retry or the sweep finding it done changes nothing."""
    order = (
        CallOutOrder.objects.select_for_update(of=("self",))
        .select_related("plan__incident__jurisdiction", "force__organisation")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        return False
    now = timezone.now()
    changed = False
    if order.delivered_at is None:
        order.delivered_at = now
        order.save(update_fields=["delivered_at", "updated_at"])
        record_event(
            type=DispatchEvent.ORDER_DELIVERED,
            jurisdiction=order.plan.incident.jurisdiction,
            subject=order,
            payload=_order_payload(order),
            organisation=order.force.organisation,
        )
        changed = True
    notice = (
        Notice.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(order=order)
        .first()
    )
    if notice is not None and notice.status != NoticeStatus.DELIVERED:
        notice.status = NoticeStatus.DELIVERED
        notice.delivered_at = now
        notice.attempts += 1
        notice.save(update_fields=["status", "delivered_at", "attempts", "updated_at"])
        record_event(
            type=DispatchEvent.NOTICE_DELIVERED,
            jurisdiction=order.plan.incident.jurisdiction,
            subject=notice,
            payload=_order_payload(order, organisation_id=notice.organisation_id),
            organisation=notice.organisation,
        )
        changed = True
    return changed


@transaction.atomic
def read_notice(
    *, actor: User | None, notice_id: int, responder: Responder | None = None
) -> Notice:
    """The department has read (签收) its notice for the record: an account that speaks
    for the department (not its force accounts) on the page, or its duty phone by SMS
    reply, link or voice key (``responder``)."""
    notice = (
        Notice.objects.select_for_update(of=("self",))
        .select_related("organisation", "order__force", "order__plan__incident__jurisdiction")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise NotFoundError(_("No such notice."))
    if actor is None:
        if responder is None:
            raise PermissionDeniedError(_("Only the notified department reads its notice."))
    elif not may_consent_for(actor, notice.organisation_id):
        if not Notice.objects.visible_to(actor).filter(pk=notice_id).exists():
            raise NotFoundError(_("No such notice."))
        raise PermissionDeniedError(_("Only the notified department reads its notice."))
    if notice.read_at is not None:
        raise InvalidTransition(_("This notice was already read."), code="already_read")
    responder = responder or notifications.web_responder(actor)
    notice.read_at = timezone.now()
    notice.read_by = actor
    notice.read_via = responder.channel
    notice.read_label = responder.label[:100]
    notice.save(update_fields=["read_at", "read_by", "read_via", "read_label", "updated_at"])
    order = notice.order
    record_event(
        type=DispatchEvent.NOTICE_READ,
        jurisdiction=order.plan.incident.jurisdiction,
        subject=notice,
        actor=actor,
        payload=_order_payload(
            order,
            organisation_id=notice.organisation_id,
            via=notice.read_via,
            via_label=notice.read_label,
        ),
        organisation=notice.organisation,
    )
    notifications.notice_read(notice, responder)
    return notice


def undelivered_order_ids(limit: int = 500) -> list[int]:
    from django.db.models import Q

    return list(
        CallOutOrder.objects.filter(
            Q(delivered_at__isnull=True) | Q(notice__status=NoticeStatus.PENDING)
        ).values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def mark_overdue(*, now: datetime | None = None) -> list[DispatchAlert]:
    """Raise one alert per overdue step (Zhoushan §三.2): not acknowledged in time, not
    arrived by the tier deadline, no result within 24 h of completion. Idempotent."""
    now = now or timezone.now()
    raised = []
    # Skip orders a step holds right now: they are looked at again on the next tick, and
    # locking before writing alerts keeps the sweep from deadlocking with steps.
    overdue = (
        overdue_orders(CallOutOrder.objects.select_for_update(of=("self",), skip_locked=True), now)
        .select_related("plan__incident__jurisdiction", "plan__jurisdiction", "force__organisation")
        .prefetch_related("alerts")
        .order_by("pk")
    )
    for order in overdue:
        already = {alert.kind for alert in order.alerts.all()}
        for late in overdue_steps(order, now):
            if late.kind in already:
                continue
            alert, created = DispatchAlert.objects.get_or_create(
                order=order,
                kind=late.kind,
                defaults={"raised_at": now, "deadline": late.deadline},
            )
            if not created:
                continue
            record_event(
                type=DispatchEvent.ORDER_OVERDUE,
                jurisdiction=order.plan.incident.jurisdiction,
                subject=order,
                payload=_order_payload(order, kind=late.kind, deadline=late.deadline.isoformat()),
                organisation=order.force.organisation,
            )
            notifications.notify_overdue(order, late.kind)
            raised.append(alert)
    return raised
