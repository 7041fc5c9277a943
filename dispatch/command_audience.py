"""Who is told when command of an incident passes (command.command_transfers): the
organisations of the forces with open call-out orders on it. Registered from
``DispatchConfig.ready()``; command never imports dispatch."""

from __future__ import annotations

from typing import Any

from dispatch.choices import OrderStatus

# An order is open until its result is reported (an ended order is not in this list).
OPEN_ORDER_STATUSES = (
    OrderStatus.ISSUED,
    OrderStatus.ACKNOWLEDGED,
    OrderStatus.DEPARTED,
    OrderStatus.ARRIVED,
    OrderStatus.COMPLETED,
)


def forces_with_open_orders(incident: Any) -> list[int]:
    from dispatch.models import CallOutOrder

    return list(
        CallOutOrder.objects.filter(plan__incident=incident, status__in=OPEN_ORDER_STATUSES)
        .values_list("force__organisation_id", flat=True)
        .distinct()
    )


def register() -> None:
    from command import command_transfers

    command_transfers.register_audience("dispatch.orders", forces_with_open_orders)
