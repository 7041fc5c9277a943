"""The event types of the dispatch chain: one vocabulary, declared here, that the services
record and the timeline, the live feed and ``core.visibility`` read. The values are the
strings stored in ``Event.type``; they never change."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class DispatchEvent(StrEnum):
    PLAN_DRAFTED = "plan.drafted"
    PLAN_EDITED = "plan.edited"
    PLAN_SUBMITTED = "plan.submitted"
    PLAN_APPROVED = "plan.approved"
    PLAN_REJECTED = "plan.rejected"
    PLAN_CONSENT_RECORDED = "plan.consent_recorded"
    PLAN_WITHDRAWN = "plan.withdrawn"
    ORDER_ISSUED = "order.issued"
    ORDER_DELIVERED = "order.delivered"
    ORDER_ACKNOWLEDGED = "order.acknowledged"
    ORDER_DEPARTED = "order.departed"
    ORDER_ARRIVED = "order.arrived"
    ORDER_COMPLETED = "order.completed"
    ORDER_REPORTED = "order.reported"
    ORDER_OVERDUE = "order.overdue"
    ORDER_ENDED = "order.ended"
    NOTICE_DELIVERED = "notice.delivered"
    NOTICE_READ = "notice.read"
    REINFORCEMENT_REQUESTED = "reinforcement.requested"
    REINFORCEMENT_APPROVED = "reinforcement.approved"
    REINFORCEMENT_REJECTED = "reinforcement.rejected"
    SPECIAL_PERIOD_DECLARED = "special_period.declared"
    SPECIAL_PERIOD_ENDED = "special_period.ended"


def order_step_event(status: str) -> DispatchEvent:
    """The event of an order reaching ``status`` by one of its steps."""
    return DispatchEvent(f"order.{status}")


def reinforcement_decision_event(status: str) -> DispatchEvent:
    return DispatchEvent(f"reinforcement.{status}")
