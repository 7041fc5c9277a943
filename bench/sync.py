#!/usr/bin/env python
"""Provincial sync: the change feed paging through 100,000 events, and the outbound
pusher's changes per second to a loopback receiver (section push, bench/sync_push.py).

Works in a throwaway database (``<name>_bench`` on the PostgreSQL server of
DATABASE_URL, dropped afterwards; a temporary SQLite file when DATABASE_URL is unset).

feed  Seeds a city of two counties (plus a neighbouring city the client may not see)
      with I incidents and F forces through the services, then bulk-inserts events on
      them up to E in all (default 100,000; setup, not measured). The city's sync client
      then pages from ``after=0`` with ``limit`` L (default 500) until ``more`` is false:
        API       GET /api/v1/sync/changes/ with its API token (auth, JSON and all)
        selector  sync.selectors.changes_after, the same pages without HTTP
        floor     the same pages of bare event rows (one indexed SELECT each): what any
                  feed that reads the log costs
      rows per second for each, the API and the selector against the floor, and the
      SQL queries per page (min/max over all pages: they must be equal — one per
      subject kind, not one per row). Exit status 1 if they differ, if a visible event
      is missing or doubled, or if an event of the other city leaks.

    .venv/bin/python bench/sync.py                             # SQLite
    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/sync.py                         # PostgreSQL (preferred)
    .venv/bin/python bench/sync.py --events 100000 --limit 500 --only feed
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import in_throwaway_django  # noqa: E402

PYTHON = sys.executable


# feed -----------------------------------------------------------------------------------


def seed_feed(events: int, incidents: int, forces: int):
    """The city, its sync client with a token, the subjects through the services, and
    the event log filled up to ``events`` by bulk insert. Returns (client user, token
    secret, seqs the client must see, seqs of the other city)."""
    from decimal import Decimal

    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from command import services as command_services
    from command.models import IncidentType
    from core.credentials import issue_token
    from core.models import Event, EventCounter, Jurisdiction, Organisation, User
    from forces import services as force_services

    def place(code, name, level, parent=None):
        return Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )[0]

    def user(name, org, role):
        u = User.objects.create_user(
            username=name, password=secrets.token_urlsafe(), organisation=org
        )
        u.groups.add(Group.objects.get(name=role))
        return u

    province = place("370000", "山东省", "province")
    city = place("371500", "聊城市", "city", province)
    counties = [
        place("371581", "临清市", "county", city),
        place("371521", "阳谷县", "county", city),
    ]
    other = place("371300", "临沂市", "city", province)
    city_bureau = Organisation.objects.create(
        name="聊城市应急管理局", kind="emergency_bureau", jurisdiction=city
    )
    client = user("bench_province", city_bureau, "sync_client")
    secret = issue_token(user=client, name="bench").secret
    kind = IncidentType.objects.get_or_create(
        code="11A01",
        defaults={"name": "洪水", "category": "natural", "disaster_type": "flood"},
    )[0]
    subjects = []  # (jurisdiction, subject_type, subject_id, label, event type)
    for n, where in enumerate([*counties, other]):
        bureau = Organisation.objects.create(
            name=f"第{n}应急管理局", kind="emergency_bureau", jurisdiction=where
        )
        department = Organisation.objects.create(
            name=f"第{n}水利局", kind="industry_department", jurisdiction=where
        )
        duty = user(f"bench_duty_{n}", bureau, "duty_officer")
        editor = user(f"bench_editor_{n}", department, "department_editor")
        for i in range(incidents // 3):
            incident = command_services.create_incident(
                actor=duty,
                data={
                    "title": f"险情{n}-{i}",
                    "source": "119",
                    "incident_type": kind,
                    "jurisdiction": where,
                    "latitude": Decimal("36.838000"),
                    "longitude": Decimal("115.705000"),
                    "level": "iv",
                },
            )
            subjects.append((where, "command.incident", incident.pk, str(incident), "incident"))
        for i in range(forces // 3):
            force = force_services.create_force(
                actor=editor,
                organisation=department,
                data={
                    "name": f"救援队{n}-{i}",
                    "category": "government",
                    "duty_phone": "0635-2345678",
                    "leader_name": "张建国",
                    "leader_phone": "13812345678",
                    "headcount": 20,
                },
                specialties=[],
            )
            subjects.append((where, "forces.force", force.pk, str(force), "force"))
    start = Event.objects.latest("seq").seq
    now = timezone.now()
    rows = []
    for seq in range(start + 1, events + 1):
        where, subject_type, pk, label, family = subjects[seq % len(subjects)]
        rows.append(
            Event(
                seq=seq,
                type=f"{family}.updated",
                jurisdiction=where,
                subject_type=subject_type,
                subject_id=str(pk),
                subject_label=label,
                payload={"changed": ["title" if family == "incident" else "headcount"]},
                actor=None,
                created_at=now,
            )
        )
    with transaction.atomic():
        Event.objects.bulk_create(rows, batch_size=5000)
        EventCounter.objects.update_or_create(pk=1, defaults={"value": events})
    outside = Event.objects.filter(jurisdiction__path__startswith=other.path)
    visible = Event.objects.exclude(pk__in=outside).filter(jurisdiction__path__startswith=city.path)
    # Only the types a sync client reads (incident.*, force.*) are in the log's bulk;
    # the services' own events (token issue has none) are of the same families.
    return (
        client,
        secret,
        list(visible.order_by("seq").values_list("seq", flat=True)),
        set(outside.values_list("seq", flat=True)),
    )


def page_through(fetch, limit: int) -> tuple[float, list[int], list[int]]:
    """Follow the cursor from 0; (seconds, seqs received, queries per page)."""
    from django.db import connection

    after, received, per_page = 0, [], []
    started = time.perf_counter()
    while True:
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            changes, after, more = fetch(after, limit)
        per_page.append(len(executed))
        received += changes
        if not more:
            return time.perf_counter() - started, received, per_page


def bench_feed(args) -> int:
    from django.db import connection
    from django.test import Client

    from core.models import Event
    from sync.selectors import changes_after

    print(f"feed — {args.events:,} events, limit {args.limit}")
    t0 = time.perf_counter()
    user, secret, expected, outside = seed_feed(args.events, args.incidents, args.forces)
    print(
        f"seeded in {time.perf_counter() - t0:.1f} s: {len(expected):,} visible to the "
        f"city's sync client, {len(outside):,} of the other city\n"
    )
    http = Client(HTTP_AUTHORIZATION=f"Token {secret}")

    def api(after, limit):
        body = http.get("/api/v1/sync/changes/", {"after": after, "limit": limit}).json()
        return [c["seq"] for c in body["changes"]], body["next"], body["more"]

    def selector(after, limit):
        page = changes_after(user, after=after, limit=limit)
        return [c["seq"] for c in page.changes], page.next, page.more

    from core.visibility import event_filter

    def floor(after, limit):
        seqs = list(
            Event.objects.filter(event_filter(user), seq__gt=after)
            .order_by("seq")
            .values_list("seq", flat=True)[: limit + 1]
        )
        more = len(seqs) > limit
        seqs = seqs[:limit]
        return seqs, (seqs[-1] if seqs else after), more

    api(0, 1)  # warm-up: imports, the first token check
    failures = 0
    results = {}
    for label, fetch in (("API", api), ("selector", selector), ("floor", floor)):
        seconds, received, per_page = page_through(fetch, args.limit)
        results[label] = seconds
        ok = received == expected and not outside.intersection(received)
        if not ok:
            failures += 1
        constant = label == "floor" or min(per_page[:-1] or per_page) == max(per_page)
        if not constant:
            failures += 1
        print(
            f"{label:<10}{len(received):>9,} rows {seconds:>8.2f} s "
            f"{len(received) / seconds:>10,.0f} rows/s   {len(per_page):>4} pages, "
            f"queries/page {min(per_page)}–{max(per_page)}"
            f"{'' if constant else '  NOT CONSTANT'}{'' if ok else '  MISSING/DOUBLED/LEAKED'}"
        )
    print(
        f"\nAPI / floor = {results['API'] / results['floor']:.1f}×, "
        f"selector / floor = {results['selector'] / results['floor']:.1f}× "
        f"({connection.vendor}); the last page may have fewer queries (fewer kinds)"
    )
    return 1 if failures else 0


def bench_push(args) -> int:
    """The outbound pusher: bench/sync_push.py in its own process and throwaway database
    (a subscriber's receiver on loopback, batch sizes 100 and 500)."""
    events = str(min(args.events, args.push_events))
    return subprocess.run(
        [PYTHON, str(ROOT / "bench" / "sync_push.py"), "--events", events]
    ).returncode


# The sections this bench runs, in order; each takes the parsed arguments and returns an
# exit status.
SECTIONS = {"feed": bench_feed, "push": bench_push}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--incidents", type=int, default=150)
    parser.add_argument("--forces", type=int, default=150)
    parser.add_argument("--push-events", type=int, default=20_000)
    parser.add_argument("--only", choices=sorted(SECTIONS), help="run one section")
    args = parser.parse_args()
    if not (1_000 <= args.events <= 2_000_000 and 1 <= args.limit <= 1000):
        parser.error("1,000..2,000,000 events and a limit of 1..1000")

    return in_throwaway_django(lambda: run(args))


def run(args) -> int:
    import warnings

    from django.db import connection

    # No collectstatic here: WhiteNoise's notice about it is not the bench's business.
    warnings.filterwarnings("ignore", message="No directory at")

    print(
        f"Linkage provincial sync — {connection.vendor}; Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}\n"
    )
    status = 0
    for name, section in SECTIONS.items():
        if args.only in (None, name):
            status |= section(args)
            print()
    return status


if __name__ == "__main__":
    sys.exit(main())
