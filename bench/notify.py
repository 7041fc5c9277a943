#!/usr/bin/env python
"""A roll call over 5,000 forces handed to the generic HTTP gateway: how long until the
gateway has accepted every SMS, messages per second, and how many were lost or doubled.

Works in a throwaway database (``<name>_bench`` on the PostgreSQL server of
DATABASE_URL, dropped afterwards; a temporary SQLite file when DATABASE_URL is unset).
Starts on loopback: a Redis server (the Celery broker), the test gateway
(tests/notify/gateway_server.py, in its own process, answering at once and accepting
each key once), and ONE Celery worker (solo pool) with NOTIFY_SMS_BACKEND set to
notify.backends.http.HttpGatewayBackend. The bench process itself plays the dispatcher.

Timed, from the dispatcher's call to the gateway's last acceptance:
  create   the roll call and its F notifications and SMS deliveries, up to COMMIT
           (``--via domain``, the default: duty's start_roll_call, which notifies every
           target itself; ``--via direct``: start_roll_call with its own delivery held
           back, then notify.services.notify_many with one ROLL_CALL request per target)
  accepted COMMIT → the worker's send_deliveries tasks → POSTs of NOTIFY_GATEWAY_BATCH
           → the gateway has accepted all F (its own clock, same machine)
Then: lost = SMS deliveries whose key the gateway never accepted; doubled = phones that
received more than one message (every force has its own duty phone); re-sent = keys
handed over more than once (retries the gateway absorbed by key); deliveries left
QUEUED in the database once the worker is done.

    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/notify.py                      # PostgreSQL (target)
    .venv/bin/python bench/notify.py --forces 1000             # SQLite
    .venv/bin/python bench/notify.py --forces 5000 --batch 500 --via domain

Target: < 10 s for 5,000 with 0 lost and 0 doubled (PostgreSQL + Redis + one worker).
Exit status 1 if the target is missed or anything is lost or doubled.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    LOOPBACK,
    migrate,
    redis_server,
    server_env,
    setup_django,
    spare_port,
    start,
    stop,
    throwaway_database,
    wait_for_port,
)

PYTHON = sys.executable
TARGET_SECONDS = 10.0
HTTP_BACKEND = "notify.backends.http.HttpGatewayBackend"


def gateway_get(url: str, path: str) -> dict:
    with urllib.request.urlopen(url + path, timeout=10) as response:
        return json.loads(response.read())


def wait_for_worker(log: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited: {log.read_text()[-2000:]}")
        if " ready." in log.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise RuntimeError("celery worker not ready within 60 s")


def seed(forces: int):
    """A county, a dispatcher, and ``forces`` forces each with its own duty phone (so a
    doubled SMS shows as a phone that received two). Bulk inserts: not measured."""
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
    departments = [
        Organisation.objects.create(
            name=f"临清市第{n:02d}部门", kind="industry_department", jurisdiction=county
        )
        for n in range(50)
    ]
    Force.objects.bulk_create(
        [
            Force(
                name=f"救援队{n:05d}",
                category="government",
                organisation=departments[n % len(departments)],
                jurisdiction=county,
                duty_phone=f"139{n:08d}",
                headcount=20,
            )
            for n in range(forces)
        ],
        batch_size=1000,
    )
    dispatcher = User.objects.create_user(
        username="bench_dispatcher", password=secrets.token_urlsafe(), organisation=fire
    )
    dispatcher.groups.add(Group.objects.get(name="fire_dispatcher"))
    return county, dispatcher


def roll_call_requests(roll_call):
    """One ROLL_CALL notification per target, to the force's 24-hour duty phone (what
    the domain wiring does; used until duty calls notify itself)."""
    from django.utils import timezone

    from notify.choices import Audience, Purpose
    from notify.types import NotifyRequest, Recipient

    body = f"点名{roll_call.pk}：请在{timezone.localtime(roll_call.deadline):%H:%M}前应答"
    return [
        NotifyRequest(
            purpose=Purpose.ROLL_CALL,
            subject=target,
            jurisdiction=roll_call.jurisdiction,
            organisation=target.force.organisation,
            audiences={
                Audience.FORCE_DUTY_PHONE: [
                    Recipient(label="24小时值班电话", phone=target.force.duty_phone)
                ]
            },
            title=f"点名：{target.force.name}",
            body=body,
            expires_at=roll_call.closes_at,
        )
        for target in roll_call.targets.select_related("force", "force__organisation")
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forces", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100, help="messages per POST")
    parser.add_argument("--via", choices=("direct", "domain"), default="domain")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    if not 1 <= args.forces <= 100_000:
        parser.error("1..100000 forces")

    with tempfile.TemporaryDirectory(prefix="linkage-bench-") as tmp:
        workdir = Path(tmp)
        with throwaway_database(workdir) as database_url, redis_server(workdir) as redis_url:
            secret = secrets.token_urlsafe(32)
            gateway_port = spare_port()
            gateway = start(
                [
                    PYTHON,
                    str(ROOT / "tests" / "notify" / "gateway_server.py"),
                    "--secret",
                    secret,
                    "--port",
                    str(gateway_port),
                    "--quiet-bodies",
                ],
                stdout=subprocess.DEVNULL,
            )
            worker = None
            try:
                wait_for_port(gateway_port, gateway, "gateway")
                gateway_url = f"http://{LOOPBACK}:{gateway_port}"
                env = server_env(
                    database_url,
                    redis_url,
                    CELERY_TASK_ALWAYS_EAGER="0",
                    NOTIFY_SMS_BACKEND=HTTP_BACKEND,
                    NOTIFY_VOICE_BACKEND=HTTP_BACKEND,
                    NOTIFY_GATEWAY_URL=gateway_url,
                    NOTIFY_GATEWAY_SECRET=secret,
                    NOTIFY_GATEWAY_SECRET_FILE="",
                    NOTIFY_GATEWAY_BATCH=str(args.batch),
                )
                if not migrate(env):
                    return 2
                log = workdir / "worker.log"
                with log.open("w") as out:
                    worker = start(
                        [
                            *(PYTHON, "-m", "celery", "-A", "config", "worker", "--pool=solo"),
                            *("--concurrency=1", "--without-gossip", "--without-mingle"),
                            *("--without-heartbeat", "--loglevel=INFO"),
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                wait_for_worker(log, worker)
                setup_django(env)
                return measure(args, gateway_url, log)
            finally:
                stop(worker)
                stop(gateway)


def measure(args, gateway_url: str, worker_log: Path) -> int:
    from django.db import connection, transaction

    from duty.rollcalls import services as rollcalls
    from notify import services as notify
    from notify.choices import Channel, DeliveryStatus
    from notify.models import Delivery

    county, dispatcher = seed(args.forces)
    print(
        f"Linkage notifications — roll call over {args.forces} forces → HTTP gateway\n"
        f"{connection.vendor}, Redis + 1 Celery worker (solo), {args.batch} per POST, "
        f"via {args.via}; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )

    held = rollcalls._deliver_after_commit
    if args.via == "direct":
        rollcalls._deliver_after_commit = lambda pk: None
    try:
        started_wall, t0 = time.time(), time.perf_counter()
        with transaction.atomic():
            roll_call = rollcalls.start_roll_call(actor=dispatcher, jurisdiction=county)
            if args.via == "direct":
                notify.notify_many(roll_call_requests(roll_call))
        create = time.perf_counter() - t0
    finally:
        rollcalls._deliver_after_commit = held

    expected = args.forces
    deadline = time.monotonic() + args.timeout
    stats = gateway_get(gateway_url, "/stats")
    while stats["sent"] < expected and time.monotonic() < deadline:
        time.sleep(0.02)
        stats = gateway_get(gateway_url, "/stats")
    waited = time.perf_counter() - t0
    accepted_at = stats["last_accept_at"]
    total = (accepted_at - started_wall) if accepted_at else float("nan")
    timed_out = stats["sent"] < expected

    # Let the worker commit what the gateway has accepted before counting rows.
    sms = Delivery.objects.filter(channel=Channel.SMS)
    settle = time.monotonic() + 30
    while sms.filter(status=DeliveryStatus.QUEUED).exists() and time.monotonic() < settle:
        time.sleep(0.1)
    keys = dict(sms.values_list("key", "address"))
    seen = gateway_get(gateway_url, "/sent")
    sent_keys = [key for key, _to in seen["sent"]]
    phones = [to for _key, to in seen["sent"]]
    lost = len(set(keys) - set(sent_keys))
    doubled = len(phones) - len(set(phones))
    strangers = len(set(sent_keys) - set(keys))
    queued = sms.filter(status=DeliveryStatus.QUEUED).count()
    failed = sms.filter(status=DeliveryStatus.FAILED).count()
    rate = stats["sent"] / total if total == total and total > 0 else 0.0

    print(f"{'step':<36}{'value':>14}")
    print("-" * 50)
    print(f"{'SMS deliveries written':<36}{len(keys):>14}")
    print(f"{'create (roll call + notify, COMMIT)':<36}{create * 1000:>11.0f} ms")
    print(f"{'accepted by the gateway':<36}{stats['sent']:>14}")
    print(f"{'time until all accepted':<36}{total * 1000:>11.0f} ms")
    print(f"{'  of which after COMMIT':<36}{(total - create) * 1000:>11.0f} ms")
    print(f"{'messages per second':<36}{rate:>14.0f}")
    print(f"{'POSTs (largest batch)':<36}{stats['batches']:>8} ({stats['largest_batch']})")
    print(f"{'lost':<36}{lost:>14}")
    print(f"{'doubled (a phone got two)':<36}{doubled:>14}")
    print(f"{'re-sent keys (absorbed by key)':<36}{stats['handed_again']:>14}")
    print(f"{'left queued / failed in the DB':<36}{queued:>8} / {failed}")
    if strangers:
        print(f"{'accepted keys we never wrote':<36}{strangers:>14}")
    if timed_out:
        print(
            f"\ntimed out after {waited:.0f} s; worker log tail:\n"
            + worker_log.read_text(errors="replace")[-2000:],
            file=sys.stderr,
        )
    missed = timed_out or not (total < TARGET_SECONDS)
    print(
        f"\ntarget: < {TARGET_SECONDS:.0f} s for {expected}, 0 lost, 0 doubled — "
        + ("met" if not (missed or lost or doubled) else "MISSED")
    )
    return 1 if (missed or lost or doubled or strangers) else 0


if __name__ == "__main__":
    sys.exit(main())
