"""The dispatch chain (SPEC §4). Every write of 联调联战 lives here; pages, API, admin and
tasks call these functions. Each one, in one transaction: lock the row, authorise (role,
jurisdiction, object), check the transition, save the changed fields, record the event,
and leave side effects to ``transaction.on_commit``.

Split by aggregate: ``plans`` (draft, submit, approve, reject, consent), ``orders`` (steps,
delivery, the overdue sweep), ``reinforcements``, ``periods`` (special periods declared
and ended by the bureau). Who may do what is asked of
``dispatch.permissions``; deadlines and special periods are read from
``dispatch.policies``. Everything is re-exported here, so ``services.approve_plan(...)``
stays the way callers write it.

Seed sections: Liaocheng §三.一.2 (plan, approval, special-period consent, orders and
notices, cross-region reinforcement), Rongcheng §四.一.4 (the same chain at county
level), Zhoushan §三.2 (tiers, arrival deadlines, feedback, result within 24 h).
"""

from dispatch.permissions import (
    CONSENT_ROLES,
    consenting_department,
    is_bureau_approver_of,
    is_fire_dispatcher_of,
    is_force_account_of,
)
from dispatch.policies import (
    SEED_POLICY,
    Deadlines,
    active_special_periods,
    deadlines_for,
    policy_for,
)
from dispatch.services.ending import describe_open_work, end_orders
from dispatch.services.orders import (
    OPEN_ORDER_STATUSES,
    acknowledge_order,
    advance_order,
    arrive_order,
    complete_order,
    deliver_order,
    depart_order,
    mark_overdue,
    read_notice,
    report_order_result,
    undelivered_order_ids,
)
from dispatch.services.periods import declare_special_period, end_special_period
from dispatch.services.plans import (
    LineInput,
    _deliver_after_commit,
    approve_plan,
    deployed_forces,
    draft_plan,
    missing_consents,
    record_consent,
    reject_plan,
    submit_plan,
    update_plan,
)
from dispatch.services.reinforcements import decide_reinforcement, request_reinforcement

__all__ = [
    "CONSENT_ROLES",
    "OPEN_ORDER_STATUSES",
    "SEED_POLICY",
    "Deadlines",
    "LineInput",
    "_deliver_after_commit",
    "acknowledge_order",
    "active_special_periods",
    "advance_order",
    "approve_plan",
    "arrive_order",
    "complete_order",
    "consenting_department",
    "deadlines_for",
    "decide_reinforcement",
    "declare_special_period",
    "deliver_order",
    "depart_order",
    "deployed_forces",
    "describe_open_work",
    "draft_plan",
    "end_orders",
    "end_special_period",
    "is_bureau_approver_of",
    "is_fire_dispatcher_of",
    "is_force_account_of",
    "mark_overdue",
    "missing_consents",
    "policy_for",
    "read_notice",
    "record_consent",
    "reject_plan",
    "report_order_result",
    "request_reinforcement",
    "submit_plan",
    "undelivered_order_ids",
    "update_plan",
]
