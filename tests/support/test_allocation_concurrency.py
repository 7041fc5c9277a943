"""Allocations at the same moment (PostgreSQL row locks): two approvals of one request
issue once; twenty approvals of different requests drawing on one batch never take it
below zero, and the batch equals the sum of its movements after."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from core.exceptions import ConflictError, InvalidTransition
from core.models import Event
from support.allocation import services
from support.choices import AllocationStatus, MovementKind
from support.models import AllocationRequest, StockBatch, StockMovement
from tests.dispatch.test_concurrency import _run_concurrently
from tests.support.allocation_fixtures import line, stock, stock_world, submitted

__all__ = ["stock_world"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_issue_once(stock_world):
    w = stock_world
    allocation = submitted(w)
    approvers = [w.approver_a, w.approver_city]

    def approve(i: int) -> str:
        try:
            services.approve_allocation(actor=approvers[i % 2], allocation_id=allocation.pk)
        except InvalidTransition as refused:
            return refused.code
        return "approved"

    results, errors = _run_concurrently(approve, 2)
    assert errors == []
    assert sorted(results) == ["approved", "invalid_transition"]
    assert StockMovement.objects.filter(kind=MovementKind.ISSUE).count() == 2
    w.batch_a.refresh_from_db()
    assert w.batch_a.quantity == 3000
    assert Event.objects.filter(type="allocation.approved").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_approvals_drawing_one_batch_never_overdraw_it(stock_world):
    w = stock_world
    batch = stock(w.station_a, w.jackets, 150, batch="J-1")
    requests = [
        submitted(w, lines=[line(w.station_a, w.jackets, 10), line(w.store_a, w.sandbags, 5)])
        for _ in range(20)
    ]
    approvers = [w.approver_a, w.admin_a, w.approver_city, w.admin_city]

    def approve(i: int) -> str:
        try:
            services.approve_allocation(
                actor=approvers[i % len(approvers)], allocation_id=requests[i].pk
            )
        except ConflictError as refused:
            return refused.code
        return "approved"

    results, errors = _run_concurrently(approve, 20)
    assert errors == []
    assert results.count("approved") == 15, results
    assert results.count("insufficient_stock") == 5
    batch.refresh_from_db()
    assert batch.quantity == 0
    moved = StockMovement.objects.filter(batch=batch).aggregate(total=Sum("delta"))["total"]
    assert batch.quantity == moved  # 150 received, 15 × 10 issued
    assert AllocationRequest.objects.filter(status=AllocationStatus.APPROVED).count() == 15
    # The refused requests drew nothing, not even their sandbag line.
    w.batch_a.refresh_from_db()
    assert w.batch_a.quantity == Decimal(5000 - 15 * 5)
    assert StockBatch.objects.filter(quantity__lt=0).count() == 0
