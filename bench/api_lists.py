#!/usr/bin/env python
"""API lists against their own SQL: the first page of the forces, personnel, incidents
and orders lists, as a county duty officer and as a province user, beside the time the
very queries that request ran take on a bare cursor.

Works in a throwaway database (``<name>_bench`` on the PostgreSQL server of
DATABASE_URL, dropped afterwards; a temporary SQLite file when DATABASE_URL is unset),
seeded in bulk with a city's volume (by default 5,000 forces, 20,000 personnel, 2,000
incidents with a plan each and 10,000 orders) over a province, a city and ten counties.

For each list and user:
  api    median time of ``GET <list>`` through Django's test client (signed in with a
         session, as a browser would be): authentication, permissions, the queries,
         serialisation, JSON rendering — the default page size (50).
  sql    median time of the same statements, captured from one request
         (CaptureQueriesContext) and replayed on the raw database cursor, every row
         fetched: the floor any implementation of the page stands on.
  ratio  api / sql. Target ≤ 3 ×; exit status 1 when a list misses it.

The two are timed in turns (a request, its SQL, a request, …) so that a machine whose
load changes during the run slows both alike.

    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/api_lists.py                  # PostgreSQL (preferred)
    .venv/bin/python bench/api_lists.py --forces 1000 --runs 15
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import in_throwaway_django

TARGET = 3.0
LISTS = (
    ("forces", "/api/v1/forces/forces/"),
    ("personnel", "/api/v1/forces/personnel/"),
    ("incidents", "/api/v1/command/incidents/"),
    ("orders", "/api/v1/dispatch/orders/"),
)
COUNTIES = 10


def seed(forces: int, personnel: int, incidents: int, orders_per_plan: int):
    """A province, a city and ten counties, each with its bureau, fire brigade and
    departments; forces, personnel, incidents, one approved plan per incident with its
    orders — in bulk (no history, no events: setup, not measured). Returns the county
    duty officer and the province user."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from command.models import Incident, IncidentType
    from core.models import Jurisdiction, Organisation, User
    from dispatch.models import CallOutOrder, CallOutPlan, PlanLine
    from forces.models import Force, Personnel, Specialty

    def place(code, name, level, parent=None):
        return Jurisdiction.objects.create(code=code, name=name, level=level, parent=parent)

    province = place("370000", "山东省", "province")
    city = place("371500", "聊城市", "city", province)
    counties = [place(f"3715{21 + n:02d}", f"第{n + 1}县", "county", city) for n in range(COUNTIES)]
    province_bureau = Organisation.objects.create(
        name="山东省应急管理厅", kind="emergency_bureau", jurisdiction=province, linkage_tier=1
    )
    orgs, bureaus = [], []
    for n, county in enumerate(counties):
        bureaus.append(
            Organisation.objects.create(
                name=f"第{n + 1}县应急管理局",
                kind="emergency_bureau",
                jurisdiction=county,
                linkage_tier=1,
            )
        )
        for k in range(5):
            orgs.append(
                Organisation.objects.create(
                    name=f"第{n + 1}县第{k + 1}部门",
                    kind="industry_department",
                    jurisdiction=county,
                    linkage_tier=1 + k % 3,
                    duty_phone=f"0635-6{n:02d}{k:04d}",
                )
            )

    def user(username, org, role):
        u = User.objects.create_user(username=username, password="bench-Linkage-2026")
        u.organisation = org
        u.save(update_fields=["organisation"])
        u.groups.add(Group.objects.get(name=role))
        return u

    duty = user("bench_duty_county", bureaus[0], "duty_officer")
    province_user = user("bench_duty_province", province_bureau, "duty_officer")

    specialties = [
        Specialty.objects.get_or_create(code=f"bench{n}", defaults={"name": f"专业{n}"})[0]
        for n in range(6)
    ]
    rows = []
    for n in range(forces):
        org = orgs[n % len(orgs)]
        rows.append(
            Force(
                name=f"救援队{n:05d}",
                category="social",
                organisation=org,
                jurisdiction_id=org.jurisdiction_id,
                address=f"第{n}号",
                headcount=10 + n % 40,
                duty_phone=f"0635-7{n:06d}",
                leader_name="张明",
                leader_phone=f"138{n:08d}",
                comm_means=["phone", "radio"] if n % 2 else ["phone"],
                linkage_tier_override=2 if n % 7 == 0 else None,
            )
        )
    made = Force.objects.bulk_create(rows, batch_size=1000)
    through = Force.specialties.through
    through.objects.bulk_create(
        [
            through(force_id=force.pk, specialty_id=specialties[(i + k) % 6].pk)
            for i, force in enumerate(made)
            for k in range(2)
        ],
        batch_size=5000,
    )
    Personnel.objects.bulk_create(
        [
            Personnel(
                force=made[n % len(made)],
                name=f"队员{n:05d}",
                gender="male" if n % 2 else "female",
                id_number="11010519491231002X",
                phone=f"139{n:08d}",
                position="队员",
                specialty=specialties[n % 6],
                medical_exam_date=dt.date(2026, 1, 1),
            )
            for n in range(personnel)
        ],
        batch_size=2000,
    )
    kind = IncidentType.objects.get_or_create(
        code="11A01", defaults={"name": "洪水", "category": "natural"}
    )[0]
    now = timezone.now()
    made_incidents = Incident.objects.bulk_create(
        [
            Incident(
                title=f"第{n}号险情",
                received_at=now - dt.timedelta(minutes=n),
                source="119",
                incident_type=kind,
                level="iv",
                jurisdiction=counties[n % COUNTIES],
                address=f"第{n}号路口",
                caller_name="李四",
                callback_phone=f"137{n:08d}",
                first_receiver=bureaus[n % COUNTIES],
                description="堤坝渗水，需要增援。",
                reported_by=duty,
            )
            for n in range(incidents)
        ],
        batch_size=1000,
    )
    plans = CallOutPlan.objects.bulk_create(
        [
            CallOutPlan(
                incident=incident,
                jurisdiction_id=incident.jurisdiction_id,
                task="抢险",
                reason="险情扩大",
                status="approved",
                drafted_by=duty,
                decided_by=duty,
                decided_at=now,
            )
            for incident in made_incidents
        ],
        batch_size=1000,
    )
    by_county: dict[int, list] = {}
    for force in made:
        by_county.setdefault(force.jurisdiction_id, []).append(force)
    lines, orders = [], []
    for n, plan in enumerate(plans):
        pool = by_county[plan.jurisdiction_id]
        for k in range(orders_per_plan):
            force = pool[(n * orders_per_plan + k) % len(pool)]
            lines.append(PlanLine(plan=plan, force=force, task="巡堤", people=5))
            orders.append(
                CallOutOrder(
                    plan=plan,
                    force=force,
                    number=f"DD{n:05d}{k:02d}",
                    task="巡堤",
                    people=5,
                    status=("issued", "acknowledged", "arrived")[k % 3],
                    issued_at=now - dt.timedelta(minutes=n, seconds=k),
                    ack_deadline=now + dt.timedelta(minutes=10),
                    last_step_by=duty if k % 3 else None,
                )
            )
    PlanLine.objects.bulk_create(lines, batch_size=2000)
    CallOutOrder.objects.bulk_create(orders, batch_size=2000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return duty, province_user


def api_once(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.content[:300]!r}")
    return elapsed


def sql_once(statements: list[str]) -> float:
    """The statements on the driver's own cursor, every row fetched: no Django."""
    from django.db import connection

    connection.ensure_connection()
    start = time.perf_counter()
    cursor = connection.connection.cursor()
    for sql in statements:
        cursor.execute(sql)
        if cursor.description is not None:
            cursor.fetchall()
    cursor.close()
    return time.perf_counter() - start


def time_pair(client, url: str, statements: list[str], runs: int) -> tuple[float, float]:
    """Medians of the request and of its SQL, taken in turns so that both see the same
    machine (a loaded one slows both)."""
    api, sql = [], []
    for _ in range(runs):
        api.append(api_once(client, url))
        sql.append(sql_once(statements))
    return statistics.median(api), statistics.median(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forces", type=int, default=5000)
    parser.add_argument("--personnel", type=int, default=20000)
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--orders-per-plan", type=int, default=5)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument(
        "--queries", action="store_true", help="print each statement with its own time"
    )
    args = parser.parse_args()
    if not (100 <= args.forces <= 50000 and 1 <= args.orders_per_plan <= 10):
        parser.error("100..50,000 forces, 1..10 orders per plan")
    if not (1 <= args.incidents <= 20000 and 1 <= args.personnel <= 200000):
        parser.error("1..20,000 incidents, 1..200,000 personnel")
    if not 3 <= args.runs <= 200:
        parser.error("3..200 runs")
    return in_throwaway_django(lambda: measure(args))


def measure(args) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Without collectstatic, whitenoise warns once; that is not news.
    warnings.filterwarnings("ignore", message="No directory at")
    load = os.getloadavg()[0]
    started = time.perf_counter()
    duty, province_user = seed(args.forces, args.personnel, args.incidents, args.orders_per_plan)
    print(
        f"{connection.vendor}, Python {platform.python_version()}, load average {load:.2f}; "
        f"seeded {args.forces:,} forces, {args.personnel:,} personnel, "
        f"{args.incidents:,} incidents, {args.incidents * args.orders_per_plan:,} orders "
        f"in {time.perf_counter() - started:.1f} s; median of {args.runs} runs"
    )
    print()
    header = f"{'list':<10} {'user':<9} {'rows':>5} {'of':>7} {'queries':>7} "
    header += f"{'api ms':>8} {'sql ms':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    missed = []
    for who, user in (("county", duty), ("province", province_user)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for name, url in LISTS:
            client.get(url)  # warm: caches of the URL resolver, the serializer fields
            with CaptureQueriesContext(connection) as captured:
                body = client.get(url).json()
            rows, count = len(body["results"]), body["count"]
            statements = [q["sql"] for q in captured.captured_queries]
            api, sql = time_pair(client, url, statements, args.runs)
            ratio = api / sql
            if ratio > TARGET:
                missed.append(f"{name} ({who})")
            print(
                f"{name:<10} {who:<9} {rows:>5} {count:>7,} {len(statements):>7} "
                f"{api * 1000:>8.2f} {sql * 1000:>8.2f} {ratio:>5.1f}×"
            )
            if args.queries:
                for statement in statements:
                    alone = statistics.median(sql_once([statement]) for _ in range(args.runs))
                    alone *= 1000
                    print(f"    {alone:8.2f} ms  {statement[:600]}")
    print()
    if missed:
        print(f"MISSED: api/sql > {TARGET:.0f} × for {', '.join(missed)}")
        return 1
    print(f"every list within {TARGET:.0f} × of its own SQL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
