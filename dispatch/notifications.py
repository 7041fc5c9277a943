"""Who the dispatch chain tells, what it says, and how an answer by any channel comes back
(issue 10; DESIGN10 "Domain"). The services call the ``notify_*`` functions inside their
own transaction; ``notify`` writes the rows and sends after commit. The registry handlers
at the bottom are what an SMS reply, a one-time link or a voice key press call: the same
services the pages call, with a ``Responder`` instead of a user.

Message texts are Chinese whatever the UI language, short (one SMS segment where
possible: notify adds the prefix, the reply code and the link), and name only the
incident, the place, the task and the force, never a person's data or an ID number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from core.choices import OrganisationKind
from core.models import Jurisdiction, Organisation, User
from core.roles import Role
from dispatch.choices import AlertKind
from dispatch.models import CallOutOrder, CallOutPlan, Notice
from dispatch.permissions import CONSENT_ROLES, consenting_department
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import NotifyRequest, Recipient, Responder

FORCE_DUTY_PHONE_LABEL = "24小时值班电话"
SUPERVISOR_DUTY_PHONE_LABEL = "主管部门值班电话"
DEPARTMENT_DUTY_PHONE_LABEL = "单位值班电话"

# Chinese whatever the UI language: these go out by SMS and voice.
OVERDUE_TEXT = {
    AlertKind.ACK_OVERDUE: "未按时签收",
    AlertKind.ARRIVAL_OVERDUE: "未按时到达",
    AlertKind.RESULT_OVERDUE: "24小时内未报告结果",
}


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- recipients -----------------------------------------------------------------------------


def user_recipient(user: User) -> Recipient:
    return Recipient(
        label=str(user), user_id=user.pk, phone=user.phone or "", email=user.email or ""
    )


def web_responder(actor: Any) -> Responder:
    """The page path: who clicked, by name."""
    return Responder(channel="web", label=str(actor)[:100])


def _users(**filters: Any) -> list[User]:
    return list(
        User.objects.filter(is_active=True, **filters)
        .distinct()
        .order_by("pk")
        .only("pk", "username", "display_name", "phone", "email", "organisation_id")
    )


def users_with_role(*, role: str, kind: str, jurisdiction: Jurisdiction) -> list[Recipient]:
    """Members of ``kind`` organisations at exactly this level holding ``role``: the
    bureau's approvers or duty officers, the brigade's dispatchers."""
    return [
        user_recipient(u)
        for u in _users(
            groups__name=role,
            organisation__kind=kind,
            organisation__jurisdiction=jurisdiction,
        )
    ]


def approvers_of(jurisdiction: Jurisdiction) -> list[Recipient]:
    return users_with_role(
        role=Role.BUREAU_APPROVER, kind=OrganisationKind.EMERGENCY_BUREAU, jurisdiction=jurisdiction
    )


def duty_officers_of(jurisdiction: Jurisdiction) -> list[Recipient]:
    return users_with_role(
        role=Role.DUTY_OFFICER, kind=OrganisationKind.EMERGENCY_BUREAU, jurisdiction=jurisdiction
    )


def dispatchers_of(jurisdiction: Jurisdiction) -> list[Recipient]:
    return users_with_role(
        role=Role.FIRE_DISPATCHER, kind=OrganisationKind.FIRE_RESCUE, jurisdiction=jurisdiction
    )


def force_accounts_by_organisation(organisation_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """The force accounts of many organisations in one query."""
    found: dict[int, list[Recipient]] = defaultdict(list)
    ids = sorted(set(organisation_ids))
    if ids:
        for user in _users(groups__name=Role.FORCE_ACCOUNT, organisation_id__in=ids):
            found[user.organisation_id].append(user_recipient(user))
    return found


def department_users_by_organisation(organisation_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """The accounts that speak for a department (not its force accounts or screens)."""
    found: dict[int, list[Recipient]] = defaultdict(list)
    ids = sorted(set(organisation_ids))
    if ids:
        for user in _users(groups__name__in=list(CONSENT_ROLES), organisation_id__in=ids):
            found[user.organisation_id].append(user_recipient(user))
    return found


def duty_phone(organisation: Organisation | None, label: str) -> list[Recipient]:
    if organisation is None or not organisation.duty_phone:
        return []
    return [Recipient(label=label, phone=organisation.duty_phone)]


def force_contacts(
    *,
    duty_phone: str,
    leader_name: str,
    leader_phone: str,
    accounts: Sequence[Recipient],
) -> dict[str, list[Recipient]]:
    """The force itself: its accounts in the platform, its 24-hour duty phone, its leader."""
    audiences: dict[str, list[Recipient]] = {
        Audience.FORCE_ACCOUNT: list(accounts),
        Audience.FORCE_DUTY_PHONE: (
            [Recipient(label=FORCE_DUTY_PHONE_LABEL, phone=duty_phone)] if duty_phone else []
        ),
        Audience.FORCE_LEADER: [],
    }
    if leader_phone:
        label = f"队长 {leader_name}" if leader_name else "队长"
        audiences[Audience.FORCE_LEADER] = [Recipient(label=label, phone=leader_phone)]
    return audiences


# --- texts ------------------------------------------------------------------------------------


def _place(plan: CallOutPlan) -> str:
    incident = plan.incident
    return _short(incident.address or incident.title, 16)


def order_title(order: CallOutOrder) -> str:
    return f"出动指令 {order.number} · {order.force.name}"


def order_body(order: CallOutOrder) -> str:
    plan = order.plan
    kind = _short(plan.incident.incident_type.name, 10)
    return f"出动指令{order.number}：{kind}，{_place(plan)}。任务：{_short(order.task, 24)}。"


def notice_body(notice: Notice) -> str:
    order = notice.order
    kind = _short(order.plan.incident.incident_type.name, 10)
    return (
        f"报备：{_short(order.force.name, 20)}已接出动指令{order.number}"
        f"（{kind}，{_place(order.plan)}）。"
    )


def plan_body(plan: CallOutPlan, forces: int) -> str:
    kind = _short(plan.incident.incident_type.name, 10)
    return f"调用方案#{plan.pk}待审批：{kind}，{_place(plan)}，调用{forces}支队伍。"


def consent_body(plan: CallOutPlan) -> str:
    return f"特殊时期调用方案#{plan.pk}拟调用贵单位队伍，请登录平台答复是否同意。"


def overdue_body(order: CallOutOrder, kind: str) -> str:
    late = OVERDUE_TEXT.get(kind, "超时")
    return f"出动指令{order.number}（{_short(order.force.name, 20)}）{late}。"


# --- what the services call -------------------------------------------------------------------


def notify_orders_issued(plan: CallOutPlan, orders: Sequence[CallOutOrder]) -> None:
    """An ORDER per order (the force: accounts in-app, duty phone and leader by SMS, then
    the escalation's voice call, supervisor and duty officers) and a NOTICE per notice
    (the department's duty phone and accounts). Constant queries whatever the count."""
    if not orders:
        return
    jurisdiction = plan.incident.jurisdiction
    forces = [o.force for o in orders]
    accounts = force_accounts_by_organisation(f.organisation_id for f in forces)
    notices = list(
        Notice.objects.filter(order__in=orders).select_related(
            "organisation", "order__force", "order__plan__incident__incident_type"
        )
    )
    departments = department_users_by_organisation(n.organisation_id for n in notices)
    officers = duty_officers_of(plan.jurisdiction)
    dispatchers = dispatchers_of(plan.jurisdiction)
    requests = []
    for order in orders:
        force = order.force
        audiences = force_contacts(
            duty_phone=force.duty_phone,
            leader_name=force.leader_name,
            leader_phone=force.leader_phone,
            accounts=accounts.get(force.organisation_id, []),
        )
        audiences[Audience.ORG_LEADER] = duty_phone(
            consenting_department(force), SUPERVISOR_DUTY_PHONE_LABEL
        )
        audiences[Audience.DUTY_OFFICERS] = officers
        audiences[Audience.DISPATCHERS] = dispatchers
        requests.append(
            NotifyRequest(
                purpose=Purpose.ORDER,
                subject=order,
                jurisdiction=jurisdiction,
                audiences=audiences,
                title=order_title(order),
                body=order_body(order),
                link=order.get_absolute_url(),
                organisation=force.organisation,
            )
        )
    for notice in notices:
        requests.append(
            NotifyRequest(
                purpose=Purpose.NOTICE,
                subject=notice,
                jurisdiction=jurisdiction,
                audiences={
                    Audience.ORG_DUTY_PHONE: duty_phone(
                        notice.organisation, DEPARTMENT_DUTY_PHONE_LABEL
                    ),
                    Audience.ORG_USERS: departments.get(notice.organisation_id, []),
                },
                title=f"报备 · {notice.order.force.name} · {notice.order.number}",
                body=notice_body(notice),
                link=_notice_link(),
                organisation=notice.organisation,
            )
        )
    notify_services.notify_many(requests)


def _notice_link() -> str:
    from django.urls import reverse

    return reverse("dispatch:notice_list")


def notify_plan_submitted(plan: CallOutPlan) -> None:
    """The approvers of the plan's level (同级应急管理局), in-app and by SMS."""
    forces = plan.lines.count()
    notify_services.notify(
        purpose=Purpose.PLAN_SUBMITTED,
        subject=plan,
        jurisdiction=plan.incident.jurisdiction,
        audiences={Audience.APPROVERS: approvers_of(plan.jurisdiction)},
        title=f"调用方案#{plan.pk}待审批 · {plan.incident.title}",
        body=plan_body(plan, forces),
        link=plan.get_absolute_url(),
    )


def notify_consent_needed(plan: CallOutPlan, departments: Sequence[Organisation]) -> None:
    """A special period: the departments whose consent the approval needs (Liaocheng
    §三.一.2), by their duty phones and accounts. One notification per plan; it is
    acknowledged once every department has consented, and closed by the decision."""
    if not departments:
        return
    users = department_users_by_organisation(o.pk for o in departments)
    phones = [
        Recipient(label=f"{o.short_name or o.name}值班电话", phone=o.duty_phone)
        for o in departments
        if o.duty_phone
    ]
    accounts = [r for o in departments for r in users.get(o.pk, [])]
    notify_services.notify(
        purpose=Purpose.CONSENT,
        subject=plan,
        jurisdiction=plan.incident.jurisdiction,
        audiences={Audience.ORG_DUTY_PHONE: phones, Audience.ORG_USERS: accounts},
        title=f"征求意见 · 调用方案#{plan.pk} · {plan.incident.title}",
        body=consent_body(plan),
        link=plan.get_absolute_url(),
        organisation=departments[0] if len(departments) == 1 else None,
    )


def notify_overdue(order: CallOutOrder, kind: str) -> None:
    """The dispatchers and the duty officers of the plan's level, in-app (the hall rings)."""
    plan = order.plan
    notify_services.notify(
        purpose=Purpose.ORDER_OVERDUE,
        subject=order,
        jurisdiction=plan.incident.jurisdiction,
        audiences={
            Audience.DISPATCHERS: dispatchers_of(plan.jurisdiction),
            Audience.DUTY_OFFICERS: duty_officers_of(plan.jurisdiction),
        },
        title=f"超时 · 出动指令 {order.number} · {order.force.name}",
        body=overdue_body(order, kind),
        link=order.get_absolute_url(),
        organisation=order.force.organisation,
    )


def order_acknowledged(order: CallOutOrder, responder: Responder) -> None:
    notify_services.acknowledged(purpose=Purpose.ORDER, subject=order, responder=responder)


def order_alerts_resolved(order: CallOutOrder) -> None:
    notify_services.close(purpose=Purpose.ORDER_OVERDUE, subject=order)


def order_done(order: CallOutOrder) -> None:
    notify_services.close(purpose=Purpose.ORDER, subject=order)
    notify_services.close(purpose=Purpose.ORDER_OVERDUE, subject=order)


def order_ended(order: CallOutOrder) -> None:
    """Stood down: no more chasing the order or its overdue steps."""
    notify_services.close(purpose=Purpose.ORDER, subject=order)
    notify_services.close(purpose=Purpose.ORDER_OVERDUE, subject=order)


def stood_down_body(order: CallOutOrder) -> str:
    return f"出动指令{order.number}已终止，请收队。原因：{_short(order.end_reason, 30)}"


def notify_stood_down(orders: Sequence[CallOutOrder]) -> None:
    """Tell each force, once, that its order is stood down: its accounts in-app, its duty
    phone and its leader by SMS (Purpose.ORDER_ENDED has no escalation steps)."""
    if not orders:
        return
    accounts = force_accounts_by_organisation(o.force.organisation_id for o in orders)
    requests = []
    for order in orders:
        force = order.force
        requests.append(
            NotifyRequest(
                purpose=Purpose.ORDER_ENDED,
                subject=order,
                jurisdiction=order.plan.incident.jurisdiction,
                audiences=force_contacts(
                    duty_phone=force.duty_phone,
                    leader_name=force.leader_name,
                    leader_phone=force.leader_phone,
                    accounts=accounts.get(force.organisation_id, []),
                ),
                title=f"收队 · 出动指令 {order.number} · {force.name}",
                body=stood_down_body(order),
                link=order.get_absolute_url(),
                organisation=force.organisation,
            )
        )
    notify_services.notify_many(requests)


def notice_read(notice: Notice, responder: Responder) -> None:
    notify_services.acknowledged(purpose=Purpose.NOTICE, subject=notice, responder=responder)


def plan_decided(plan: CallOutPlan) -> None:
    notify_services.close(purpose=Purpose.PLAN_SUBMITTED, subject=plan)
    notify_services.close(purpose=Purpose.CONSENT, subject=plan)


def consents_complete(plan: CallOutPlan, responder: Responder) -> None:
    notify_services.acknowledged(purpose=Purpose.CONSENT, subject=plan, responder=responder)


# --- answers by any channel (registered in DispatchConfig.ready) ------------------------------


def acknowledge_order_by_channel(subject_id: int, responder: Responder, text: str) -> str:
    from dispatch.services import acknowledge_order

    order = acknowledge_order(actor=None, order_id=subject_id, responder=responder)
    return f"已签收出动指令{order.number}，请按要求出动。"


def read_notice_by_channel(subject_id: int, responder: Responder, text: str) -> str:
    from dispatch.services import read_notice

    notice = read_notice(actor=None, notice_id=subject_id, responder=responder)
    return f"已签收报备：出动指令{notice.order.number}。"


def consent_request_seen(subject_id: int, responder: Responder, text: str) -> str:
    """A reply to a consent request says it arrived; consent itself is a decision the
    department gives on the platform (or tells the approver), never a reply code."""
    from core.exceptions import InvalidTransition, NotFoundError
    from dispatch.choices import PlanStatus

    plan = CallOutPlan.objects.filter(pk=subject_id).only("pk", "status").first()
    if plan is None:
        raise NotFoundError("no such plan")
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.SUBMITTED):
        raise InvalidTransition("decided", code="already_decided")
    return f"已收到调用方案#{plan.pk}的征求意见，请登录平台答复或电话告知审批人。"


def register_handlers() -> None:
    from notify import registry

    registry.register(Purpose.ORDER, acknowledge=acknowledge_order_by_channel, verb="签收")
    registry.register(Purpose.NOTICE, acknowledge=read_notice_by_channel, verb="签收")
    registry.register(Purpose.CONSENT, acknowledge=consent_request_seen, verb="签收")
