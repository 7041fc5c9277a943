#!/usr/bin/env python
"""Graded response (issue 13): activate a level-Ⅲ hazardous-chemicals response from a
manual of N lines (default 40) over D departments, then read the HQ board and the API
lists — with the number of SQL queries beside a 3-line manual's, which must be the same.

Works in a throwaway database (``<name>_bench`` on the PostgreSQL server of
DATABASE_URL, dropped afterwards; a temporary SQLite file when DATABASE_URL is unset).
Tasks run in-process; the hand-over after commit is held back so that activation is
timed on its own.

Prints, for the small manual (3 lines) and the large one (N lines):
  activate   activate_response: instructions, one notification each with its first
             deliveries, the step, response.activated and one instruction.sent per
             line (bulk), COMMIT — median of R runs on fresh incidents, and its queries
  board      response.selectors.board (departments → instructions, seats, steps)
  API lists  GET /api/v1/response/activations/ and /instructions/ as the duty officer

On SQLite the bulk inserts are cut into batches by its limit of 999 parameters per
statement, so a large manual may cost a query or two more there; PostgreSQL is the
reference (batches of 1,000 rows).

    .venv/bin/python bench/response.py                       # SQLite
    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/response.py                   # PostgreSQL (preferred)
    .venv/bin/python bench/response.py --lines 40 --departments 20 --runs 5
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import in_throwaway_django  # noqa: E402

PYTHON = sys.executable


def counted(fn) -> tuple[object, int]:
    from django.db import connection

    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = fn()
    return result, len(executed)


def seed(departments: int):
    """A county with its bureau (a duty officer), its fire brigade and ``departments``
    departments, each with a duty phone and an editor. Setup, not measured."""
    from django.contrib.auth.models import Group

    from command.models import IncidentType
    from core.models import Jurisdiction, Organisation, User

    def place(code, name, level, parent=None):
        return Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )[0]

    province = place("370000", "山东省", "province")
    city = place("371500", "聊城市", "city", province)
    county = place("371521", "阳谷县", "county", city)
    bureau = Organisation.objects.create(
        name="阳谷县应急管理局", kind="emergency_bureau", jurisdiction=county
    )
    editor_group = Group.objects.get(name="department_editor")
    orgs = []
    for n in range(departments):
        org = Organisation.objects.create(
            name=f"阳谷县第{n + 1}部门",
            kind="industry_department",
            jurisdiction=county,
            duty_phone=f"0635-62{n:05d}",
        )
        user = User.objects.create_user(
            username=f"bench_editor_{n}", password=secrets.token_urlsafe(), organisation=org
        )
        user.groups.add(editor_group)
        orgs.append(org)
    duty = User.objects.create_user(
        username="bench_duty", password=secrets.token_urlsafe(), organisation=bureau
    )
    duty.groups.add(Group.objects.get(name="duty_officer"))
    kind = IncidentType.objects.get_or_create(
        code="21B01", defaults={"name": "危险化学品事故", "category": "accident"}
    )[0]
    return county, orgs, duty, kind


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (3 < args.lines <= 200 and 1 <= args.departments <= 200 and 1 <= args.runs <= 50):
        parser.error("4..200 lines, 1..200 departments, 1..50 runs")

    return in_throwaway_django(lambda: measure(args))


def measure(args) -> int:
    from django.db import connection
    from rest_framework.test import APIClient

    from command import services as command_services
    from notify.services import outbox
    from response import selectors, services

    county, orgs, duty, kind = seed(args.departments)
    print(
        f"Linkage graded response — manuals of 3 and {args.lines} lines over "
        f"{args.departments} departments\n"
        f"{connection.vendor}, tasks in-process; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    for level, lines in (("iv", 3), ("iii", args.lines)):
        services.save_manual(
            actor=duty,
            jurisdiction=county,
            hazard="hazardous_chemicals",
            level=level,
            title=f"阳谷县危险化学品事故{level}级应急响应手册",
            lines=[
                services.ManualLine(f"第{n + 1}项处置措施", orgs[n % len(orgs)], 15 + n)
                for n in range(lines)
            ],
        )
    serial = iter(range(10_000))

    def incident():
        return command_services.create_incident(
            actor=duty,
            data={
                "title": f"化工园区泄漏{next(serial)}",
                "source": "119",
                "incident_type": kind,
                "jurisdiction": county,
                "address": "阳谷县张秋镇化工园区",
                "latitude": Decimal("36.185200"),
                "longitude": Decimal("116.006800"),
                "level": "iv",
            },
        )

    held = outbox.send_after_commit
    outbox.send_after_commit = lambda ids: None
    results = {}
    try:
        for level, lines in (("iv", 3), ("iii", args.lines)):
            times, queries, last = [], None, None
            for _ in range(args.runs):
                subject = incident()
                t0 = time.perf_counter()
                last, queries = counted(
                    lambda subject=subject, level=level: services.activate_response(
                        actor=duty,
                        hazard="hazardous_chemicals",
                        level=level,
                        incident_id=subject.pk,
                    )
                )
                times.append(time.perf_counter() - t0)
            results[lines] = (statistics.median(times), queries, last)
    finally:
        outbox.send_after_commit = held

    client = APIClient()
    client.force_authenticate(duty)
    print(f"{'step':<34}{'3 lines':>16}{f'{args.lines} lines':>16}")
    print("-" * 66)

    def row(label, small, large):
        print(
            f"{label:<34}{small[0] * 1000:>8.1f} ms {small[1]:>3}q{large[0] * 1000:>8.1f} ms "
            f"{large[1]:>3}q"
        )

    row("activate", results[3][:2], results[args.lines][:2])
    boards = {}
    for lines in (3, args.lines):
        activation = results[lines][2]
        selectors.board(activation)  # warm-up
        _board, queries = counted(lambda activation=activation: selectors.board(activation))
        t0 = time.perf_counter()
        for _ in range(args.runs):
            selectors.board(activation)
        boards[lines] = ((time.perf_counter() - t0) / args.runs, queries)
    row("board", boards[3], boards[args.lines])
    for url in ("/api/v1/response/activations/", "/api/v1/response/instructions/"):
        _response, queries = counted(lambda url=url: client.get(url))
        t0 = time.perf_counter()
        client.get(url)
        elapsed = time.perf_counter() - t0
        print(f"{'GET ' + url:<50}{elapsed * 1000:>8.1f} ms {queries:>3}q")
    same = results[3][1] == results[args.lines][1] and boards[3][1] == boards[args.lines][1]
    print(f"\nqueries constant in the number of lines: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
