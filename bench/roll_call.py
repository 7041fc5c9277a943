#!/usr/bin/env python
"""Roll calls at county-and-city scale: start one over 5,000 forces, deliver every
notification, and load the roll-call report with 50 roll calls of history.

Works in a throwaway database (``<name>_bench`` on the PostgreSQL server of
DATABASE_URL, dropped afterwards; a temporary SQLite file when DATABASE_URL is unset).
Tasks run in-process (no broker), so "deliver" is the delivery task's own work.

Prints, for F forces (default 5,000):
  create   start_roll_call: the roll call, F targets, its event, COMMIT
  deliver  deliver_roll_call: every target marked notified, its event, COMMIT
  report   GET /duty/rollcalls/report/ as a duty officer, with H closed roll calls of
           F targets each (default 50 × 5,000 = 250,000 targets), median of 5 runs,
           and its number of SQL queries; the same for the Excel export and the API.
Beside each, per-target cost, and the report's time against one plain
``SELECT COUNT(*)`` over the same targets (the floor of any report that reads them).

    .venv/bin/python bench/roll_call.py                        # SQLite
    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/roll_call.py                    # PostgreSQL (preferred)
    .venv/bin/python bench/roll_call.py --forces 5000 --history 50
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import throwaway_database  # noqa: E402

PYTHON = sys.executable
DEPARTMENTS = 50
CATEGORIES = ("government", "enterprise", "social", "expert")


def seed(forces: int):
    """A county with DEPARTMENTS departments, ``forces`` forces, a dispatcher, a duty
    officer and a force account. Bulk inserts: this is setup, not measured."""
    from django.contrib.auth.models import Group

    from core.models import Jurisdiction, Organisation, User
    from forces.models import Force

    def place(code, name, level, parent=None):
        return Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )[0]

    province = place("370000", "山东省", "province")
    city = place("371500", "聊城市", "city", province)
    county = place("371581", "临清市", "county", city)
    fire = Organisation.objects.create(
        name="临清市消防救援大队", kind="fire_rescue", jurisdiction=county
    )
    bureau = Organisation.objects.create(
        name="临清市应急管理局", kind="emergency_bureau", jurisdiction=county
    )
    departments = [
        Organisation.objects.create(
            name=f"临清市第{n:02d}部门", kind="industry_department", jurisdiction=county
        )
        for n in range(DEPARTMENTS)
    ]
    Force.objects.bulk_create(
        [
            Force(
                name=f"救援队{n:05d}",
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

    dispatcher = user("bench_dispatcher", fire, "fire_dispatcher")
    duty = user("bench_duty", bureau, "duty_officer")
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
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (1 <= args.forces <= 100_000 and 0 <= args.history <= 500):
        parser.error("1..100000 forces and 0..500 roll calls of history")

    with tempfile.TemporaryDirectory(prefix="linkage-bench-") as tmp:
        with throwaway_database(Path(tmp)) as database_url:
            env = dict(os.environ)
            env.pop("REDIS_URL", None)
            env.update(
                DJANGO_SETTINGS_MODULE="config.settings",
                DATABASE_URL=database_url,
                DJANGO_DEBUG="0",
                DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
                DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1",
                DJANGO_SECURE_SSL_REDIRECT="0",
                CELERY_TASK_ALWAYS_EAGER="1",
                LOG_LEVEL="WARNING",
            )
            migrate = subprocess.run(
                [PYTHON, "manage.py", "migrate", "--noinput"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            if migrate.returncode:
                print(migrate.stdout[-2000:], migrate.stderr[-3000:], file=sys.stderr)
                return 2
            os.environ.update(env)
            sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            from django.conf import settings

            # Pages without collectstatic: plain static URLs (what is timed is the view).
            settings.STORAGES = {
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
            return measure(args)


def measure(args) -> int:
    from django.db import connection
    from django.test import Client

    from duty.models import RollCallTarget
    from duty.rollcalls import services

    county, dispatcher, duty = seed(args.forces)
    print(
        f"Linkage roll calls — {args.forces} forces, {args.history} roll calls of history\n"
        f"{connection.vendor}, tasks in-process; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    history(county, dispatcher, args.history)

    # create: the roll call and its targets, up to COMMIT; delivery held back to time it
    saved = services._deliver_after_commit
    services._deliver_after_commit = lambda pk: None
    try:
        t0 = time.perf_counter()
        roll_call = services.start_roll_call(actor=dispatcher, jurisdiction=county)
        create = time.perf_counter() - t0
    finally:
        services._deliver_after_commit = saved
    t0 = time.perf_counter()
    notified = services.deliver_roll_call(roll_call_id=roll_call.pk)
    deliver = time.perf_counter() - t0
    targets = roll_call.targets.count()
    missing = roll_call.targets.filter(notified_at__isnull=True).count()

    client = Client()
    client.force_login(duty)
    pages = [
        ("report page", "/duty/rollcalls/report/"),
        ("Excel export", "/duty/rollcalls/report.xlsx"),
        ("report API", "/api/v1/duty/roll-call-report/"),
    ]
    rows = []
    for label, url in pages:
        client.get(url)  # warm-up
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        if response.status_code != 200:
            print(f"{label}: HTTP {response.status_code}", file=sys.stderr)
            return 1
        seconds, _ = median_time(lambda url=url: client.get(url), args.runs)
        rows.append((label, seconds, len(executed)))
    history_targets = RollCallTarget.objects.exclude(roll_call=roll_call).count()
    floor, _ = median_time(
        lambda: RollCallTarget.objects.exclude(roll_call=roll_call).count(), args.runs
    )

    print(f"{'step':<28}{'time':>12}{'per target':>14}{'queries':>10}")
    print("-" * 64)
    print(
        f"{'create (' + str(targets) + ' targets)':<28}{create * 1000:>9.0f} ms"
        f"{create / targets * 1e6:>11.1f} µs"
    )
    print(
        f"{'deliver (' + str(notified) + ' notified)':<28}{deliver * 1000:>9.0f} ms"
        f"{deliver / max(notified, 1) * 1e6:>11.1f} µs"
    )
    print(f"{'create + deliver':<28}{(create + deliver) * 1000:>9.0f} ms")
    for label, seconds, queries in rows:
        print(
            f"{label:<28}{seconds * 1000:>9.0f} ms"
            f"{seconds / max(history_targets, 1) * 1e6:>11.2f} µs{queries:>10}"
        )
    print(
        f"\nreport over {history_targets} targets; one SELECT COUNT(*) over them: "
        f"{floor * 1000:.0f} ms; report page / count = {rows[0][1] / floor:.1f}×"
    )
    print(f"undelivered after deliver: {missing}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
