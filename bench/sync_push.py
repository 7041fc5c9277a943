#!/usr/bin/env python
"""The outbound pusher's throughput: changes per second POSTed, signed, to a subscriber's
endpoint on loopback and acknowledged (cursor saved), for batch sizes 100 and 500.

Works in a throwaway database (``<name>_bench`` on the PostgreSQL server of
DATABASE_URL, dropped afterwards; a temporary SQLite file when DATABASE_URL is unset).
The receiver is tests/sync/receiver.py in its own process: it verifies every signature,
applies each batch once per Idempotency-Key and each change once per seq. The bench
process records E events a city sync client may see (``force.updated`` on a force), then
times ``sync.pusher.push_due`` from cursor 0 until the cursor reaches the last event.

    .venv/bin/python bench/sync_push.py                     # SQLite, 10,000 events
    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/sync_push.py --events 20000 --batches 100,500,1000

Exit status 1 if a subscriber did not reach the last event without a failure.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    LOOPBACK,
    migrate,
    server_env,
    setup_django,
    spare_port,
    start,
    stop,
    throwaway_database,
    wait_for_port,
)

PYTHON = sys.executable


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--batches", default="100,500")
    args = parser.parse_args()
    sizes = [int(s) for s in args.batches.split(",") if s.strip()]
    secret = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(Path(tmp)) as database_url:
        port = spare_port()
        receiver = start(
            [PYTHON, "tests/sync/receiver.py", "--secret", secret, "--port", str(port), "--quiet"],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, receiver, "receiver")
            env = server_env(database_url)
            if not migrate(env):
                return 2
            setup_django(env)
            return measure(args.events, sizes, f"http://{LOOPBACK}:{port}", secret)
        finally:
            stop(receiver)


def seed(events: int):
    from django.contrib.auth.models import Group
    from django.db import transaction

    from core.choices import JurisdictionLevel, OrganisationKind
    from core.events import record_event
    from core.models import Jurisdiction, Organisation, User
    from core.roles import Role
    from forces.events import ForceEvent

    province = Jurisdiction.objects.create(
        code="370000", name="山东省", level=JurisdictionLevel.PROVINCE
    )
    city = Jurisdiction.objects.create(
        code="371500", name="聊城市", level=JurisdictionLevel.CITY, parent=province
    )
    bureau = Organisation.objects.create(
        name="聊城市应急管理局", kind=OrganisationKind.EMERGENCY_BUREAU, jurisdiction=city
    )
    admin = User.objects.create_user("bench_admin", password=secrets.token_urlsafe(16))
    admin.organisation = bureau
    admin.save()
    admin.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))
    client = User.objects.create_user("bench_sync", password=secrets.token_urlsafe(16))
    client.organisation = bureau
    client.save()
    client.groups.add(Group.objects.get(name=Role.SYNC_CLIENT))
    for start_at in range(0, events, 1000):
        with transaction.atomic():
            for n in range(start_at, min(start_at + 1000, events)):
                record_event(
                    type=ForceEvent.UPDATED,
                    jurisdiction=city,
                    subject=bureau,
                    actor=admin,
                    payload={"n": n, "changed": ["duty_phone"]},
                )
    return city, admin, client


def measure(events: int, sizes: list[int], receiver_url: str, secret: str) -> int:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max

    from core.models import Event
    from sync import pusher, services
    from sync.models import Subscriber

    t0 = time.perf_counter()
    city, admin, client = seed(events)
    seeded = time.perf_counter() - t0
    print(
        f"Linkage sync push — {events} events → loopback receiver (own process)\n"
        f"{connection.vendor}; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; seeded in {seeded:.1f} s\n"
    )
    failed = False
    print(f"{'batch':>6} {'changes':>8} {'POSTs':>6} {'seconds':>8} {'changes/s':>10}")
    for size in sizes:
        settings.SYNC_PUSH_BATCH = size
        issued = services.create_subscriber(
            actor=admin,
            data={
                "name": f"bench-{size}",
                "url": f"{receiver_url}/push/{size}",
                "jurisdiction": city.code,
                "client": client.pk,
                "cursor": 0,
                "secret": secret,
            },
        )
        subscriber = issued.subscriber
        latest = Event.objects.aggregate(m=Max("seq"))["m"]
        pushed = 0
        started = time.perf_counter()
        while True:
            pushed += pusher.push_due()
            subscriber.refresh_from_db()
            if subscriber.cursor >= latest or subscriber.attempts:
                break
        elapsed = time.perf_counter() - started
        posts = -(-pushed // size)
        rate = pushed / elapsed if elapsed else 0.0
        print(f"{size:>6} {pushed:>8} {posts:>6} {elapsed:>8.2f} {rate:>10.0f}")
        if subscriber.attempts or pushed < events:
            print(f"  incomplete: cursor {subscriber.cursor}/{latest}, {subscriber.last_error}")
            failed = True
        Subscriber.objects.filter(pk=subscriber.pk).update(active=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
