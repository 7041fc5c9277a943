"""Reads of the reserves shared by pages, API, the hall and the allocation part: what a
user sees, what is on hand (one aggregate query), and a list's summary in constant
queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from support.choices import CAPACITY_KINDS
from support.models import StockBatch, StockLevel, Warehouse
from support.reserves.permissions import can_read_reserves

__all__ = [
    "low_stock_levels",
    "stock_on_hand",
    "visible_warehouses",
    "warehouse_summary",
]


def visible_warehouses(user: Any) -> QuerySet[Warehouse]:
    """The warehouses the user may read: SUPPORT_READERS, their jurisdiction and below."""
    if not can_read_reserves(user):
        return Warehouse.objects.none()
    return Warehouse.objects.visible_to(user)


def stock_on_hand(
    *, warehouse_ids: Iterable[int] | None = None, item_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], Decimal]:
    """On hand per (warehouse id, item id), summed over the batches: one query."""
    batches = StockBatch.objects.order_by()
    if warehouse_ids is not None:
        batches = batches.filter(warehouse_id__in=list(warehouse_ids))
    if item_ids is not None:
        batches = batches.filter(item_id__in=list(item_ids))
    rows = batches.values("warehouse_id", "item_id").annotate(total=Sum("quantity"))
    return {(r["warehouse_id"], r["item_id"]): r["total"] for r in rows}


def low_stock_levels(levels: Iterable[StockLevel], on_hand: dict) -> list[StockLevel]:
    """The levels of stock warehouses below their minimum (capacity reserves are never
    "low": they hold no shelf stock)."""
    return [
        level
        for level in levels
        if level.minimum > 0
        and level.warehouse.kind not in CAPACITY_KINDS
        and on_hand.get((level.warehouse_id, level.item_id), Decimal(0)) < level.minimum
    ]


def warehouse_summary(warehouses: Iterable[Warehouse]) -> dict[int, dict[str, Any]]:
    """Per warehouse: item count, batch count, low-stock count, nearest expiry — three
    queries whatever the number of warehouses."""
    warehouses = list(warehouses)
    ids = [w.pk for w in warehouses]
    summary: dict[int, dict[str, Any]] = {
        w.pk: {"items": 0, "batches": 0, "low": 0, "low_items": [], "capacity": 0}
        for w in warehouses
    }
    if not ids:
        return summary
    batch_rows = (
        StockBatch.objects.filter(warehouse_id__in=ids)
        .order_by()
        .values("warehouse_id")
        .annotate(batches=Count("pk", filter=Q(quantity__gt=0)))
    )
    for row in batch_rows:
        summary[row["warehouse_id"]]["batches"] = row["batches"]
    on_hand = stock_on_hand(warehouse_ids=ids)
    levels = StockLevel.objects.filter(warehouse_id__in=ids).select_related("warehouse", "item")
    per_warehouse: dict[int, list[StockLevel]] = defaultdict(list)
    for level in levels:
        per_warehouse[level.warehouse_id].append(level)
    held = defaultdict(set)
    for (wid, iid), qty in on_hand.items():
        if qty > 0:
            held[wid].add(iid)
    for wid, wl in per_warehouse.items():
        low = low_stock_levels(wl, on_hand)
        summary[wid]["low"] = len(low)
        summary[wid]["low_items"] = [str(level.item) for level in low]
        summary[wid]["capacity"] = sum(1 for lv in wl if lv.agreed_capacity)
        held[wid] |= {lv.item_id for lv in wl}
    for wid, items in held.items():
        summary[wid]["items"] = len(items)
    return summary
