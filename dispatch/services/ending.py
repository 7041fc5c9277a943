"""Standing forces down when an incident closes with work still open (issue 13): the
closing hook (``command.closing``) lists the open orders and the plans awaiting a decision,
and, when the closer ends them explicitly with a reason, ``end_orders`` does it here.

Open orders (issued, acknowledged, departed, arrived) become ``ENDED`` ("stood down") with
the reason, when and by whom; their chase and overdue alerts stop, the force is told it is
stood down and goes back to standby unless another order still holds it. Plans awaiting
approval (submitted) are withdrawn, their approvers' and departments' requests closed.
Drafts never block closing: they cannot be submitted for a closed incident.
Completed orders still owe their result report: that is not open work on the scene."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command.models import Incident
from core.events import record_event
from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.models import User
from core.permissions import in_jurisdiction
from core.roles import Role
from dispatch import notifications
from dispatch.choices import OrderStatus, PlanStatus
from dispatch.events import DispatchEvent
from dispatch.models import CallOutOrder, CallOutPlan, DispatchAlert
from dispatch.services.orders import OPEN_ORDER_STATUSES, _order_payload
from dispatch.services.plans import _plan_payload
from forces.choices import ForceStatus
from forces.models import Force
from forces.services import set_force_status

# Who stands forces down: whoever closes incidents (command.services.INCIDENT_CLOSERS).
ENDING_ROLES = (Role.DUTY_OFFICER, Role.FIRE_DISPATCHER, Role.ADMINISTRATOR)
# Plans that block closing: awaiting the bureau's decision (and, in a special period,
# the departments' consent).
PENDING_PLAN_STATUSES = (PlanStatus.SUBMITTED,)


def open_orders(incident: Incident):
    return (
        CallOutOrder.objects.filter(plan__incident=incident, status__in=OPEN_ORDER_STATUSES)
        .select_related("force")
        .order_by("pk")
    )


def pending_plans(incident: Incident):
    return CallOutPlan.objects.filter(incident=incident, status__in=PENDING_PLAN_STATUSES).order_by(
        "pk"
    )


def describe_open_work(incident: Incident) -> list[str]:
    """One line per open order (force and status) and per plan awaiting a decision."""
    lines = [
        _("Order %(number)s: %(force)s, %(status)s")
        % {"number": o.number, "force": o.force.name, "status": o.get_status_display()}
        for o in open_orders(incident)
    ]
    lines += [
        _("Call-out plan #%(plan)s: %(status)s") % {"plan": p.pk, "status": p.get_status_display()}
        for p in pending_plans(incident)
    ]
    return lines


def may_end_orders(actor: Any, incident: Incident) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and (
        actor.is_superuser
        or (actor.has_role(*ENDING_ROLES) and in_jurisdiction(actor, incident.jurisdiction))
    )


@transaction.atomic
def end_orders(*, actor: User, incident: Incident, reason: str) -> int:
    """Stand down every open order of the incident and withdraw its plans awaiting a
    decision; returns how many orders and plans were ended. Called by ``close_incident``
    inside its transaction (``end_open_work``) or on its own."""
    if not may_end_orders(actor, incident):
        if not in_jurisdiction(actor, incident.jurisdiction):
            raise NotFoundError(_("No such incident in your jurisdiction."))
        raise PermissionDeniedError(_("Your role may not stand forces down."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Give the reason for standing the forces down."),
            code="reason_required",
            errors={"reason": [_("Give the reason for standing the forces down.")]},
        )
    now = timezone.now()
    orders = list(
        CallOutOrder.objects.select_for_update(of=("self",))
        .filter(plan__incident=incident, status__in=OPEN_ORDER_STATUSES)
        .select_related(
            "force__organisation", "plan__incident__incident_type", "plan__jurisdiction"
        )
        .order_by("pk")
    )
    plans = list(
        CallOutPlan.objects.select_for_update(of=("self",))
        .filter(incident=incident, status__in=PENDING_PLAN_STATUSES)
        .select_related("jurisdiction")
        .order_by("pk")
    )
    for order in orders:
        order.status = OrderStatus.ENDED
        order.ended_at = now
        order.ended_by = actor
        order.end_reason = reason
        order.last_step_by = actor
        order.last_step_on_behalf = False
        order._history_user = actor
        order.save(
            update_fields=[
                "status",
                "ended_at",
                "ended_by",
                "end_reason",
                "last_step_by",
                "last_step_on_behalf",
                "updated_at",
            ]
        )
    if orders:
        DispatchAlert.objects.filter(order__in=orders, resolved_at__isnull=True).update(
            resolved_at=now
        )
        _release_forces(actor, orders)
    for plan in plans:
        plan.status = PlanStatus.WITHDRAWN
        plan.decided_by = actor
        plan.decided_at = now
        plan.rejection_reason = reason
        plan._history_user = actor
        plan.save(
            update_fields=["status", "decided_by", "decided_at", "rejection_reason", "updated_at"]
        )
    for order in orders:
        record_event(
            type=DispatchEvent.ORDER_ENDED,
            jurisdiction=incident.jurisdiction,
            subject=order,
            actor=actor,
            payload=_order_payload(order, reason=reason),
            organisation=order.force.organisation,
        )
    for plan in plans:
        plan.incident = incident
        record_event(
            type=DispatchEvent.PLAN_WITHDRAWN,
            jurisdiction=incident.jurisdiction,
            subject=plan,
            actor=actor,
            payload=_plan_payload(plan, reason=reason),
        )
    # The chase stops; the force is told once. notify writes its rows in this
    # transaction (an outbox) and sends them after commit.
    for order in orders:
        notifications.order_ended(order)
    notifications.notify_stood_down(orders)
    for plan in plans:
        notifications.plan_decided(plan)
    return len(orders) + len(plans)


def _release_forces(actor: User, orders: list[CallOutOrder]) -> None:
    """Back to standby: each force no other open order holds (locked in key order)."""
    force_ids = sorted({o.force_id for o in orders})
    ended = [o.pk for o in orders]
    still_out = set(
        CallOutOrder.objects.filter(force_id__in=force_ids, status__in=OPEN_ORDER_STATUSES)
        .exclude(pk__in=ended)
        .values_list("force_id", flat=True)
    )
    numbers = {o.force_id: o.number for o in orders}
    for force in (
        Force.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk__in=force_ids)
        .order_by("pk")
    ):
        if force.pk in still_out or force.status != ForceStatus.DEPLOYED:
            continue
        set_force_status(
            force=force,
            status=ForceStatus.STANDBY,
            actor=actor,
            reason=f"order {numbers[force.pk]} stood down",
        )


def end_open_work(incident: Incident, actor: User, reason: str) -> int:
    """The ``command.closing`` hook's ``end``."""
    return end_orders(actor=actor, incident=incident, reason=reason)
