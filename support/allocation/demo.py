"""The demo city's allocations (调拨): on the 临清市 flood incident (京杭运河临清段西堤管涌,
seeded by command's demo, with the reserves part's warehouses and stock), an approved and
delivered allocation of sandbags and life jackets from 临清市's reserves, and a second
request of sandbags awaiting the bureau's approval. Through the services, so stock is
issued, the events recorded and the keepers told as in real use; idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from command.models import Incident
from core.demo import DemoContext
from support.allocation import services
from support.allocation.services import AllocationLineData
from support.choices import CAPACITY_KINDS, ReserveKind
from support.models import AllocationRequest, StockBatch

CANAL_PIPING = "京杭运河临清段西堤管涌"
DESTINATION = "临清市京杭运河西堤管涌险工段抢险现场（先锋街道）"
RECEIVER = {"receiver_name": "马振华", "receiver_phone": "13806356218"}


def _source(incident: Incident, name: str, wanted: int):
    """The warehouse of the incident's jurisdiction (or below) holding the most of an
    item named ``name`` — a government reserve first — and how much to ask of it."""
    rows = (
        StockBatch.objects.filter(
            warehouse__jurisdiction__path__startswith=incident.jurisdiction.path,
            warehouse__is_active=True,
            item__name__contains=name,
            item__is_active=True,
            quantity__gt=0,
        )
        .exclude(warehouse__kind__in=list(CAPACITY_KINDS))
        .values("warehouse_id", "warehouse__kind", "item_id")
        .annotate(total=Sum("quantity"))
    )
    best = sorted(
        rows,
        key=lambda r: (r["warehouse__kind"] != ReserveKind.GOVERNMENT, -r["total"]),
    )
    if not best:
        return None
    row = best[0]
    # Never more than half of what is there: the demo leaves stock for the next request.
    quantity = min(Decimal(wanted), (row["total"] / 2).quantize(Decimal("1")))
    if quantity <= 0:
        return None
    return AllocationLineData(
        item_id=row["item_id"], warehouse_id=row["warehouse_id"], quantity=quantity
    )


def seed(ctx: DemoContext) -> None:
    incident = Incident.objects.filter(title=CANAL_PIPING).select_related("jurisdiction").first()
    duty = ctx.users.get("linqing_duty")
    approver = ctx.users.get("linqing_approver")
    if incident is None or duty is None or approver is None:
        return
    if AllocationRequest.objects.filter(incident=incident).exists():
        ctx.report.count("allocations", False)
        return
    sandbags = _source(incident, "编织袋", 3000)
    jackets = _source(incident, "救生衣", 200)
    if sandbags is None or jackets is None:
        return
    now = timezone.now()
    first = services.create_allocation(
        actor=duty,
        data={
            "incident_id": incident.pk,
            "purpose": "西堤管涌处置：反滤围井、堤后压渗平台用编织袋，抢险人员水上作业配救生衣。",
            "destination": DESTINATION,
            "needed_by": now - datetime.timedelta(hours=2),
            **RECEIVER,
        },
        lines=[sandbags, jackets],
    )
    services.submit_allocation(actor=duty, allocation_id=first.pk)
    services.approve_allocation(
        actor=approver, allocation_id=first.pk, note="同意，优先保障管涌险工段。"
    )
    services.record_delivery(actor=duty, allocation_id=first.pk)
    ctx.report.count("allocations", True)

    more = _source(incident, "编织袋", 2000)
    if more is None:
        return
    second = services.create_allocation(
        actor=duty,
        data={
            "incident_id": incident.pk,
            "purpose": "上游来水持续增加，西堤加高培厚续用编织袋。",
            "destination": DESTINATION,
            "needed_by": now + datetime.timedelta(hours=4),
            **RECEIVER,
        },
        lines=[more],
    )
    services.submit_allocation(actor=duty, allocation_id=second.pk)
    ctx.report.count("allocations", True)
