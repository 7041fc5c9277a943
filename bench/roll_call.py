#!/usr/bin/env python
"""Roll calls at county-and-city scale: start one over 5,000 forces, deliver every
notification, start one over 50,000 forces, and load the roll-call report with 50 roll
calls of history.

Works in a throwaway database (``<name>_bench`` on the PostgreSQL server of
DATABASE_URL, dropped afterwards; a temporary SQLite file when DATABASE_URL is unset),
set up by bench/harness.py. Tasks run in-process (no broker), so "deliver" is the
delivery task's own work.

Prints, for F forces (default 5,000):
  create   start_roll_call: the roll call, F targets, one notification and its SMS
           delivery per target in the outbox, its event, COMMIT (sending held back: that
           is the worker's job after the commit)
  deliver  deliver_roll_call: every target marked notified, its event, COMMIT
  big      create over B forces (default 50,000) of another county; target < 5 s
  report   GET /duty/rollcalls/report/ as a duty officer over every closed roll call of
           the history (H × F targets, default 50 × 5,000 = 250,000), median of R runs,
           and its number of SQL queries; the same for the Excel export and the API.
Beside each, per-target cost, and the report's time against one plain
``SELECT COUNT(*)`` over the same targets (the floor of any report that reads them);
target ≤ 5 × for the page, the Excel export and the API. Exit status 1 when a target is
missed or a notification is left undelivered.

    .venv/bin/python bench/roll_call.py                        # SQLite
    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/roll_call.py                    # PostgreSQL (preferred)
    .venv/bin/python bench/roll_call.py --forces 5000 --history 50 --big 50000
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import in_throwaway_django

DEPARTMENTS = 50
REPORT_TARGET = 5.0  # × one COUNT(*) over the same targets
BIG_TARGET = 5.0  # seconds to start a roll call over --big forces
CATEGORIES = ("government", "enterprise", "social", "expert")


def seed(forces: int, code: str = "371581", name: str = "临清市"):
    """A county with DEPARTMENTS departments, ``forces`` forces, a dispatcher and a duty
    officer. Bulk inserts: this is setup, not measured."""
    from django.contrib.auth.models import Group

    from core.models import Jurisdiction, Organisation, User
    from forces.models import Force

    def place(code, name, level, parent=None):
        return Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )[0]

    province = place("370000", "山东省", "province")
    city = place("371500", "聊城市", "city", province)
    county = place(code, name, "county", city)
    fire = Organisation.objects.create(
        name=f"{name}消防救援大队", kind="fire_rescue", jurisdiction=county
    )
    bureau = Organisation.objects.create(
        name=f"{name}应急管理局", kind="emergency_bureau", jurisdiction=county
    )
    departments = [
        Organisation.objects.create(
            name=f"{name}第{n:02d}部门", kind="industry_department", jurisdiction=county
        )
        for n in range(DEPARTMENTS)
    ]
    Force.objects.bulk_create(
        [
            Force(
                name=f"{name}救援队{n:05d}",
                category=CATEGORIES[n % len(CATEGORIES)],
                organisation=departments[n % DEPARTMENTS],
                jurisdiction=county,
                duty_phone="0635-2345678",
                headcount=20,
            )
            for n in range(forces)
        ],
        batch_size=1000,
    )

    def user(name, org, role):
        u = User.objects.create_user(
            username=name, password=secrets.token_urlsafe(), organisation=org
        )
        u.groups.add(Group.objects.get(name=role))
        return u

    dispatcher = user(f"bench_dispatcher_{code}", fire, "fire_dispatcher")
    duty = user(f"bench_duty_{code}", bureau, "duty_officer")
    return county, dispatcher, duty


def history(county, dispatcher, count: int) -> None:
    """``count`` closed roll calls over every force, dated back one a week, with a
    realistic mix of outcomes written in bulk (setup, not measured)."""
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from duty.models import RollCall, RollCallTarget
    from duty.rollcalls import services

    services_deliver = services._deliver_after_commit
    services._deliver_after_commit = lambda pk: None
    try:
        now = timezone.now()
        for n in range(count):
            services.start_roll_call(
                actor=dispatcher, jurisdiction=county, now=now - timedelta(days=7 * (n + 1))
            )
    finally:
        services._deliver_after_commit = services_deliver
    # 10 % no answer, about 11 % late, the rest on time; answer times spread over 10 min
    # (50 min for the late). Plain SQL, the same on PostgreSQL and SQLite.
    table = RollCallTarget._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET outcome = CASE WHEN id % 10 = 0 THEN 'no_answer' "
            "WHEN id % 8 = 0 THEN 'late' ELSE 'on_time' END"
        )
        cursor.execute(
            f"UPDATE {table} SET answer_seconds = (id * 37) % 600 WHERE outcome = 'on_time'"
        )
        cursor.execute(
            f"UPDATE {table} SET answer_seconds = 600 + (id * 37) % 3000 WHERE outcome = 'late'"
        )
    RollCall.objects.update(status="closed", closed_at=F("closes_at"))


def median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forces", type=int, default=5000)
    parser.add_argument("--history", type=int, default=50)
    parser.add_argument("--big", type=int, default=50_000, help="forces of the big roll call")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (1 <= args.forces <= 100_000 and 1 <= args.history <= 500):
        parser.error("1..100000 forces and 1..500 roll calls of history")
    if not 0 <= args.big <= 200_000:
        parser.error("0..200000 forces for the big roll call (0: skip it)")
    return in_throwaway_django(lambda: measure(args))


class held_back:
    """Side effects after COMMIT held back: delivery of the roll call and sending of its
    notifications, which the worker does after the commit (not what is timed)."""

    def __enter__(self):
        from duty.rollcalls import services
        from notify.services import outbox

        self.saved = services._deliver_after_commit, outbox.send_after_commit
        services._deliver_after_commit = lambda pk: None
        outbox.send_after_commit = lambda ids: None

    def __exit__(self, *exc):
        from duty.rollcalls import services
        from notify.services import outbox

        services._deliver_after_commit, outbox.send_after_commit = self.saved


def measure(args) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from duty.models import RollCall, RollCallTarget
    from duty.rollcalls import selectors as report_selectors
    from duty.rollcalls import services
    from notify.models import Delivery, Notification

    # Pages without collectstatic: plain static URLs (what is timed is the view).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    county, dispatcher, duty = seed(args.forces)
    print(
        f"Linkage roll calls — {args.forces} forces, {args.history} roll calls of history, "
        f"a roll call over {args.big} forces\n"
        f"{connection.vendor}, tasks in-process; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    with held_back():
        history(county, dispatcher, args.history)

    # create: the roll call, its targets and its notifications in the outbox, to COMMIT
    with held_back():
        t0 = time.perf_counter()
        roll_call = services.start_roll_call(actor=dispatcher, jurisdiction=county)
        create = time.perf_counter() - t0
    t0 = time.perf_counter()
    notified = services.deliver_roll_call(roll_call_id=roll_call.pk)
    deliver = time.perf_counter() - t0
    targets = roll_call.targets.count()
    missing = roll_call.targets.filter(notified_at__isnull=True).count()

    big = big_targets = big_outbox = 0
    if args.big:
        big_county, big_dispatcher, _duty = seed(args.big, code="371502", name="东昌府区")
        with held_back():
            t0 = time.perf_counter()
            big_call = services.start_roll_call(actor=big_dispatcher, jurisdiction=big_county)
            big = time.perf_counter() - t0
        big_targets = big_call.targets.count()
        big_outbox = Delivery.objects.filter(
            notification__in=Notification.objects.filter(
                object_id__in=big_call.targets.values("pk"), purpose="roll_call"
            )
        ).count()

    # The report over every closed roll call of the history: the same targets as the count.
    first = timezone.localdate(timezone.now() - timedelta(days=7 * args.history + 1))
    query = f"?start={first:%Y-%m-%d}&end={timezone.localdate():%Y-%m-%d}"
    client = Client()
    client.force_login(duty)
    pages = [
        ("report page", "/duty/rollcalls/report/"),
        ("Excel export", "/duty/rollcalls/report.xlsx"),
        ("report API", "/api/v1/duty/roll-call-report/"),
    ]
    rows = []
    for label, url in pages:
        client.get(url + query)  # warm-up
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url + query)
        if response.status_code != 200:
            print(f"{label}: HTTP {response.status_code}", file=sys.stderr)
            return 1
        seconds, _ = median_time(lambda url=url: client.get(url + query), args.runs)
        rows.append((label, seconds, len(executed)))
    selectors = []
    if connection.vendor == "postgresql":
        # The report's reads alone, both ways, in this run: one pass against one query
        # per breakdown (what the report did before; what SQLite still does).
        start, end = first, timezone.localdate()
        for label, way in (
            ("selector, one pass", report_selectors._answer_report_grouping_sets),
            ("selector, per breakdown", report_selectors._answer_report_by_group),
        ):
            seconds, _ = median_time(lambda way=way: way(duty, start, end), args.runs)
            selectors.append((label, seconds))
    closed = list(RollCall.objects.filter(status="closed").values_list("pk", flat=True))
    history_targets = RollCallTarget.objects.filter(roll_call_id__in=closed)
    reported = history_targets.count()
    floor, _ = median_time(history_targets.count, args.runs)

    print(f"{'step':<28}{'time':>12}{'per target':>14}{'queries':>10}{'× count':>10}")
    print("-" * 74)
    print(
        f"{'create (' + str(targets) + ' targets)':<28}{create * 1000:>9.0f} ms"
        f"{create / targets * 1e6:>11.1f} µs"
    )
    print(
        f"{'deliver (' + str(notified) + ' notified)':<28}{deliver * 1000:>9.0f} ms"
        f"{deliver / max(notified, 1) * 1e6:>11.1f} µs"
    )
    print(f"{'create + deliver':<28}{(create + deliver) * 1000:>9.0f} ms")
    if args.big:
        print(
            f"{'create (' + str(big_targets) + ' targets)':<28}{big * 1000:>9.0f} ms"
            f"{big / max(big_targets, 1) * 1e6:>11.1f} µs"
        )
    for label, seconds, queries in rows:
        print(
            f"{label:<28}{seconds * 1000:>9.0f} ms"
            f"{seconds / max(reported, 1) * 1e6:>11.2f} µs{queries:>10}{seconds / floor:>9.1f}×"
        )
    for label, seconds in selectors:
        print(
            f"{label:<28}{seconds * 1000:>9.0f} ms"
            f"{seconds / max(reported, 1) * 1e6:>11.2f} µs{'':>10}{seconds / floor:>9.1f}×"
        )
    print(
        f"{'SELECT COUNT(*)':<28}{floor * 1000:>9.1f} ms"
        f"{floor / max(reported, 1) * 1e6:>11.2f} µs{1:>10}{1:>9.1f}×"
    )
    missed = []
    print(f"\nreport over {reported} targets of {args.history} closed roll calls")
    for label, seconds, _queries in rows:
        if seconds / floor > REPORT_TARGET:
            missed.append(
                f"{label} {seconds / floor:.1f}× a COUNT(*) (target ≤ {REPORT_TARGET:g}×)"
            )
    if args.big:
        print(
            f"roll call over {big_targets} forces: created, {big_outbox} SMS deliveries in the "
            f"outbox, in {big:.2f} s (target < {BIG_TARGET:g} s)"
        )
        if big >= BIG_TARGET or big_outbox < big_targets:
            missed.append(f"roll call over {big_targets} forces in {big:.2f} s")
    print(f"undelivered after deliver: {missing}")
    if missing:
        missed.append(f"{missing} targets undelivered")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
