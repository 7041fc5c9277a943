"""What the benchmarks share: processes on loopback (redis-server, a throwaway database,
ASGI servers) that stop with the bench, Django set up in the bench's process, and a
minimal WebSocket screen of the live feed that only stamps what arrives."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOOPBACK = "127.0.0.1"


# Processes ------------------------------------------------------------------------------


def spare_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {LOOPBACK}:{port} within {timeout:.0f} s")


def die_with_parent() -> None:
    """Linux: a child gets SIGTERM when the bench dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def interrupted(signum, frame) -> None:
    """SIGTERM (a timeout, CI) unwinds like Ctrl-C: every server started here stops."""
    raise KeyboardInterrupt


def start(command: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(command, preexec_fn=die_with_parent, **kwargs)


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = spare_port()
    process = start(
        [binary, "--port", str(port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, "redis-server")
        yield f"redis://{LOOPBACK}:{port}/0"
    finally:
        stop(process)


@contextlib.contextmanager
def throwaway_database(workdir: Path) -> Iterator[str]:
    """A fresh database on the server of DATABASE_URL (PostgreSQL), or a SQLite file."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(given)
    name = f"{parts.path.lstrip('/') or 'linkage'}_bench"
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))

    def admin(statement: sql.Composed) -> None:
        with psycopg.connect(given, autocommit=True) as conn:
            conn.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    admin(drop)
    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield bench_url
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        admin(drop)


def server_env(database_url: str, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a bench's Django processes: production settings (debug off, a
    fresh secret key, plain HTTP on loopback) on ``database_url``; with ``redis_url`` the
    channel layer, cache and Celery broker on that Redis, else none. ``extra`` last."""
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=f"{LOOPBACK},localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
    )
    if redis_url:
        env.update(REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url)
    env.update(extra)
    return env


def migrate(env: dict[str, str]) -> bool:
    """``manage.py migrate`` once with ``env``; on failure prints the tail of its output."""
    done = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        print(done.stdout[-2000:], done.stderr[-3000:], file=sys.stderr)
    return done.returncode == 0


def in_throwaway_django(measure: Callable[[], int]) -> int:
    """Run ``measure`` in this process on a fresh, migrated database (PostgreSQL when
    DATABASE_URL names one, else a SQLite file), with the production settings and tasks
    in-process; 2 if the migration fails."""
    with tempfile.TemporaryDirectory(prefix="linkage-bench-") as tmp:
        with throwaway_database(Path(tmp)) as database_url:
            env = server_env(database_url, CELERY_TASK_ALWAYS_EAGER="1")
            if not migrate(env):
                return 2
            setup_django(env)
            return measure()


# The running ASGI server processes by port, for a bench that crashes one (SIGKILL).
servers: dict[int, subprocess.Popen] = {}


@contextlib.contextmanager
def asgi_server(
    kind: str, env: dict[str, str], workdir: Path, workers: int, name: str = "server", port: int = 0
) -> Iterator[int]:
    """uvicorn or daphne serving config.asgi on loopback; yields its port. ``name`` names
    its log (``<workdir>/<name>.log``); ``port`` reuses a port (a restarted node)."""
    port = port or spare_port()
    if kind == "uvicorn":
        command = [PYTHON, "-m", "uvicorn", "config.asgi:application"]
        command += ["--host", LOOPBACK, "--port", str(port), "--workers", str(workers)]
        command += ["--no-access-log", "--log-level", "warning"]
    else:
        command = [PYTHON, "-m", "daphne", "-b", LOOPBACK, "-p", str(port)]
        command += ["config.asgi:application"]
    log = (workdir / f"{name}.log").open("w")
    process = start(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    servers[port] = process
    try:
        wait_for_port(port, process, kind)
        yield port
    finally:
        stop(process)
        servers.pop(port, None)
        log.close()
        log_lines = (workdir / f"{name}.log").read_text(errors="replace").splitlines()
        # Without collectstatic, whitenoise warns once (two lines: the warning, then the
        # source line it points at); that is not news.
        problems = "\n".join(
            line
            for before, line in zip(["", *log_lines], log_lines, strict=False)
            if "No directory at" not in before + line and "warnings.warn" not in line
        ).strip()
        if problems:
            print(f"\n--- {name} ({kind}) log ---\n{problems[-3000:]}\n", file=sys.stderr)


# Django in this process -----------------------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# Clients that only take the time ---------------------------------------------------------
# A screen is a browser of its own. Here N of them share one Python process, so they must
# cost next to nothing, or the bench would measure itself: each socket stamps the bytes
# as they arrive (asyncio.Protocol.data_received) and decodes them after the round.


class Screen(asyncio.Protocol):
    """A minimal WebSocket client (RFC 6455, permessage-deflate like a browser)."""

    def __init__(self, port: int, cookie: str) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        self.request = (
            f"GET /ws/live/ HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: http://{LOOPBACK}:{port}\r\nCookie: sessionid={cookie}\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        ).encode()
        loop = asyncio.get_running_loop()
        self.opened = loop.create_future()
        self.caught_up = loop.create_future()
        self.buffer = bytearray()
        self.upgraded = False
        self.inflater: zlib._Decompress | None = None
        self.reset_inflater = False
        self.fragments: list = []
        self.raw: list[tuple[float, bool, bytes]] = []  # (arrival, compressed, payload)
        self.decoded = 0
        self.watching = True  # decode at once until caught up, then only after the round
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc) -> None:
        for future in (self.opened, self.caught_up):
            if not future.done():
                future.set_exception(ConnectionError("socket closed"))

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode("latin-1")
            del self.buffer[: end + 4]
            if not head.startswith("HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(head.splitlines()[0]))
                return
            extensions = "".join(
                line.split(":", 1)[1]
                for line in head.lower().splitlines()
                if line.startswith("sec-websocket-extensions:")
            )
            if "permessage-deflate" in extensions:
                self.inflater = zlib.decompressobj(-15)
                self.reset_inflater = "server_no_context_takeover" in extensions
            self.upgraded = True
            self.opened.set_result(None)
        self.read_frames(now)

    def read_frames(self, now: float) -> None:
        buf, pos = self.buffer, 0
        while len(buf) - pos >= 2:
            first, length, head = buf[pos], buf[pos + 1] & 0x7F, 2
            if length == 126:
                if len(buf) - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if len(buf) - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if len(buf) - pos < head + length:
                break
            payload = bytes(buf[pos + head : pos + head + length])
            pos += head + length
            opcode = first & 0x0F
            if opcode == 0x9:
                self.send(0xA, payload)
            elif opcode in (0x0, 0x1):
                if opcode == 0x1:
                    self.fragments = [bool(first & 0x40)]
                self.fragments.append(payload)
                if first & 0x80:
                    self.raw.append((now, self.fragments[0], b"".join(self.fragments[1:])))
                    if self.watching:
                        for message in self.decode():
                            if message["type"] == "caught_up" and not self.caught_up.done():
                                self.caught_up.set_result(message["seq"])
        del buf[:pos]

    def decode(self) -> list[dict]:
        """Decode the messages not decoded yet, in order (the inflater has state)."""
        out = []
        for _, compressed, payload in self.raw[self.decoded :]:
            if compressed:
                payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
                if self.reset_inflater:
                    self.inflater = zlib.decompressobj(-15)
            out.append(json.loads(payload))
        self.decoded = len(self.raw)
        return out

    def receipts(self) -> dict[int, float]:
        """seq → arrival time, for everything after the resume."""
        first = self.decoded
        times = [arrival for arrival, _, _ in self.raw[first:]]
        received: dict[int, float] = {}
        for arrival, message in zip(times, self.decode(), strict=True):
            if message["type"] == "events":
                for event in message["events"]:
                    received.setdefault(event["seq"], arrival)
        return received

    def send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        size = len(payload)
        head = bytes([0x80 | opcode])
        head += bytes([0x80 | size]) if size < 126 else bytes([0xFE]) + size.to_bytes(2, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(head + mask + masked)

    def send_json(self, message: dict) -> None:
        self.send(0x1, json.dumps(message).encode())

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
