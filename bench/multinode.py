#!/usr/bin/env python
"""Multi-node: events committed through node A reach the screens on node B, in order,
nothing lost, nothing doubled, while node A restarts; and the PostgreSQL connections
each node holds during and after a burst, without and with psycopg's pool.

Needs PostgreSQL (DATABASE_URL): it creates and drops ``<name>_bench`` beside the named
database, migrated once. Starts on loopback, and stops again: a private redis-server
(channel layer, cache, Celery broker), two uvicorn processes serving config.asgi (node A
and node B, production settings, each its own PGAPPNAME), one Celery worker (solo pool)
and one beat.

stream       S screens (``/ws/live/``, a signed-in hall screen user) on node B resume
             from the latest seq. A duty officer's API token adds E incident notes
             through node A (``POST /api/v1/command/incidents/<id>/notes/``, each one
             ``command.services.add_note`` and its event), R a second. After a third of
             them node A is stopped (SIGTERM, as an orchestrator does; ``--crash``:
             SIGKILL) and started again on the same port; the writer retries every
             request refused or cut meanwhile (a 2xx answer counts as committed). A
             dispatcher also starts a roll call through node A: its delivery, and the
             ``rollcall.delivered`` event, is the Celery worker's. Then the committed
             events are read back from ``core.Event``, those the screen's user may see
             selected by the replay's own filter, and each screen's feed is checked:
             every one of them, once, in seq order. Push alone must bring them; the
             heartbeat a browser sends every 15 s is sent once afterwards and anything
             it still brings is reported.
connections  for DATABASE_POOL_MAX_SIZE=0 (a connection per request thread, kept
             CONN_MAX_AGE = 60 s) and =P: B concurrent API reads split over both nodes;
             pg_stat_activity per process (application_name) before, at the peak of, and
             ``--linger`` seconds (3) after the burst.

Exit status 1 if an event is lost, doubled or out of order, a 2xx-answered write is
missing from the log, the worker's event does not arrive, or a request fails.

    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/multinode.py
    .venv/bin/python bench/multinode.py --events 300 --rate 20 --screens 3 --burst 50 --pool 10
    .venv/bin/python bench/multinode.py --crash --skip-connections
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import platform
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (
    LOOPBACK,
    PYTHON,
    ROOT,
    Screen,
    asgi_server,
    interrupted,
    migrate,
    redis_server,
    server_env,
    servers,
    setup_django,
    start,
    stop,
    throwaway_database,
)

COUNTY = "371581"


# The verdict on one screen's feed -------------------------------------------------------


@dataclass
class Verdict:
    received: int
    lost: int
    duplicate: int
    out_of_order: int
    unexpected: int

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicate or self.out_of_order or self.unexpected)


def verdict(expected: list[int], received: list[int]) -> Verdict:
    """Compare the seqs a screen received, in arrival order, with the committed ones."""
    wanted, seen = set(expected), set(received)
    return Verdict(
        received=len(received),
        lost=len(wanted - seen),
        duplicate=len(received) - len(seen),
        out_of_order=sum(1 for a, b in itertools.pairwise(received) if b < a),
        unexpected=len(seen - wanted),
    )


# Seed ------------------------------------------------------------------------------------


@dataclass
class Seed:
    incident_id: int
    writer_token: str  # a duty officer: adds notes
    dispatcher_token: str  # starts the roll call
    screen_cookie: str
    screen_user_id: int


def seed() -> Seed:
    """A county, its bureau and fire brigade, three forces, an open incident, a duty
    officer and a dispatcher with API tokens, and a signed-in hall screen."""
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.test import Client

    from command import services as command_services
    from command.models import IncidentType
    from core.credentials import issue_token
    from core.models import Jurisdiction, Organisation, User
    from forces.models import Force

    def place(code, name, level, parent=None):
        return Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )[0]

    province = place("370000", "山东省", "province")
    city = place("371500", "聊城市", "city", province)
    county = place(COUNTY, "临清市", "county", city)
    bureau = Organisation.objects.create(
        name="临清市应急管理局", kind="emergency_bureau", jurisdiction=county
    )
    fire = Organisation.objects.create(
        name="临清市消防救援大队", kind="fire_rescue", jurisdiction=county
    )
    Force.objects.bulk_create(
        Force(
            name=f"救援队{n}",
            category="government",
            organisation=bureau,
            jurisdiction=county,
            duty_phone="0635-2345678",
            headcount=20,
        )
        for n in range(3)
    )

    def user(name, org, role):
        account = User.objects.create_user(
            username=name, password=secrets.token_urlsafe(), organisation=org
        )
        account.groups.add(Group.objects.get_or_create(name=role)[0])
        return account

    duty = user("bench_duty", bureau, "duty_officer")
    dispatcher = user("bench_dispatcher", fire, "fire_dispatcher")
    screen = user("bench_screen", bureau, "screen")
    flood, _ = IncidentType.objects.get_or_create(
        code="11A01", defaults={"name": "洪水", "category": "natural", "disaster_type": "flood"}
    )
    incident = command_services.create_incident(
        actor=duty,
        data={
            "title": "卫运河漫堤",
            "source": "119",
            "latitude": Decimal("36.838000"),
            "longitude": Decimal("115.705000"),
            "level": "iv",
            "incident_type": flood,
        },
    )
    client = Client()
    client.force_login(screen)
    return Seed(
        incident_id=incident.pk,
        writer_token=issue_token(user=duty, name="bench").secret,
        dispatcher_token=issue_token(user=dispatcher, name="bench").secret,
        screen_cookie=client.cookies[settings.SESSION_COOKIE_NAME].value,
        screen_user_id=screen.pk,
    )


def latest_seq() -> int:
    from core.selectors import latest_seq as latest

    return latest()


def visible_after(user_id: int, seq: int) -> list[int]:
    """The committed seqs after ``seq`` that the screen's user may see (the database
    filter of the live feed's replay, ``core.visibility``)."""
    from core.models import User
    from core.selectors import events_after

    return [event["seq"] for event in events_after(User.objects.get(pk=user_id), seq, 100_000)]


def committed_after(seq: int) -> list[tuple[int, str, dict]]:
    from core.models import Event

    return list(
        Event.objects.filter(seq__gt=seq).order_by("seq").values_list("seq", "type", "payload")
    )


# Processes ------------------------------------------------------------------------------


@contextlib.contextmanager
def celery(role: str, env: dict[str, str], workdir: Path) -> Iterator[Path]:
    """The Celery worker (solo pool) or the beat; yields its log."""
    command = [PYTHON, "-m", "celery", "-A", "config", role]
    if role == "worker":
        command += ["--pool", "solo", "--loglevel", "WARNING"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    else:
        command += ["--loglevel", "INFO", "--schedule", str(workdir / "celerybeat-schedule")]
    log_path = workdir / f"{role}.log"
    with log_path.open("w") as log:
        process = start(command, cwd=ROOT, env={**env, "PGAPPNAME": role}, stdout=log, stderr=log)
        try:
            yield log_path
        finally:
            stop(process)


class Node:
    """One uvicorn process; ``restart`` stops it (SIGTERM, or SIGKILL for a crash) and
    starts it again on its port."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path) -> None:
        self.name, self.workdir = name, workdir
        self.env = {**env, "PGAPPNAME": name}
        self.stack = contextlib.ExitStack()
        self.port = self.stack.enter_context(asgi_server("uvicorn", self.env, workdir, 1, name))
        self.starts = 1
        self.down_for = 0.0

    def restart(self, crash: bool = False) -> None:
        began = time.perf_counter()
        if crash:  # no graceful shutdown: requests in flight die with the process
            servers[self.port].kill()
        self.stack.close()
        self.stack = contextlib.ExitStack()
        self.starts += 1
        self.stack.enter_context(
            asgi_server(
                "uvicorn", self.env, self.workdir, 1, f"{self.name}-{self.starts}", self.port
            )
        )
        self.down_for = time.perf_counter() - began

    def close(self) -> None:
        self.stack.close()


# Stream ---------------------------------------------------------------------------------


@dataclass
class Writes:
    answered: list[int]  # note ids answered 2xx
    refused: int = 0  # attempts refused while the node was down (then retried)
    failed: int = 0  # answered with a status other than 2xx
    roll_call: int | None = None


async def post(session, url: str, token: str, body: dict, writes: Writes) -> dict | None:
    """POST until a node answers; refused connections (node down) are retried."""
    import aiohttp

    headers = {"Authorization": f"Token {token}"}
    while True:
        try:
            async with session.post(url, json=body, headers=headers) as response:
                if 200 <= response.status < 300:
                    return await response.json()
                writes.failed += 1
                print(f"{url}: {response.status} {(await response.text())[:300]}", file=sys.stderr)
                return None
        except (TimeoutError, aiohttp.ClientConnectionError):
            writes.refused += 1
            await asyncio.sleep(0.05)


async def write(args, node_a: Node, s: Seed) -> Writes:
    import aiohttp

    base = f"http://{LOOPBACK}:{node_a.port}"
    notes = f"{base}/api/v1/command/incidents/{s.incident_id}/notes/"
    writes = Writes(answered=[])
    restart_at = args.events // 3
    restarting: asyncio.Future | None = None
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        began = time.perf_counter()
        for i in range(args.events):
            pause = began + i / args.rate - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            if i == restart_at:
                restarting = asyncio.ensure_future(asyncio.to_thread(node_a.restart, args.crash))
            if i == args.events // 6:
                body = {"jurisdiction": COUNTY, "note": "多节点点名"}
                answer = await post(
                    session, f"{base}/api/v1/duty/roll-calls/", s.dispatcher_token, body, writes
                )
                writes.roll_call = answer and answer["id"]
            answer = await post(session, notes, s.writer_token, {"text": f"进展{i}"}, writes)
            if answer is not None:
                writes.answered.append(answer["id"])
        if restarting is not None:
            await restarting
    return writes


async def stream(args, node_a: Node, node_b: Node, s: Seed) -> bool:
    loop = asyncio.get_running_loop()
    after = await sync_to_async(latest_seq)()
    screens: list[Screen] = []
    feeds: list[list[int]] = []
    for _ in range(args.screens):
        _, screen = await loop.create_connection(
            lambda: Screen(node_b.port, s.screen_cookie), LOOPBACK, node_b.port
        )
        screens.append(screen)
        await asyncio.wait_for(screen.opened, 10)
        screen.send_json({"type": "resume", "after": after})
        await asyncio.wait_for(screen.caught_up, 10)
        screen.watching = False  # from here on, ``drain`` decodes
        feeds.append([])

    def drain() -> None:
        for screen, feed in zip(screens, feeds, strict=True):
            for message in screen.decode():
                if message["type"] == "events":
                    feed.extend(event["seq"] for event in message["events"])

    began = time.perf_counter()
    writes = await write(args, node_a, s)
    written_in = time.perf_counter() - began

    # The worker delivers the roll call after the request committed it.
    worker_event = None
    deadline = time.perf_counter() + 60
    while writes.roll_call and worker_event is None and time.perf_counter() < deadline:
        for seq, kind, payload in await sync_to_async(committed_after)(after):
            if kind == "rollcall.delivered" and payload.get("roll_call") == writes.roll_call:
                worker_event = seq
        await asyncio.sleep(0.2)
    committed = await sync_to_async(committed_after)(after)
    expected = await sync_to_async(visible_after)(s.screen_user_id, after)
    logged_notes = {p.get("note_id") for _, kind, p in committed if kind == "incident.note_added"}

    async def settle(timeout: float) -> None:
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            drain()
            if all(set(expected) <= set(feed) for feed in feeds):
                return
            await asyncio.sleep(0.1)

    await settle(10)
    by_push = [verdict(expected, feed) for feed in feeds]
    for screen, feed in zip(screens, feeds, strict=True):  # the browser's heartbeat
        screen.send_json({"type": "ping", "after": feed[-1] if feed else after})
    await settle(5)
    await asyncio.sleep(0.3)
    drain()
    final = [verdict(expected, feed) for feed in feeds]
    for screen in screens:
        screen.close()

    missing_notes = len(set(writes.answered) - logged_notes)
    worker_seen = worker_event is not None and all(worker_event in feed for feed in feeds)
    print(
        f"\nstream: {args.events} notes at {args.rate:g}/s through node A in {written_in:.1f} s"
        f" (node A down {node_a.down_for:.1f} s: {'killed' if args.crash else 'stopped'},"
        f" started again on port {node_a.port});"
        f" {args.screens} screens on node B\n"
        f"  answered 2xx {len(writes.answered)}, refused while down (retried) "
        f"{writes.refused}, failed {writes.failed}; answered but not in the log"
        f" {missing_notes}\n  committed events {len(committed)}"
        f" (seq {after + 1}…{committed[-1][0] if committed else after}),"
        f" {len(expected)} of them for the hall screen"
    )
    reached = "on every screen" if worker_seen else "NOT on every screen"
    print(
        f"  worker: roll call {writes.roll_call} delivered by the Celery worker, event "
        f"{worker_event or 'MISSING'}: {reached}"
    )
    header = (
        f"  {'screen':>6} {'received':>9} {'lost':>5} {'doubled':>8} {'out of order':>13}"
        f" {'unexpected':>11} {'lost before heartbeat':>22}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for n, (v, pushed) in enumerate(zip(final, by_push, strict=True), 1):
        print(
            f"  {n:>6} {v.received:>9} {v.lost:>5} {v.duplicate:>8} {v.out_of_order:>13}"
            f" {v.unexpected:>11} {pushed.lost:>22}"
        )
    return (
        all(v.ok for v in final)
        and worker_seen
        and not missing_notes
        and not writes.failed
        and len(writes.answered) == args.events
        and len(expected) > len(writes.answered)  # the notes and the worker's event
    )


# Connections ----------------------------------------------------------------------------


def connections(database_url: str) -> dict[str, int]:
    """PostgreSQL connections to the bench database, by application_name."""
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(database_url, autocommit=True, application_name="bench-probe") as conn:
        rows = conn.execute(
            "SELECT application_name, count(*) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid() GROUP BY 1",
            [name],
        ).fetchall()
    return dict(rows)


class Peak(threading.Thread):
    """Samples ``connections`` every 50 ms; keeps the highest count per process."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.database_url = database_url
        self.peak: dict[str, int] = {}
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            for name, count in connections(self.database_url).items():
                self.peak[name] = max(self.peak.get(name, 0), count)
            self.halt.wait(0.05)


async def burst(ports: list[int], token: str, count: int) -> tuple[float, int, float]:
    """``count`` concurrent API reads spread over the nodes: (seconds, errors, p99 s)."""
    import aiohttp

    headers = {"Authorization": f"Token {token}"}
    latencies: list[float] = []
    errors = 0

    async def one(session, port: int) -> None:
        nonlocal errors
        began = time.perf_counter()
        try:
            url = f"http://{LOOPBACK}:{port}/api/v1/command/incidents/"
            async with session.get(url, headers=headers) as response:
                await response.read()
                errors += response.status != 200
        except aiohttp.ClientError:
            errors += 1
        latencies.append(time.perf_counter() - began)

    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        began = time.perf_counter()
        await asyncio.gather(*(one(session, ports[i % len(ports)]) for i in range(count)))
        took = time.perf_counter() - began
    latencies.sort()
    return took, errors, latencies[max(0, int(0.99 * len(latencies)) - 1)]


def measure_connections(args, env, workdir, database_url, token) -> bool:
    """Both modes, then the table; False if a request of a burst failed."""
    rows, ok = [], True
    load = os.getloadavg()[0]
    for pool in (0, args.pool):
        mode = "per thread" if not pool else f"pool {pool}"
        mode_env = {**env, "DATABASE_POOL_MAX_SIZE": str(pool)}
        nodes = [Node(f"{name}-{pool}", mode_env, workdir) for name in ("node-a", "node-b")]
        try:
            ports = [node.port for node in nodes]
            asyncio.run(burst(ports, token, len(ports)))  # each node answers once
            before = connections(database_url)
            peak = Peak(database_url)
            peak.start()
            took, errors, p99 = asyncio.run(burst(ports, token, args.burst))
            peak.halt.set()
            peak.join()
            time.sleep(args.linger)
            after = connections(database_url)
        finally:
            for node in nodes:
                node.close()
        ok &= not errors
        for node in nodes:
            app = node.env["PGAPPNAME"]
            rows.append(
                f"  {mode:>10} {node.name.rsplit('-', 1)[0]:>7} {before.get(app, 0):>7}"
                f" {peak.peak.get(app, 0):>6}"
                f" {after.get(app, 0):>9} {took:>8.2f} s {p99 * 1000:>7.0f} ms"
                f" {errors:>7}"
            )
        rows.append(
            f"  {'':>10} {'worker':>7} {before.get('worker', 0):>7} {peak.peak.get('worker', 0):>6}"
            f" {after.get('worker', 0):>9}   (beat: {peak.peak.get('beat', 0)})"
        )
    print(
        f"\nconnections: {args.burst} concurrent GET /api/v1/command/incidents/ over both"
        f" nodes; PostgreSQL connections by process (load average {load:.1f})"
    )
    after = f"after {args.linger:g} s"
    header = (
        f"  {'mode':>10} {'process':>7} {'before':>7} {'peak':>6} {after:>9}"
        f" {'burst':>10} {'p99':>10} {'errors':>7}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    print("\n".join(rows))
    return ok


# Main -----------------------------------------------------------------------------------


def main() -> int:
    signal.signal(signal.SIGTERM, interrupted)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=300, help="notes written through node A")
    parser.add_argument("--rate", type=float, default=20, help="notes a second")
    parser.add_argument("--screens", type=int, default=3, help="screens on node B")
    parser.add_argument("--burst", type=int, default=50, help="concurrent reads in the burst")
    parser.add_argument("--pool", type=int, default=10, help="DATABASE_POOL_MAX_SIZE measured")
    parser.add_argument(
        "--linger", type=float, default=3, help="seconds after the burst to count again"
    )
    parser.add_argument(
        "--crash", action="store_true", help="kill node A (SIGKILL) instead of stopping it"
    )
    parser.add_argument("--skip-connections", action="store_true", help="the stream only")
    args = parser.parse_args()
    if not (6 <= args.events <= 10_000 and 0 < args.rate <= 500 and 0 < args.screens <= 200):
        parser.error("6..10000 events, a rate up to 500/s and 1..200 screens")
    if not (0 < args.burst <= 80 and 0 < args.pool <= 40):
        parser.error("a burst of 1..80 (PostgreSQL allows 100 by default) and a pool of 1..40")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print(
            "bench/multinode.py needs PostgreSQL: set DATABASE_URL=postgres://… (it creates"
            " and drops <name>_bench beside that database). Several nodes on one SQLite"
            " file is not a deployment.",
            file=sys.stderr,
        )
        return 2

    with tempfile.TemporaryDirectory(prefix="linkage-bench-") as tmp:
        workdir = Path(tmp)
        with redis_server(workdir) as redis_url, throwaway_database(workdir) as database_url:
            env = server_env(database_url, redis_url)
            env.pop("DATABASE_POOL_MAX_SIZE", None)
            env.pop("CELERY_TASK_ALWAYS_EAGER", None)
            # Once, as the compose file's one-shot migrate service does: nodes never migrate.
            if not migrate(env):
                return 2
            setup_django(env)
            s = seed()
            from django.db import connections as django_connections

            django_connections.close_all()
            print(
                f"Linkage multi-node — 2 × uvicorn (1 worker each), Celery worker (solo) + beat,"
                f" RedisPubSubChannelLayer, PostgreSQL; Python {platform.python_version()},"
                f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, loopback"
            )
            with celery("worker", env, workdir), celery("beat", env, workdir) as beat_log:
                node_a = Node("node-a", env, workdir)
                node_b = Node("node-b", env, workdir)
                try:
                    streamed = asyncio.run(stream(args, node_a, node_b, s))
                finally:
                    node_a.close()
                    node_b.close()
                    django_connections.close_all()
                ok = streamed
                if not args.skip_connections:
                    ok &= measure_connections(args, env, workdir, database_url, s.writer_token)
                sent = beat_log.read_text(errors="replace").count("Sending due task")
                print(f"\nbeat: {sent} due tasks sent to the worker during the run")
                django_connections.close_all()
    print("\nresult:", "every committed event on every screen, once, in order" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
