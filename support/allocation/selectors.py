"""Reads of allocations shared by the pages, the API, the incident page and the hall
screen (constant queries whatever the number of requests and lines)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum

from core.roles import Role
from support.allocation.permissions import REQUESTER_ROLES
from support.choices import OPEN_ALLOCATION_STATUSES, AllocationStatus
from support.models import AllocationLine, AllocationRequest, StockBatch
from support.permissions import SUPPORT_READERS, active

__all__ = [
    "allocation_detail",
    "incident_allocations",
    "on_hand",
    "open_allocations",
    "visible_allocations",
]

KEEPER_ROLES = (Role.DEPARTMENT_EDITOR, Role.ADMINISTRATOR)
LINES = Prefetch(
    "lines",
    queryset=AllocationLine.objects.select_related("item", "warehouse").order_by("pk"),
)


def visible_allocations(user: Any) -> QuerySet[AllocationRequest]:
    """``SUPPORT_READERS`` read the requests of their jurisdiction and below; any
    requesting unit reads its own; a warehouse's keepers read those drawing on it."""
    base = AllocationRequest.objects.select_related(
        "jurisdiction", "incident", "requesting_organisation", "requested_by"
    ).prefetch_related(LINES)
    if not active(user):
        return base.none()
    if user.is_superuser:
        return base.all()
    condition = Q(pk__in=[])
    jurisdiction = user.jurisdiction
    if jurisdiction is not None and user.has_role(*SUPPORT_READERS):
        condition |= Q(jurisdiction__path__startswith=jurisdiction.path)
    if user.organisation_id is not None and user.has_role(*REQUESTER_ROLES):
        condition |= Q(requesting_organisation_id=user.organisation_id)
    if user.organisation_id is not None and user.has_role(*KEEPER_ROLES):
        condition |= Q(
            pk__in=AllocationLine.objects.filter(warehouse__owner_id=user.organisation_id).values(
                "request_id"
            )
        )
    return base.filter(condition)


def allocation_detail(user: Any, allocation_id: int) -> AllocationRequest | None:
    return visible_allocations(user).filter(pk=allocation_id).first()


def incident_allocations(user: Any, incident_id: int) -> list[AllocationRequest]:
    return list(visible_allocations(user).filter(incident_id=incident_id).order_by("-created_at"))


def open_allocations(user: Any, *, limit: int = 12) -> tuple[list[AllocationRequest], int]:
    """The hall screen's panel: requests of the user's jurisdiction and below not yet
    received (drafts left out), soonest needed first, and how many there are (two
    queries and the lines' prefetch)."""
    statuses = OPEN_ALLOCATION_STATUSES - {AllocationStatus.DRAFT}
    rows = AllocationRequest.objects.visible_to(user).filter(status__in=statuses)
    found = list(
        rows.select_related("incident").prefetch_related(LINES).order_by("needed_by", "pk")[:limit]
    )
    return found, rows.count()


def on_hand(*, warehouse_ids=None, item_ids=None) -> dict[tuple[int, int], Decimal]:
    """Stock on hand per (warehouse, item), one aggregate query."""
    rows = StockBatch.objects.all()
    if warehouse_ids is not None:
        rows = rows.filter(warehouse_id__in=list(warehouse_ids))
    if item_ids is not None:
        rows = rows.filter(item_id__in=list(item_ids))
    return {
        (row["warehouse_id"], row["item_id"]): row["total"] or Decimal(0)
        for row in rows.values("warehouse_id", "item_id").annotate(total=Sum("quantity"))
    }
