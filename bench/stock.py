#!/usr/bin/env python
"""Material reserves (issue 14): 100,000 stock movements over 1,000 items — how long the
stock-on-hand reads take, and how many issues per second ``issue_stock`` sustains with 20
concurrent issuers, spread over many batches and all on one hot batch, with the books
checked afterwards (no batch below zero, every batch equal to the sum of its movements).

Works in a throwaway database (``<name>_bench`` on the PostgreSQL server of
DATABASE_URL, dropped afterwards; a temporary SQLite file when DATABASE_URL is unset —
SQLite has no row locks, so there the issuers run one at a time and the figures are only
indicative). The 100,000 movements are bulk-inserted as setup (not measured, no history
rows); every measured issue goes through the service.

Prints:
  on hand (all)       stock_on_hand() over every warehouse and item — median of R runs
  on hand (1 wh)      stock_on_hand(warehouse_ids=[one]) — the warehouse page's read
  summary             warehouse_summary() of the 10 warehouses — the list page's read
  check_stock         the audit over every batch
  issue spread        20 issuers × N issues of 1 unit on random items of one warehouse
  issue hot           20 issuers × N issues of 1 unit from ONE batch (they queue on its lock)
and the ratios hot/spread and 1 wh/all.

    .venv/bin/python bench/stock.py                                # SQLite
    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/stock.py                            # PostgreSQL (target)
    .venv/bin/python bench/stock.py --items 1000 --movements 100000 --issuers 20 --issues 25

Exit status 1 if a batch disagrees with its movements or anything went below zero.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import in_throwaway_django  # noqa: E402

PYTHON = sys.executable
WAREHOUSES = 10


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def seed(items: int, movements: int):
    """A county, its bureau with a duty officer, WAREHOUSES warehouses and ``items``
    catalogue items; one batch per warehouse and item, and ``movements`` movements spread
    over them (a receipt then issues), the batches equal to their sums. Setup only."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from core.models import Jurisdiction, Organisation, User
    from support.models import ReserveItem, StockBatch, StockMovement, Warehouse

    def place(code, name, level, parent=None):
        return Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )[0]

    province = place("370000", "山东省", "province")
    city = place("371500", "聊城市", "city", province)
    county = place("371581", "临清市", "county", city)
    bureau = Organisation.objects.create(
        name="临清市应急管理局", kind="emergency_bureau", jurisdiction=county
    )
    duty = User.objects.create_user(
        username="bench_duty", password=secrets.token_urlsafe(), organisation=bureau
    )
    duty.groups.add(Group.objects.get(name="duty_officer"))
    houses = [
        Warehouse.objects.create(
            name=f"储备库{n}",
            kind="government",
            owner=bureau,
            jurisdiction=county,
            keeper_name="库管员",
            keeper_phone=f"139053{n:05d}",
        )
        for n in range(WAREHOUSES)
    ]
    catalogue = ReserveItem.objects.bulk_create(
        [
            ReserveItem(code=f"B-{n:05d}", name=f"物资{n}", unit="件", category="flood")
            for n in range(items)
        ]
    )
    per_batch = max(2, movements // (WAREHOUSES * items))
    now = timezone.now()
    batches = StockBatch.objects.bulk_create(
        [
            StockBatch(
                warehouse=w,
                item=i,
                batch_number="B1",
                quantity=Decimal(100_000 - (per_batch - 1)),
            )
            for w in houses
            for i in catalogue
        ],
        batch_size=1000,
    )
    rows = []
    written = 0
    for batch in batches:
        balance = Decimal(100_000)
        rows.append(
            StockMovement(batch=batch, kind="receive", delta=balance, balance=balance, at=now)
        )
        for _ in range(per_batch - 1):
            balance -= 1
            rows.append(StockMovement(batch=batch, kind="issue", delta=-1, balance=balance, at=now))
        if len(rows) >= 5000:
            StockMovement.objects.bulk_create(rows, batch_size=1000)
            written += len(rows)
            rows = []
    StockMovement.objects.bulk_create(rows, batch_size=1000)
    written += len(rows)
    return duty, houses, catalogue, written


def run_issuers(actor, warehouse, pick, issuers: int, issues: int, parallel: bool):
    from django.db import close_old_connections, connection

    from support.reserves import services

    errors: list[Exception] = []
    done = [0]
    lock = threading.Lock()

    def worker(seed_value: int):
        rng = random.Random(seed_value)
        try:
            for _ in range(issues):
                services.issue_stock(
                    actor=actor,
                    warehouse_id=warehouse.pk,
                    item_id=pick(rng).pk,
                    quantity=1,
                    reason="bench",
                )
                with lock:
                    done[0] += 1
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    start = time.perf_counter()
    if parallel:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(issuers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for n in range(issuers):
            worker(n)
    elapsed = time.perf_counter() - start
    return done[0], elapsed, errors


def measure(args) -> int:
    from django.db import connection

    from support.models import StockBatch
    from support.reserves.selectors import stock_on_hand, warehouse_summary
    from support.reserves.services import check_stock

    vendor = connection.vendor
    parallel = vendor == "postgresql"
    print(f"# stock bench on {vendor}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    start = time.perf_counter()
    duty, houses, catalogue, written = seed(args.items, args.movements)
    print(
        f"seeded {written:,} movements over {len(catalogue):,} items in {WAREHOUSES} warehouses"
        f" ({StockBatch.objects.count():,} batches) in {time.perf_counter() - start:.1f} s"
    )

    all_on_hand = median_seconds(lambda: stock_on_hand(), args.runs)
    one = houses[0]
    one_on_hand = median_seconds(lambda: stock_on_hand(warehouse_ids=[one.pk]), args.runs)
    summary = median_seconds(lambda: warehouse_summary(houses), args.runs)
    audit = median_seconds(check_stock, 1)
    print(f"on hand (all)      {all_on_hand * 1000:8.1f} ms  ({len(stock_on_hand()):,} rows)")
    print(f"on hand (1 wh)     {one_on_hand * 1000:8.1f} ms")
    print(f"summary (10 wh)    {summary * 1000:8.1f} ms")
    print(f"check_stock        {audit * 1000:8.1f} ms")

    hot_item = catalogue[0]
    spread_done, spread_s, spread_errors = run_issuers(
        duty, one, lambda rng: rng.choice(catalogue[1:]), args.issuers, args.issues, parallel
    )
    hot_done, hot_s, hot_errors = run_issuers(
        duty, houses[1], lambda rng: hot_item, args.issuers, args.issues, parallel
    )
    mode = f"{args.issuers} concurrent" if parallel else f"{args.issuers} sequential (SQLite)"
    spread_rate, hot_rate = spread_done / spread_s, hot_done / hot_s
    print(
        f"issue spread       {spread_rate:8.1f} issues/s"
        f"  ({spread_done} in {spread_s:.2f} s, {mode})"
    )
    print(f"issue hot          {hot_rate:8.1f} issues/s  ({hot_done} in {hot_s:.2f} s, one batch)")
    print(f"ratio hot/spread   {hot_rate / spread_rate:8.2f}")
    print(f"ratio 1 wh/all     {one_on_hand / all_on_hand:8.2f}")

    failures = [*spread_errors, *hot_errors]
    for exc in failures[:5]:
        print(f"error: {exc!r}", file=sys.stderr)
    wrong = check_stock()
    negative = StockBatch.objects.filter(quantity__lt=0).count()
    hot = StockBatch.objects.get(warehouse=houses[1], item=hot_item)
    expected_hot = (
        Decimal(100_000 - (max(2, args.movements // (WAREHOUSES * args.items)) - 1)) - hot_done
    )
    print(
        f"books: {len(wrong)} batch(es) disagree, {negative} negative;"
        f" hot batch {hot.quantity} (expected {expected_hot})"
    )
    return 1 if wrong or negative or failures or hot.quantity != expected_hot else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--movements", type=int, default=100_000)
    parser.add_argument("--issuers", type=int, default=20)
    parser.add_argument("--issues", type=int, default=25)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (10 <= args.items <= 10_000 and 1 <= args.issuers <= 100 and 1 <= args.issues <= 1000):
        parser.error("10..10,000 items, 1..100 issuers, 1..1,000 issues each")

    return in_throwaway_django(lambda: measure(args))


if __name__ == "__main__":
    sys.exit(main())
