"""How an allocation reaches its people through notify (DESIGN14 "allocation").

- submitted: the bureau approvers of the request's jurisdiction (Purpose
  ALLOCATION_SUBMITTED, Audience APPROVERS), closed when the request is decided or
  cancelled;
- approved: the keeper of every source warehouse (Audience KEEPER, by SMS: "deliver by";
  a capacity reserve "within its agreed hours") and the requester (Audience ORG_USERS),
  closed when the delivery is recorded.

Texts are Chinese whatever the UI language: they go out by SMS
("调拨单DB20260715001已批准：编织袋 2000条（临清市防汛物资储备库），送至……").
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from core.choices import OrganisationKind
from core.models import User
from core.roles import Role
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import Recipient
from support.choices import CAPACITY_KINDS
from support.models import AllocationRequest, StockLevel

KEEPER_LABEL = "库管员"


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _user(user: User) -> Recipient:
    return Recipient(
        label=str(user), user_id=user.pk, phone=user.phone or "", email=user.email or ""
    )


def _approvers(allocation: AllocationRequest) -> list[Recipient]:
    users = (
        User.objects.filter(
            is_active=True,
            groups__name=Role.BUREAU_APPROVER,
            organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
            organisation__jurisdiction_id=allocation.jurisdiction_id,
        )
        .distinct()
        .order_by("pk")
    )
    return [_user(u) for u in users]


def link(allocation: AllocationRequest) -> str:
    return reverse("support:allocation_detail", args=[allocation.pk])


def _due(allocation: AllocationRequest) -> str:
    return timezone.localtime(allocation.needed_by).strftime("%m月%d日%H:%M")


def notify_submitted(allocation: AllocationRequest) -> None:
    lines = list(allocation.lines.select_related("item"))
    items = "、".join(
        f"{line.item.name}{line.quantity.normalize():f}{line.item.unit}" for line in lines
    )
    notify_services.notify(
        purpose=Purpose.ALLOCATION_SUBMITTED,
        subject=allocation,
        jurisdiction=allocation.jurisdiction,
        audiences={Audience.APPROVERS: _approvers(allocation)},
        title=f"调拨申请{allocation.number}待审批",
        body=(
            f"{allocation.requesting_organisation.name}申请调拨：{_short(items, 60)}，"
            f"送至{_short(allocation.destination, 30)}，{_due(allocation)}前。请审批。"
        ),
        link=link(allocation),
        organisation=allocation.requesting_organisation,
    )


def notify_approved(allocation: AllocationRequest) -> None:
    lines = list(allocation.lines.select_related("item", "warehouse"))
    hours = {
        (level.warehouse_id, level.item_id): level.delivery_hours
        for level in StockLevel.objects.filter(
            warehouse_id__in={line.warehouse_id for line in lines}
        )
    }
    keepers: dict[int, Recipient] = {}
    parts = []
    for line in lines:
        warehouse = line.warehouse
        if warehouse.keeper_phone and warehouse.pk not in keepers:
            keepers[warehouse.pk] = Recipient(
                label=f"{KEEPER_LABEL} {warehouse.keeper_name}".strip(),
                phone=warehouse.keeper_phone,
            )
        part = f"{line.item.name}{line.quantity.normalize():f}{line.item.unit}（{warehouse.name}"
        if warehouse.kind in CAPACITY_KINDS and hours.get((warehouse.pk, line.item_id)):
            part += f"，{hours[(warehouse.pk, line.item_id)]}小时内交付"
        parts.append(part + "）")
    requester = [_user(allocation.requested_by)] if allocation.requested_by.is_active else []
    notify_services.notify(
        purpose=Purpose.ALLOCATION_APPROVED,
        subject=allocation,
        jurisdiction=allocation.jurisdiction,
        audiences={Audience.KEEPER: list(keepers.values()), Audience.ORG_USERS: requester},
        title=f"调拨单{allocation.number}已批准",
        body=(
            f"调拨单{allocation.number}已批准：{_short('；'.join(parts), 90)}，"
            f"送至{_short(allocation.destination, 30)}，{_due(allocation)}前，"
            f"接收人{allocation.receiver_name}。"
        ),
        link=link(allocation),
        organisation=allocation.requesting_organisation,
    )
    close_submitted(allocation)


def close_submitted(allocation: AllocationRequest) -> None:
    notify_services.close(purpose=Purpose.ALLOCATION_SUBMITTED, subject=allocation)


def close_approved(allocation: AllocationRequest) -> None:
    notify_services.close(purpose=Purpose.ALLOCATION_APPROVED, subject=allocation)
