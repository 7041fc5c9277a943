#!/usr/bin/env python
"""A major flood as load: a city's incidents, dispatch chains, screens, dashboards, a
roll call over its forces and a warning to its grid persons, all at once, through the
same HTTP API and pages the users use, against 1 or 2 ASGI nodes.

Needs PostgreSQL (DATABASE_URL; it creates and drops ``<name>_bench`` beside it) and
``redis-server``. Starts on loopback and stops again: a private redis-server, the
throwaway database (migrated once, reference fixtures loaded, a city seeded in bulk),
the loopback SMS gateway (tests/notify/gateway_server.py, its own process) behind the
HTTP gateway backend, one Celery worker and one beat, ``--nodes`` uvicorn processes
behind a loopback nginx with a generated config (round robin in the locust users when
/usr/sbin/nginx is missing), then locust headless (bench/locustfile.py) for
``--run-time`` seconds. Meanwhile ``--screens`` live screens (harness.Screen) hang on
``/ws/live/`` through the balancer and stamp what arrives.

Load (locust users, bench/locustfile.py):
  chain       incidents at ``--rate`` per 10 minutes (the issue's 100): the duty officer
              records it, the fire dispatcher drafts a plan over 3–5 forces and submits
              it, the bureau approver approves it, and each force's own account steps
              its order: acknowledge, depart, arrive, complete, result
  dashboard   ``--dashboards`` duty officers' browsers: the dashboard page, its panels
              and the hall screen's JSON, every few seconds (session cookies)
  roll call   the dispatcher starts one over the county's ``--forces`` forces; each
              force account lists what it must answer and answers
  warning     the water bureau's editor publishes an orange flood warning to every grid
              person (``--grids``); the worker hands the messages to the gateway

Prints, per request kind, count, errors, p50 and p99 (locust's), and: events committed
per second, push lag at the screens (receipt − core.Event.created_at, p50/p99, lost),
roll-call answers recorded, warning messages accepted by the gateway. Targets: p99 < 1 s
for every kind and 0 errors. Exit status 1 if one is missed or a screen lost an event.

    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/flood.py --nodes 2 --run-time 180
    .venv/bin/python bench/flood.py --nodes 1 --screens 200 --dashboards 50 \\
        --forces 1000 --grids 20000 --rate 100 --run-time 600 [--browser]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import math
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (
    LOOPBACK,
    PYTHON,
    ROOT,
    Screen,
    asgi_server,
    interrupted,
    redis_server,
    setup_django,
    spare_port,
    start,
    stop,
    throwaway_database,
    wait_for_port,
)

NGINX = "/usr/sbin/nginx"
HTTP_BACKEND = "notify.backends.http.HttpGatewayBackend"
FIXTURES = ["divisions", "specialties", "formations", "incident_types", "hazard_types"]
DEPARTMENTS = 20
TOWNSHIPS = 20
TARGET_P99_MS = 1000.0


# Seed -----------------------------------------------------------------------------------


def seed(args, password: str) -> dict:
    """A county of a city at flood time, written in bulk (setup, not measured): its
    bureau, fire brigade, water bureau and DEPARTMENTS industry departments; ``forces``
    forces, each of its own unit with its own force account; the duty officers, the
    dispatcher, the approver, the editor and the screen user; ``grids`` grids in
    TOWNSHIPS townships. Answers what the locust users need (tokens, sessions, ids)."""
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from core.credentials import hash_secret
    from core.models import ApiToken, Jurisdiction, Organisation, TokenKind, User
    from earlywarning.models import Grid, HazardType
    from forces.models import Force, Specialty

    def place(code, name, level, parent=None):
        return Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )[0]

    province = place("370000", "山东省", "province")
    city = place("371500", "聊城市", "city", province)
    county = place("371581", "临清市", "county", city)
    villages = []
    for t in range(TOWNSHIPS):
        town = place(f"371581{201 + t:03d}", f"汛区{t + 1}镇", "township", county)
        villages += [
            place(f"{town.code}{v + 1:03d}", f"汛区{t + 1}镇{v + 1}村", "village", town)
            for v in range(25)
        ]

    def org(name, kind, **extra):
        return Organisation.objects.create(
            name=name, kind=kind, jurisdiction=county, linkage_tier=extra.pop("tier", 2), **extra
        )

    bureau = org("临清市应急管理局", "emergency_bureau", tier=1, duty_phone="0635-2345678")
    fire = org("临清市消防救援大队", "fire_rescue", tier=1, duty_phone="0635-2345119")
    water = org("临清市水利局", "industry_department", sector="水利")
    departments = [
        org(f"临清市第{n + 1:02d}行业部门", "industry_department") for n in range(DEPARTMENTS)
    ]
    units = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"临清市抢险单位{n:04d}",
                kind="enterprise" if n % 2 else "social_organisation",
                jurisdiction=county,
                linkage_tier=2,
            )
            for n in range(args.forces)
        ],
        batch_size=1000,
    )
    flood = Specialty.objects.get_or_create(code="flood", defaults={"name": "防汛抢险"})[0]
    forces = Force.objects.bulk_create(
        [
            Force(
                name=f"防汛抢险队{n:04d}",
                category=("enterprise", "social")[n % 2],
                organisation=unit,
                industry_authority=departments[n % DEPARTMENTS],
                jurisdiction=villages[n % len(villages)],
                duty_phone=f"139{n:08d}",
                headcount=20,
            )
            for n, unit in enumerate(units)
        ],
        batch_size=1000,
    )
    Force.specialties.through.objects.bulk_create(
        [Force.specialties.through(force_id=x.pk, specialty_id=flood.pk) for x in forces],
        batch_size=1000,
    )
    hazard = HazardType.objects.get_or_create(
        code="flood", defaults={"name": "洪水", "sector": "水利", "cap_category": "Met"}
    )[0]
    Grid.objects.bulk_create(
        [
            Grid(
                jurisdiction=villages[n % len(villages)],
                code=f"G{n:06d}",
                name=f"网格{n:06d}",
                person_name=f"网格员{n}",
                person_phone=f"13{5 + n % 4}{n:08d}",
                supervisor_name="镇值班领导",
                supervisor_phone=f"1590000{n % len(villages):04d}",
            )
            for n in range(args.grids)
        ],
        batch_size=2000,
    )

    # People: passwords unusable (they sign in by token or session) except the screen's,
    # which the browser types; groups and tokens in bulk.
    def people(specs):
        users = User.objects.bulk_create(
            [User(username=name, organisation=where, password="!") for name, where, _ in specs],
            batch_size=1000,
        )
        groups = {g.name: g.pk for g in Group.objects.all()}
        User.groups.through.objects.bulk_create(
            [
                User.groups.through(user_id=u.pk, group_id=groups[role])
                for u, (_, _, role) in zip(users, specs, strict=True)
            ],
            batch_size=1000,
        )
        return users

    now = timezone.now()
    secrets_by_user: dict[int, str] = {}

    def tokens(users):
        rows = []
        for u in users:
            secret = secrets.token_urlsafe(32)
            secrets_by_user[u.pk] = secret
            rows.append(
                ApiToken(
                    user=u,
                    key_hash=hash_secret(secret),
                    prefix=secret[:8],
                    kind=TokenKind.PERSON,
                    name="flood",
                    created_at=now,
                    expires_at=now + timedelta(days=1),
                )
            )
        ApiToken.objects.bulk_create(rows, batch_size=1000)

    duty, dispatcher, approver, editor = people(
        [
            ("flood_duty", bureau, "duty_officer"),
            ("flood_dispatcher", fire, "fire_dispatcher"),
            ("flood_approver", bureau, "bureau_approver"),
            ("flood_editor", water, "department_editor"),
        ]
    )
    officers = people(
        [(f"flood_duty_{n:02d}", bureau, "duty_officer") for n in range(max(args.dashboards, 1))]
    )
    accounts = people(
        [(f"flood_force_{n:04d}", unit, "force_account") for n, unit in enumerate(units)]
    )
    screen = User.objects.create_user(
        username="flood_screen", password=password, organisation=bureau
    )
    screen.groups.add(Group.objects.get(name="screen"))
    tokens([duty, dispatcher, approver, editor, *accounts])

    def session(user) -> str:
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    return {
        "county": county.code,
        "county_id": county.pk,
        "towns": [v.code for v in villages[::25]],
        "incident_type": "11A01",
        "hazard_type": hazard.code,
        "duty": secrets_by_user[duty.pk],
        "dispatcher": secrets_by_user[dispatcher.pk],
        "approver": secrets_by_user[approver.pk],
        "editor": secrets_by_user[editor.pk],
        "forces": [
            [force.pk, secrets_by_user[account.pk]]
            for force, account in zip(forces, accounts, strict=True)
        ],
        "dashboards": [session(officers[n % len(officers)]) for n in range(args.dashboards)],
        "screen_session": session(screen),
        "screen_user": screen.username,
    }


# Processes ------------------------------------------------------------------------------


@contextmanager
def process(command, workdir: Path, name: str, env: dict, ready=None):
    log = (workdir / f"{name}.log").open("w")
    proc = start(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        if ready is not None:
            ready(proc)
        yield proc
    finally:
        stop(proc)
        log.close()


def static_collected() -> bool:
    """whitenoise's manifest exists and is newer than every file under static/."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    return all(p.stat().st_mtime <= built for p in (ROOT / "static").rglob("*") if p.is_file())


def warm_up(hosts: list[str], ports: list[int]) -> None:
    """One request per node through each entry point before the clock starts: the first
    request of a process imports and compiles what every later one reuses."""
    urls = [f"http://{LOOPBACK}:{port}/login/" for port in ports]
    urls += [f"{host}/login/" for host in hosts for _ in ports]
    for url in urls:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=30):
            pass


def cmdline(pid: str) -> str:
    try:
        return (Path("/proc") / pid / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cpu_seconds(pid: int | str) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def processes(nodes: list[int], others: dict[str, int], database: str) -> dict[str, list[str]]:
    """name → pids: each node (found by its port), the given ones, and the PostgreSQL
    backends serving the throwaway database."""
    found: dict[str, list[str]] = {name: [str(pid)] for name, pid in others.items()}
    pids = [p.name for p in Path("/proc").iterdir() if p.name.isdigit()]
    for pid in pids:
        line = cmdline(pid)
        for n, port in enumerate(nodes):
            if "uvicorn" in line and f"--port {port} " in line:
                found.setdefault(f"node{n + 1} (uvicorn)", []).append(pid)
        if line.startswith("postgres: ") and f" {database} " in line:
            found.setdefault("PostgreSQL backends", []).append(pid)
    return found


def cpu_now(found: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    return {name: {pid: cpu_seconds(pid) for pid in pids} for name, pids in found.items()}


def cpu_use(before: dict, after: dict, seconds: float) -> list[str]:
    """Share of one core per group over the load; a process born during the load (a
    pooled PostgreSQL connection) counts from zero."""
    shares = []
    for name, pids in after.items():
        used = sum(cpu - before.get(name, {}).get(pid, 0.0) for pid, cpu in pids.items())
        shares.append(f"{name} {used / seconds * 100:.0f} %")
    return shares


class Waits(threading.Thread):
    """Samples pg_stat_activity of the throwaway database every second during the load:
    the most backends waiting on a lock at once, and the longest open transaction."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.done = database_url, threading.Event()
        self.most_waiting, self.longest, self.longest_query = 0, 0.0, ""

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.done.wait(1):
                rows = conn.execute(
                    "SELECT wait_event_type, extract(epoch FROM now() - xact_start), query "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
                ).fetchall()
                self.most_waiting = max(
                    self.most_waiting, sum(1 for kind, _, _ in rows if kind == "Lock")
                )
                for _, age, query in rows:
                    if age and float(age) > self.longest:
                        self.longest, self.longest_query = float(age), " ".join(query.split())

    def summary(self) -> str:
        return (
            f"at most {self.most_waiting} backends waiting on a lock at once; longest "
            f"open transaction {self.longest:.0f} s (last statement: "
            f"{self.longest_query[:120]}…)"
        )


def server_errors(workdir: Path) -> list[str]:
    """What the nodes logged as 5xx, by path (ids as :id), and the database errors."""
    import re
    from collections import Counter

    counts: Counter[str] = Counter()
    for log in sorted(workdir.glob("node*.log")):
        for line in log.read_text(errors="replace").splitlines():
            match = re.match(r"(Service Unavailable|Internal Server Error): (\S+)", line)
            if match:
                path = re.sub(r"/\d+/", "/:id/", match[2])
                counts[f"{log.stem}: {match[1]} {path}"] += 1
            elif line.startswith(("django.db.utils.", "CONTEXT:")):
                counts[f"{log.stem}: {line[:160]}"] += 1
    return [f"{n}× {what}" for what, n in counts.most_common(12)]


def failures(path: Path, limit: int = 8) -> list[str]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: -int(r["Occurrences"]))
    return [
        f"{r['Occurrences']}× {r['Method']} {r['Name']}: {r['Error'][:300]}" for r in rows[:limit]
    ]


def wait_for_log(path: Path, text: str, proc, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {path.read_text(errors='replace')[-2000:]}")
        if text in path.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready within {timeout:.0f} s")


NGINX_CONF = """worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/nginx-body;
    proxy_temp_path {dir}/nginx-proxy;
    fastcgi_temp_path {dir}/nginx-fastcgi;
    uwsgi_temp_path {dir}/nginx-uwsgi;
    scgi_temp_path {dir}/nginx-scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' ""; }}
    upstream linkage {{
{servers}
        keepalive 64;
    }}
    server {{
        listen {host}:{port};
        client_max_body_size 20m;
        location / {{
            proxy_pass http://linkage;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }}
    }}
}}
"""


@contextmanager
def balancer(workdir: Path, ports: list[int]):
    """nginx round robin over the nodes (WebSocket upgrade passed on); yields its port,
    or None without nginx (the locust users then spread themselves over the nodes)."""
    if not Path(NGINX).exists():
        yield None
        return
    port = spare_port()
    conf = workdir / "nginx.conf"
    servers = "\n".join(f"        server {LOOPBACK}:{p};" for p in ports)
    conf.write_text(NGINX_CONF.format(dir=workdir, servers=servers, host=LOOPBACK, port=port))
    command = [NGINX, "-p", str(workdir), "-c", str(conf), "-g", "daemon off;"]
    proc = start(command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, "nginx")
        yield port
    finally:
        stop(proc)


# Screens --------------------------------------------------------------------------------


class Screens:
    """N live screens on their own event loop (a thread of this process), spread over
    the given ports, resuming from ``after``; they stamp arrivals and decode at the end."""

    def __init__(self, ports: list[int], cookie: str, count: int, after: int) -> None:
        self.ports, self.cookie, self.count, self.after = ports, cookie, count, after
        self.loop = asyncio.new_event_loop()
        self.clients: list[Screen] = []
        self.failed = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        # Arrivals are perf_counter; events carry wall-clock times.
        self.wall0, self.perf0 = time.time(), time.perf_counter()

    def __enter__(self):
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.connect(), self.loop).result(120)
        return self

    async def connect(self) -> None:
        for n in range(self.count):
            port = self.ports[n % len(self.ports)]
            try:
                _, client = await self.loop.create_connection(
                    lambda port=port: Screen(port, self.cookie), LOOPBACK, port
                )
                await asyncio.wait_for(client.opened, 10)
                client.send_json({"type": "resume", "after": self.after})
                await asyncio.wait_for(client.caught_up, 10)
                client.watching = False
                self.clients.append(client)
            except (TimeoutError, OSError, ConnectionError):
                self.failed += 1

    def __exit__(self, *exc) -> None:
        async def close():
            for client in self.clients:
                client.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def lags(self, committed: dict[int, float]) -> tuple[list[float], int]:
        """Push lag per screen per event (seconds) and the receipts missing."""
        lags, lost = [], 0
        for client in self.clients:
            received = client.receipts()
            for seq, at in committed.items():
                if seq in received:
                    lags.append(self.wall0 + (received[seq] - self.perf0) - at)
                else:
                    lost += 1
        return lags, lost


def visible_events(after: int) -> dict[int, float]:
    """seq → created_at (epoch s) of what the screen user may read, committed since
    ``after`` (the live feed's own visibility filter decides)."""
    from core.models import Event, User
    from core.visibility import event_filter

    screen = User.objects.get(username="flood_screen")
    rows = Event.objects.filter(event_filter(screen), seq__gt=after)
    return {seq: at.timestamp() for seq, at in rows.values_list("seq", "created_at")}


# Browser during the flood ---------------------------------------------------------------


def browser_thread(base_url: str, username: str, password: str, county_id: int, args, out):
    """browserbench's measure() from a thread, with a commit that writes one event the
    screen user sees and answers the wall-clock time right after COMMIT."""
    import browser_push  # bench/browser_push.py, only when --browser is given
    from django.db import connection

    from core.models import Jurisdiction, User

    county = Jurisdiction.objects.get(pk=county_id)
    actor = User.objects.get(username=username)

    # Its events carry {"probe": i}: that is how measure() tells which line is which.
    commit = browser_push.probe_committer(county, actor)

    try:
        out["latencies"] = browser_push.measure(
            base_url, username, password, commit, args.browser_events, args.browser_interval
        )
    except Exception as exc:  # reported in the table, the flood goes on
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


# Report ---------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def read_stats(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return [row for row in csv.DictReader(f) if row["Name"] != "Aggregated"]


def gateway_stats(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/stats", timeout=10) as response:
        return json.load(response)


def report(args, rows, extra, lags, lost, browser) -> bool:
    failed = False
    header = "| kind | requests | errors | p50 ms | p99 ms | target p99 < 1 s, 0 errors |"
    print(f"\n{header}\n| --- | ---: | ---: | ---: | ---: | --- |")
    for row in sorted(rows, key=lambda r: r["Name"]):
        count, errors = int(row["Request Count"]), int(row["Failure Count"])
        p50, p99 = float(row["50%"] or "nan"), float(row["99%"] or "nan")
        ok = errors == 0 and p99 < TARGET_P99_MS
        failed |= not ok
        print(
            f"| {row['Type']} {row['Name']} | {count} | {errors} | {p50:.0f} | {p99:.0f} "
            f"| {'met' if ok else 'MISSED'} |"
        )
    print()
    for name, value in extra:
        print(f"- {name}: {value}")
    lag_line = (
        f"p50 {pct(lags, 0.5) * 1000:.0f} ms, p99 {pct(lags, 0.99) * 1000:.0f} ms over "
        f"{len(lags)} receipts, {lost} lost"
    )
    print(f"- push lag at the screens (receipt − event time): {lag_line}")
    failed |= lost > 0
    if browser is not None:
        if "error" in browser:
            print(f"- browser (commit → hall screen DOM): failed: {browser['error']}")
            failed = True
        else:
            ms = browser.get("latencies", [])
            print(
                f"- browser (commit → hall screen DOM, during the flood): p50 "
                f"{pct(ms, 0.5):.0f} ms, p99 {pct(ms, 0.99):.0f} ms over {len(ms)} of "
                f"{args.browser_events} events; target p99 ≤ 100 ms: "
                f"{'met' if pct(ms, 0.99) <= 100 else 'MISSED'}"
            )
            failed |= not (pct(ms, 0.99) <= 100) or len(ms) < args.browser_events
    return failed


# Main -----------------------------------------------------------------------------------


def main() -> int:
    signal.signal(signal.SIGTERM, interrupted)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, choices=(1, 2), default=2)
    parser.add_argument("--run-time", type=int, default=180, help="seconds of load")
    parser.add_argument("--rate", type=float, default=100, help="incidents per 10 minutes")
    parser.add_argument("--chains", type=int, default=4, help="locust users running chains")
    parser.add_argument("--screens", type=int, default=200)
    parser.add_argument("--dashboards", type=int, default=50)
    parser.add_argument("--forces", type=int, default=1000)
    parser.add_argument("--responders", type=int, default=20, help="locust users answering")
    parser.add_argument("--grids", type=int, default=20_000)
    parser.add_argument("--pool", type=int, default=8, help="DATABASE_POOL_MAX_SIZE per node")
    parser.add_argument("--drain", type=float, default=120, help="seconds to await the SMS")
    parser.add_argument("--browser", action="store_true", help="bench/browser_push.py too")
    parser.add_argument("--browser-events", type=int, default=200)
    parser.add_argument("--browser-interval", type=float, default=0.05)
    parser.add_argument("--csv", type=Path, help="keep locust's CSV files with this prefix")
    args = parser.parse_args()
    if not (
        10 <= args.run_time <= 3600
        and 0 <= args.screens <= 1000
        and 0 <= args.dashboards <= 500
        and 5 <= args.forces <= 20_000
        and 0 <= args.grids <= 200_000
        and 1 <= args.chains <= 50
        and 1 <= args.responders <= 200
        and 0 < args.rate <= 10_000
    ):
        parser.error("out of range (see --help)")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print(
            "bench/flood.py needs PostgreSQL: set DATABASE_URL=postgres://… (it creates and "
            "drops <name>_bench on that server).",
            file=sys.stderr,
        )
        return 2
    if args.browser and args.nodes != 2:
        parser.error("--browser measures during the flood on 2 nodes: add --nodes 2")

    with tempfile.TemporaryDirectory(prefix="linkage-flood-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        redis_url = stack.enter_context(redis_server(workdir))
        database_url = stack.enter_context(throwaway_database(workdir))
        gateway_secret = secrets.token_urlsafe(32)
        gateway_port = spare_port()
        gateway_cmd = [PYTHON, str(ROOT / "tests" / "notify" / "gateway_server.py")]
        gateway_cmd += ["--secret", gateway_secret, "--port", str(gateway_port), "--quiet-bodies"]
        stack.enter_context(
            process(
                gateway_cmd,
                workdir,
                "gateway",
                dict(os.environ),
                lambda p: wait_for_port(gateway_port, p, "gateway"),
            )
        )
        gateway_url = f"http://{LOOPBACK}:{gateway_port}"
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=database_url,
            DATABASE_POOL_MAX_SIZE=str(args.pool),
            DATABASE_POOL_MIN_SIZE="2",
            REDIS_URL=redis_url,
            CELERY_BROKER_URL=redis_url,
            CELERY_TASK_ALWAYS_EAGER="0",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS=f"{LOOPBACK},localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_COOKIES="0",
            LOG_LEVEL="WARNING",
            NOTIFY_SMS_BACKEND=HTTP_BACKEND,
            NOTIFY_VOICE_BACKEND=HTTP_BACKEND,
            NOTIFY_GATEWAY_URL=gateway_url,
            NOTIFY_GATEWAY_SECRET=gateway_secret,
            NOTIFY_GATEWAY_SECRET_FILE="",
        )
        setup: list[str] = []
        steps = [["migrate", "--noinput"], ["loaddata", *FIXTURES]]
        if not static_collected():
            # Pages under DJANGO_DEBUG=0 read whitenoise's manifest, as in production.
            steps.append(["collectstatic", "--noinput"])
        for step in steps:
            t0 = time.perf_counter()
            done = subprocess.run(
                [PYTHON, "manage.py", *step], cwd=ROOT, env=env, capture_output=True, text=True
            )
            if done.returncode:
                print(done.stdout[-2000:], done.stderr[-3000:], file=sys.stderr)
                return 2
            setup.append(f"{step[0]} {time.perf_counter() - t0:.0f} s")
        # The runner's own Django: seeding, reading back, the browser's commits. No pool
        # here: one connection per thread is what a script wants.
        setup_django({**env, "DATABASE_POOL_MAX_SIZE": "0"})
        password = secrets.token_urlsafe(16)
        t0 = time.perf_counter()
        plan = seed(args, password)
        setup.append(f"seed {time.perf_counter() - t0:.0f} s")

        celery = [PYTHON, "-m", "celery", "-A", "config"]
        worker_log = workdir / "worker.log"
        worker = stack.enter_context(
            process(
                [
                    *celery,
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                workdir,
                "worker",
                env,
                lambda p: wait_for_log(worker_log, "ready.", p, "celery worker"),
            )
        )
        beat_cmd = [*celery, "beat", "--loglevel=WARNING"]
        beat_cmd += ["--schedule", str(workdir / "beat-schedule")]
        stack.enter_context(process(beat_cmd, workdir, "beat", env))
        nodes = [
            stack.enter_context(asgi_server("uvicorn", env, workdir, 1, name=f"node{n + 1}"))
            for n in range(args.nodes)
        ]
        front = stack.enter_context(balancer(workdir, nodes))
        entry = [front] if front else nodes
        plan["hosts"] = [f"http://{LOOPBACK}:{port}" for port in entry]
        plan["rate"] = args.rate
        plan["chains"] = args.chains
        plan["responders"] = args.responders
        plan["run_time"] = args.run_time
        warm_up(plan["hosts"], nodes)
        plan_file = workdir / "plan.json"
        plan_file.write_text(json.dumps(plan))

        from django.db import connection

        from core.selectors import latest_seq

        after = latest_seq()
        users = args.chains + args.dashboards + args.responders + 1
        load = os.getloadavg()[0]
        print(
            f"Linkage flood — {args.nodes} node(s) (uvicorn × 1 each, pool {args.pool}) "
            f"behind {'nginx' if front else 'round robin in locust'}, Redis, 1 Celery worker "
            f"(solo) + beat, PostgreSQL\n{args.run_time} s of load: incidents at "
            f"{args.rate:g}/10 min by {args.chains} chain users, {args.dashboards} dashboards, "
            f"{args.screens} screens, roll call over {args.forces} forces "
            f"({args.responders} answering users), warning to {args.grids} grid persons\n"
            f"set-up: {', '.join(setup)}; Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, load average {load:.1f} at start, loopback"
        )
        screens = stack.enter_context(Screens(entry, plan["screen_session"], args.screens, after))
        if screens.failed:
            print(f"{screens.failed} screens could not connect", file=sys.stderr)

        browser = None
        if args.browser:
            browser = {}
            thread = threading.Thread(
                target=browser_thread,
                args=(plan["hosts"][0], plan["screen_user"], password, plan["county_id"], args),
                kwargs={"out": browser},
                daemon=True,
            )
        prefix = args.csv or workdir / "flood"
        locust = [PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py")]
        locust += ["--headless", "-u", str(users), "-r", str(min(users, 50))]
        locust += ["--run-time", f"{args.run_time}s", "--stop-timeout", "10"]
        locust += ["--csv", str(prefix), "--host", plan["hosts"][0], "--only-summary"]
        locust += ["--loglevel", "WARNING"]
        started = time.time()
        with process(locust, workdir, "locust", {**env, "FLOOD_PLAN": str(plan_file)}) as run:
            watched = processes(
                nodes,
                {
                    "Celery worker": worker.pid,
                    "locust": run.pid,
                    "this runner (screens)": os.getpid(),
                },
                database_url.rsplit("/", 1)[1],
            )
            cpu_before = cpu_now(watched)
            waits = Waits(database_url)
            waits.start()
            if args.browser:
                time.sleep(min(30, args.run_time / 4))  # in the thick of it
                thread.start()
            run.wait(timeout=args.run_time + 120)
        elapsed = time.time() - started
        waits.done.set()
        rescan = processes(nodes, {}, database_url.rsplit("/", 1)[1])
        for name, pids in rescan.items():
            watched[name] = sorted(set(watched.get(name, [])) | set(pids))
        cpu = cpu_use(cpu_before, cpu_now(watched), elapsed)
        if args.browser:
            thread.join(timeout=args.browser_events * args.browser_interval + 120)
        if run.returncode not in (0, 1):
            print((workdir / "locust.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            return 2

        # Let the screens drain, then read back what was committed.
        time.sleep(3)
        committed = visible_events(after)
        from core.models import Event

        window = Event.objects.filter(seq__gt=after, created_at__gte=_aware(started))
        total_events = window.count()
        lags, lost = screens.lags(committed)
        extra = stats_after(plan, gateway_url, args, started)
        extra[:0] = [
            ("run", f"{elapsed:.0f} s, {users} locust users"),
            ("events committed", f"{total_events} ({total_events / elapsed:.1f}/s)"),
            ("screens connected", f"{len(screens.clients)} of {args.screens}"),
            ("CPU during the load (100 % = one core of 2)", ", ".join(cpu)),
            ("PostgreSQL during the load", waits.summary()),
        ]
        connection.close()
        failed = report(args, read_stats(Path(f"{prefix}_stats.csv")), extra, lags, lost, browser)
        for line in failures(Path(f"{prefix}_failures.csv")):
            print(f"  error: {line}")
        for line in server_errors(workdir):
            print(f"  server: {line}")
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
        return 1 if failed else 0


def _aware(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC)


def stats_after(plan: dict, gateway_url: str, args, started: float) -> list[tuple[str, str]]:
    """Roll-call answers and incidents from the database; SMS from the gateway, waiting
    up to ``--drain`` seconds for the worker to hand over everything queued."""
    from command.models import Incident
    from dispatch.models import CallOutOrder
    from duty.models import RollCallTarget
    from notify.choices import Channel, DeliveryStatus
    from notify.models import Delivery

    sms = Delivery.objects.filter(channel=Channel.SMS)
    deadline = time.monotonic() + args.drain
    while sms.filter(status=DeliveryStatus.QUEUED).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    drained = time.time() - started
    gateway = gateway_stats(gateway_url)
    written = sms.count()
    queued = sms.filter(status=DeliveryStatus.QUEUED).count()
    failed = sms.filter(status=DeliveryStatus.FAILED).count()
    targets = RollCallTarget.objects.all()
    answered = targets.exclude(answered_at=None).count()
    orders = CallOutOrder.objects.all()
    reported = orders.filter(status="reported").count()
    return [
        ("incidents recorded", str(Incident.objects.count())),
        ("orders issued / stepped to the result", f"{orders.count()} / {reported}"),
        ("roll-call targets answered", f"{answered} of {targets.count()}"),
        (
            "SMS written / accepted by the gateway / left queued / failed",
            f"{written} / {gateway['sent']} / {queued} / {failed} "
            f"({drained:.0f} s after the load began)",
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
