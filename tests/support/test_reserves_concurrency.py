"""Stock never goes negative under concurrency (issue 14): many issuers draw one batch at
the same moment; receipts of one new batch at once make one batch. Row locks: PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from support.models import StockBatch, StockMovement
from support.reserves import services
from support.reserves.stock import InsufficientStock
from tests.support.reserves_fixtures import *  # noqa: F403 (the fixtures)
from tests.support.reserves_fixtures import put

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_concurrently(fn, n):
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = fn(i)
        except Exception as exc:  # counted by the tests
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return results, errors


def test_fifty_concurrent_issues_from_one_batch_never_overdraw_it(reserves_world):
    w = reserves_world
    batch = put(w.wh_a, w.sandbag, 30).batch

    def issue(i):
        return services.issue_stock(
            actor=w.duty_officer_a,
            warehouse_id=w.wh_a.pk,
            item_id=w.sandbag.pk,
            quantity=1,
            reason=f"抢险 {i}",
        )

    results, errors = _run_concurrently(issue, 50)
    assert all(isinstance(e, InsufficientStock) for e in errors), errors
    issued = [r for r in results if r]
    assert (len(issued), len(errors)) == (30, 20)
    batch.refresh_from_db()
    assert batch.quantity == 0
    movements = StockMovement.objects.filter(batch=batch)
    assert sum(m.delta for m in movements) == batch.quantity
    # Each movement's balance is its predecessor's minus one: no two read the same stock.
    balances = sorted(m.balance for m in movements.filter(kind="issue"))
    assert balances == [Decimal(n) for n in range(30)]
    assert services.check_stock() == []


def test_concurrent_receipts_of_one_new_batch_make_one_batch(reserves_world):
    w = reserves_world

    def receive(i):
        return services.receive_stock(
            actor=w.duty_officer_a,
            warehouse_id=w.wh_a.pk,
            item_id=w.lifejacket.pk,
            quantity=5,
            batch_number="NEW-1",
        )

    _results, errors = _run_concurrently(receive, 10)
    assert errors == []
    batch = StockBatch.objects.get(warehouse=w.wh_a, item=w.lifejacket)
    assert batch.quantity == 50
    assert services.check_stock() == []
