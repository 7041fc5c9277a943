"""The embedded mode (``make run``) as a small county runs it: one SQLite file, the ASGI
server and the beat's ticks beside it, tasks in-process.

Each test works on its own copy of a SQLite file migrated once for the module, through
subprocesses started with the environment ``make run`` exports, so that what is proven is
what an operator runs: concurrent writers wait for the write lock instead of failing
(WAL, busy timeout, ``BEGIN IMMEDIATE``), and work that a killed process left in the
database is done when the server starts again.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DAPHNE = [PYTHON, "-m", "daphne", "--no-server-name"]


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if pytest dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def embedded_env(database: Path, port: int = 8000) -> dict[str, str]:
    """The environment of ``make run`` (Makefile), on ``database``: no Redis, so the
    in-memory channel layer and in-process tasks."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "NOTIFY_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_HSTS_PRELOAD="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        OTP_REQUIRED_ROLES="",
        NOTIFY_PUBLIC_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
    )
    return env


def run_script(database: Path, script: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [PYTHON, "-c", f"import django\ndjango.setup()\n{script}"],
        cwd=ROOT,
        env=embedded_env(database),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def rows(database: Path, sql: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(database, timeout=20)) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A SQLite file with every migration applied (their data included), once."""
    database = tmp_path_factory.mktemp("embedded") / "template.sqlite3"
    result = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=embedded_env(database),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return database


@pytest.fixture
def database(migrated, tmp_path) -> Path:
    copy = tmp_path / "db.sqlite3"
    shutil.copyfile(migrated, copy)
    return copy


SETUP = """
from core.models import Jurisdiction
province = Jurisdiction.objects.create(code="370000", name="山东省", level="province")
city = Jurisdiction.objects.create(code="371500", name="聊城市", level="city", parent=province)
county = Jurisdiction.objects.create(code="371581", name="临清市", level="county", parent=city)
"""

NOTIFY = """
from core.models import Jurisdiction
from notify import services
from notify.choices import Audience, Purpose
from notify.types import Recipient

def notify_county(county, i):
    return services.notify(
        purpose=Purpose.REPORT_DUE,
        subject=county,
        jurisdiction=county,
        audiences={
            Audience.DUTY_OFFICERS: [Recipient(label="值班员", phone=f"1370000{i:04d}")]
        },
        title=f"报告提醒 {i}",
        body="请按时报送续报",
    )
"""


def test_concurrent_writers_on_the_sqlite_file_queue_instead_of_failing(database):
    """Twelve threads, each committing ten times through record_event (the counter row
    every service takes) and notify (notification, deliveries, then the in-process send
    after commit, which writes again): every commit lands, none answers "database is
    locked"."""
    output = run_script(
        database,
        SETUP
        + NOTIFY
        + """
import threading
from django.db import connection, transaction
from core.events import AccountEvent, record_event

counties = [
    Jurisdiction.objects.create(code=f"3715{n:02d}", name=f"县{n}", level="county", parent=city)
    for n in range(20, 32)
]
errors = []
start = threading.Barrier(len(counties))

def write(n, place):
    try:
        start.wait()
        for i in range(10):
            with transaction.atomic():
                record_event(
                    type=AccountEvent.ORGANISATION_UPDATED,
                    jurisdiction=place,
                    subject=place,
                    payload={"writer": n, "i": i},
                )
            notify_county(place, n * 100 + i)
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(n, c)) for n, c in enumerate(counties)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("errors", errors)
""",
    )
    assert "errors []" in output, output
    assert rows(
        database, "SELECT COUNT(*) FROM core_event WHERE type = 'organisation.updated'"
    ) == [(120,)]
    # One notification per county (a second for the same open subject writes nothing),
    # its deliveries handed to the simulator by the in-process task after each commit.
    assert rows(database, "SELECT COUNT(*) FROM notify_notification") == [(12,)]
    assert rows(database, "SELECT COUNT(*) FROM notify_delivery WHERE status = 'queued'") == [(0,)]
    seqs = [seq for (seq,) in rows(database, "SELECT seq FROM core_event ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))


def test_work_left_by_a_killed_process_is_done_when_the_server_starts_again(database):
    """The process dies right after COMMIT, before its in-process task sent the
    notification: the deliveries stay queued in the outbox. Started again the way
    ``make run`` starts it (the ticks beside daphne), the start-up sweep sends them."""
    run_script(
        database,
        SETUP
        + NOTIFY
        + """
import os
from django.db import transaction

with transaction.atomic():
    # Runs first of the on-commit hooks, before notify's send: the process dies there.
    transaction.on_commit(lambda: os._exit(0))
    notify_county(county, 1)
""",
    )
    queued = "SELECT COUNT(*) FROM notify_delivery WHERE status = 'queued'"
    assert rows(database, queued) == [(1,)]

    port = spare_port()
    env = embedded_env(database, port)
    ticks = subprocess.Popen(
        [PYTHON, "manage.py", "run_ticks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_die_with_parent,
    )
    server = subprocess.Popen(
        [*DAPHNE, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    try:
        deadline = time.monotonic() + 120
        while rows(database, queued) != [(0,)] and time.monotonic() < deadline:
            assert ticks.poll() is None, ticks.stderr.read().decode()[-3000:]
            time.sleep(0.5)
        assert rows(database, queued) == [(0,)]
        assert rows(database, "SELECT status FROM notify_delivery") == [("sent",)]
        # And the server beside it answers.
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as page:
                    assert page.status == 200
                    break
            except urllib.error.HTTPError:
                raise
            except OSError:  # not listening yet
                assert server.poll() is None
                assert time.monotonic() < deadline
                time.sleep(0.5)
    finally:
        for process in (server, ticks):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            if process.poll() is None:
                process.kill()
                process.wait()
