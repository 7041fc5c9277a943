#!/usr/bin/env python
"""Push latency of the live feed: commit → screen, beside raw Redis PUBLISH → SUBSCRIBE.

Starts everything it needs on loopback and stops it again: a redis-server on a spare
port, a throwaway database (``<name>_bench`` on the PostgreSQL server of DATABASE_URL,
dropped afterwards; a temporary SQLite file when DATABASE_URL is unset), and the ASGI
server (uvicorn, one worker, production settings) on a spare port.

For each N (1, 50, 200) it connects N screens (one signed-in user, ``/ws/live/``) that
resume from the latest seq, then commits K events (``record_event`` in
``transaction.atomic()``, one every 20 ms) from this process, like a web worker would.
The commit time is taken by an on-commit hook that runs right after COMMIT and before
the doorbell (which carries the event: the server's hub reads nothing back); the
receipt time when a screen's socket hands over the message. Both use
``time.perf_counter`` in this process, so latency = receipt - commit per screen per
event. In the same run and the same way (same N, same K, same pacing, publisher
thread → Redis → N asyncio subscribers in this process) it measures raw Redis
PUBLISH → SUBSCRIBE, the floor any push over Redis stands on.

Targets (loopback): p99 ≤ 5 × raw Redis p99 at N = 1; p99 ≤ 50 ms at N = 200. Exit
status 1 if a target is missed or an event is lost.

    .venv/bin/python bench/push_latency.py                    # SQLite
    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/push_latency.py                # PostgreSQL (preferred)
    .venv/bin/python bench/push_latency.py --screens 1,50,200 --events 200 --server daphne
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import math
import os
import platform
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (
    LOOPBACK,
    Screen,
    asgi_server,
    interrupted,
    migrate,
    redis_server,
    server_env,
    setup_django,
    throwaway_database,
)


def seed() -> tuple[object, object, str]:
    """A county under a city under a province, one screen user, a session for it."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.test import Client

    from core.models import Jurisdiction, Organisation, User

    def place(code, name, level, parent=None):
        return Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )[0]

    province = place("370000", "山东省", "province")
    city = place("371500", "聊城市", "city", province)
    county = place("371581", "临清市", "county", city)
    org, _ = Organisation.objects.get_or_create(
        name="临清市应急管理局", jurisdiction=county, defaults={"kind": "emergency_bureau"}
    )
    user, _ = User.objects.get_or_create(username="bench_screen", defaults={"organisation": org})
    # The live feed sends a user only what its role may read (core.visibility).
    user.groups.add(Group.objects.get_or_create(name="screen")[0])
    client = Client()
    client.force_login(user)
    return county, user, client.cookies[settings.SESSION_COOKIE_NAME].value


def latest_seq() -> int:
    from core.selectors import latest_seq as latest

    return latest()


def commit_one(county, actor, i: int, stamps: dict[int, float]) -> None:
    """Commit one event and stamp it right after COMMIT, before the doorbell."""
    from django.db import transaction

    from core.events import record_event

    seq: list[int] = []
    with transaction.atomic():
        # Registered before record_event's doorbell, so it runs first.
        transaction.on_commit(lambda: stamps.__setitem__(seq[0], time.perf_counter()))
        event = record_event(
            type="incident.bench_tick",
            jurisdiction=county,
            subject=county,
            payload={"i": i},
            actor=actor,
        )
        seq.append(event.seq)


async def paced(count: int, interval: float, step) -> None:
    start = time.perf_counter()
    for i in range(count):
        pause = start + i * interval - time.perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
        await step(i)


def commit_in_plain_thread(county, actor, count, interval, stamps) -> None:
    """The writer of a Celery worker or a management command: no event loop, so each
    doorbell opens its own loop and Redis connection (``async_to_sync``)."""
    from django.db import connection

    start = time.perf_counter()
    try:
        for i in range(count):
            pause = start + i * interval - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            commit_one(county, actor, i, stamps)
    finally:
        connection.close()


class Subscriber(asyncio.Protocol):
    """A minimal Redis SUBSCRIBE client (RESP2)."""

    MESSAGE = re.compile(rb"\*3\r\n\$7\r\nmessage\r\n\$5\r\nbench\r\n\$(\d+)\r\n")

    def __init__(self) -> None:
        self.subscribed = asyncio.get_running_loop().create_future()
        self.chunks: list[tuple[float, bytes]] = []
        self.count = 0  # messages so far (a message may straddle chunks: good enough)
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(b"*2\r\n$9\r\nSUBSCRIBE\r\n$5\r\nbench\r\n")

    def data_received(self, data: bytes) -> None:
        self.chunks.append((time.perf_counter(), data))
        self.count += data.count(b"$7\r\nmessage\r\n")
        if not self.subscribed.done() and b"subscribe" in data:
            self.subscribed.set_result(None)

    def receipts(self) -> dict[int, float]:
        data = b"".join(chunk for _, chunk in self.chunks)
        ends = list(itertools.accumulate(len(chunk) for _, chunk in self.chunks))
        received: dict[int, float] = {}
        for match in self.MESSAGE.finditer(data):
            start = match.end()
            stop = start + int(match.group(1))
            arrival = self.chunks[bisect.bisect_left(ends, stop)][0]
            received.setdefault(int(data[start:stop]), arrival)
        return received

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


# Measurements ---------------------------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds
    lost: int = 0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000


def collect(stamps: dict[int, float], receipts: list[dict[int, float]]) -> Result:
    result = Result()
    for received in receipts:
        for seq, committed in stamps.items():
            if seq in received:
                result.latencies.append(received[seq] - committed)
            else:
                result.lost += 1
    return result


async def settle(progress, expected: int, timeout: float = 10) -> None:
    """Wait until every client has ``expected`` messages, or nothing has arrived for half
    a second (events may share a message), at most ``timeout`` seconds."""
    deadline = time.perf_counter() + timeout
    last, quiet_since = None, time.perf_counter()
    while time.perf_counter() < deadline:
        counts = progress()
        if all(n >= expected for n in counts):
            return
        if counts != last:
            last, quiet_since = counts, time.perf_counter()
        elif time.perf_counter() - quiet_since > 0.5:
            return
        await asyncio.sleep(0.05)


async def push_round(port, cookie, county, actor, screens, events, interval, writer) -> Result:
    loop = asyncio.get_running_loop()
    after = await sync_to_async(latest_seq)()
    clients: list[Screen] = []
    stamps: dict[int, float] = {}
    try:
        for _ in range(screens):
            _, client = await loop.create_connection(lambda: Screen(port, cookie), LOOPBACK, port)
            clients.append(client)
            await asyncio.wait_for(client.opened, 10)
            client.send_json({"type": "resume", "after": after})
            await asyncio.wait_for(client.caught_up, 10)
            client.watching = False
        await asyncio.sleep(0.2)
        if writer == "request":
            # As a view under the ASGI server: the ORM in asgiref's thread, the doorbell
            # back on this loop.
            step = sync_to_async(commit_one)
            await paced(events, interval, lambda i: step(county, actor, i, stamps))
        else:
            await asyncio.to_thread(commit_in_plain_thread, county, actor, events, interval, stamps)
        await settle(lambda: [len(c.raw) - c.decoded for c in clients], events)
        return collect(stamps, [c.receipts() for c in clients])
    finally:
        for client in clients:
            client.close()


async def redis_round(url, subscribers, messages, interval) -> Result:
    import redis.asyncio as aredis

    loop = asyncio.get_running_loop()
    port = urlsplit(url).port
    clients: list[Subscriber] = []
    stamps: dict[int, float] = {}
    publisher = aredis.Redis.from_url(url)
    try:
        for _ in range(subscribers):
            _, client = await loop.create_connection(Subscriber, LOOPBACK, port)
            clients.append(client)
            await asyncio.wait_for(client.subscribed, 10)
        await asyncio.sleep(0.2)

        async def publish(i: int) -> None:
            stamps[i] = time.perf_counter()
            await publisher.publish("bench", str(i))

        await paced(messages, interval, publish)
        await settle(lambda: [c.count for c in clients], messages)
        return collect(stamps, [c.receipts() for c in clients])
    finally:
        await publisher.aclose()
        for client in clients:
            client.close()


# Main -----------------------------------------------------------------------------------


def main() -> int:
    signal.signal(signal.SIGTERM, interrupted)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screens", default="1,50,200", help="comma-separated N")
    parser.add_argument("--events", type=int, default=200, help="events per N (K)")
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between commits")
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--writer",
        choices=["request", "worker"],
        default="request",
        help="commit like a view under the ASGI server (default) or like a Celery worker",
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.screens.split(",")]
    if not (0 < args.events <= 10_000 and all(0 < n <= 1000 for n in sizes)):
        parser.error("1..10000 events and 1..1000 screens")

    with tempfile.TemporaryDirectory(prefix="linkage-bench-") as tmp:
        workdir = Path(tmp)
        with redis_server(workdir) as redis_url, throwaway_database(workdir) as database_url:
            env = server_env(database_url, redis_url)
            if not migrate(env):
                return 2
            setup_django(env)
            county, actor, cookie = seed()
            # The writer's ORM thread and the clients share one interpreter: hand the GIL
            # over often so that a client's time stamp never waits for a whole commit.
            sys.setswitchinterval(0.0005)
            with asgi_server(args.server, env, workdir, args.workers) as port:
                return asyncio.run(measure(args, sizes, port, cookie, county, actor, redis_url))


async def measure(args, sizes, port, cookie, county, actor, redis_url) -> int:
    from django.conf import settings
    from django.db import connection

    vendor = connection.vendor
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"Linkage push latency — {args.events} events per N, one every "
        f"{args.interval * 1000:.0f} ms\n{args.server} × {args.workers}, {layer}, "
        f"{vendor}, writer: {args.writer}; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, loopback"
    )
    await push_round(port, cookie, county, actor, 1, 5, 0.01, args.writer)  # warm-up
    rows = []
    for n in sizes:
        push = await push_round(
            port, cookie, county, actor, n, args.events, args.interval, args.writer
        )
        raw = await redis_round(redis_url, n, args.events, args.interval)
        rows.append((n, push, raw))

    header = (
        f"{'N':>5} {'push p50':>10} {'push p99':>10} {'redis p50':>10} {'redis p99':>10}"
        f" {'p99 ratio':>10} {'lost':>11}  target"
    )
    print()
    print(header)
    print("-" * len(header))
    failed = False
    for n, push, raw in rows:
        ratio = push.pct(0.99) / raw.pct(0.99)
        if n == 1:
            ok = ratio <= 5
            target = f"p99 ≤ 5× redis p99: {'met' if ok else 'MISSED'}"
        elif n == 200:
            ok = push.pct(0.99) <= 50
            target = f"p99 ≤ 50 ms: {'met' if ok else 'MISSED'}"
        else:
            ok, target = True, ""
        failed |= not ok or push.lost > 0 or raw.lost > 0
        print(
            f"{n:>5} {push.pct(0.5):>7.2f} ms {push.pct(0.99):>7.2f} ms"
            f" {raw.pct(0.5):>7.2f} ms {raw.pct(0.99):>7.2f} ms {ratio:>9.1f}×"
            f" {f'{push.lost}/{raw.lost}':>11}  {target}"
        )
    print(
        "\nlost: push/redis receipts missing 10 s after the last commit (N × events each)."
        "\npush: COMMIT → on-commit doorbell → Redis → consumer reads core.Event → WebSocket"
        "\n      → screen (all N screens, every event); redis: PUBLISH → N subscribers."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
