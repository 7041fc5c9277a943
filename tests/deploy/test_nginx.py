"""deploy/nginx/linkage.conf: nginx accepts it, and a real nginx running it on loopback
forwards what Django and uvicorn need.

The live tests run the file as it is, with two lines changed: nginx listens on a spare
loopback port instead of 80, and the upstream is a stub web server on loopback instead of
Docker's ``web:8000``. The stub echoes what reached it, answers a WebSocket upgrade and
then echoes bytes, as uvicorn would carry a live-feed socket.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.core.test_live_feed_redis import spare_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "nginx" / "linkage.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")

MAIN = """\
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {config};
}}
"""


def main_config(tmp: Path, site: Path) -> Path:
    main = tmp / "nginx.conf"
    main.write_text(MAIN.format(tmp=tmp, config=site), encoding="utf-8")
    return main


def test_nginx_accepts_the_configuration(tmp_path):
    done = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(main_config(tmp_path, CONFIG))],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_uploads_as_large_as_the_settings_allow_fit_under_the_body_limit():
    text = CONFIG.read_text(encoding="utf-8")
    megabytes = int(text.split("client_max_body_size", 1)[1].split("m;", 1)[0])
    largest = max(
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        settings.DRILL_ATTACHMENT_MAX_BYTES,
        settings.CENSUS_UPLOAD_MAX_BYTES,
    )
    assert largest < megabytes * 1024 * 1024 <= largest * 1.5


class StubWeb(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class EchoHandler(socketserver.StreamRequestHandler):
    """One request per connection: its head and body size back as JSON; a WebSocket
    upgrade is answered with 101 and then every byte is echoed."""

    def handle(self):
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            chunk = self.rfile.readline()
            if not chunk:
                return
            head += chunk
        request_line, *lines = head.decode("latin1").split("\r\n")
        headers = {}
        for line in lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if headers.get("upgrade", "").lower() == "websocket":
            self.wfile.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\n\r\n"
            )
            self.wfile.flush()
            while data := self.request.recv(65536):
                self.request.sendall(data)
            return
        length = int(headers.get("content-length", 0))
        received = 0
        while received < length:
            chunk = self.rfile.read(min(1 << 20, length - received))
            if not chunk:
                break
            received += len(chunk)
        body = json.dumps(
            {"request": request_line, "headers": headers, "body_bytes": received}
        ).encode()
        self.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )


def wait_for(port: int, process: subprocess.Popen, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{what} did not start: {process.stderr.read()}") from None
            time.sleep(0.05)


def start_nginx(tmp: Path, port: int, upstream: str) -> subprocess.Popen:
    """nginx running the repository's file, listening on ``port`` of the loopback address
    and sending to ``upstream`` instead of Docker's web:8000."""
    text = CONFIG.read_text(encoding="utf-8")
    for docker, loopback in (
        ("\n    listen 80 default_server;", f"\n    listen 127.0.0.1:{port} default_server;"),
        ("\n    set $linkage_web web:8000;", f"\n    set $linkage_web {upstream};"),
    ):
        assert text.count(docker) == 1, docker
        text = text.replace(docker, loopback)
    site = tmp / "linkage.conf"
    site.write_text(text, encoding="utf-8")
    nginx = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(main_config(tmp, site)), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_for(port, nginx, "nginx")
    return nginx


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """nginx with the repository's config in front of the stub web server."""
    tmp = tmp_path_factory.mktemp("nginx")
    web = StubWeb(("127.0.0.1", 0), EchoHandler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    port = spare_port()
    nginx = start_nginx(tmp, port, f"127.0.0.1:{web.server_address[1]}")
    try:
        yield port
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        web.shutdown()
        web.server_close()


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            method, path, body=body, headers={"Host": "linkage.example.gov.cn", **(headers or {})}
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_the_web_replica_sees_the_client_scheme_and_host_through_nginx(proxy):
    status, body = request(
        proxy, "GET", "/incidents/?page=2", headers={"X-Forwarded-For": "6.6.6.6"}
    )
    assert status == 200
    seen = json.loads(body)
    assert seen["request"] == "GET /incidents/?page=2 HTTP/1.1"
    headers = seen["headers"]
    assert headers["host"] == "linkage.example.gov.cn"
    assert headers["x-forwarded-host"] == "linkage.example.gov.cn"
    assert headers["x-forwarded-proto"] == "http"
    # nginx appends the address it saw: the last entry is the one TRUSTED_PROXY_COUNT=1 uses.
    assert headers["x-forwarded-for"] == "6.6.6.6, 127.0.0.1"


def test_a_live_feed_socket_is_upgraded_and_carried_both_ways(proxy):
    with socket.create_connection(("127.0.0.1", proxy), 10) as sock:
        sock.sendall(
            b"GET /ws/live/ HTTP/1.1\r\nHost: linkage.example.gov.cn\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 101"), answer
        assert b"upgrade: websocket" in answer.lower()
        for frame in (b"first doorbell", "第二个".encode()):
            sock.sendall(frame)
            echoed = b""
            while len(echoed) < len(frame):
                echoed += sock.recv(4096)
            assert echoed == frame


def test_an_attachment_at_the_limit_passes_and_a_larger_body_is_refused(proxy):
    limit = settings.DRILL_ATTACHMENT_MAX_BYTES
    status, body = request(proxy, "POST", "/drills/1/attachments/", body=b"x" * limit)
    assert status == 200
    assert json.loads(body)["body_bytes"] == limit
    status, _ = request(proxy, "POST", "/drills/1/attachments/", body=b"x" * (limit * 2))
    assert status == 413


@pytest.fixture(scope="module")
def django_behind_nginx(tmp_path_factory):
    """The same config in front of uvicorn serving config.asgi with the production
    settings (DJANGO_DEBUG=0, HTTPS required), as a web replica runs it."""
    tmp = tmp_path_factory.mktemp("stack")
    web_port, port = spare_port(), spare_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="linkage.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        LOG_LEVEL="WARNING",
    )
    web = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "config.asgi:application"),
            *("--host", "127.0.0.1", "--port", str(web_port), "--proxy-headers"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    nginx = None
    try:
        wait_for(web_port, web, "uvicorn", timeout=120)
        nginx = start_nginx(tmp, port, f"127.0.0.1:{web_port}")
        yield port
    finally:
        for process in (nginx, web):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)


def test_django_behind_nginx_sends_plain_http_to_https_on_the_public_host(django_behind_nginx):
    conn = http.client.HTTPConnection("127.0.0.1", django_behind_nginx, timeout=30)
    conn.request("GET", "/healthz", headers={"Host": "linkage.example.gov.cn"})
    response = conn.getresponse()
    assert response.status == 301
    # The Host nginx passed on is the public one; X-Forwarded-Proto said "http".
    assert response.getheader("Location") == "https://linkage.example.gov.cn/healthz"
    conn.close()
