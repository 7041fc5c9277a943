"""Browser tests: Playwright's sync API driving Debian's chromium against ``live_server``.

``playwright install`` cannot download here, so the browser is Debian's ``chromium``
(``apt-get install chromium fonts-noto-cjk``); without it these tests are skipped.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def results_dir(request: pytest.FixtureRequest) -> Path:
    """``test-results/`` at the project root (git-ignored), for screenshots."""
    path = request.config.rootpath / "test-results"
    path.mkdir(exist_ok=True)
    return path


_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item, so that ``page`` knows whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """Set for these tests only, and restored afterwards, so other tests keep the check."""
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # Playwright's sync API marks an event loop running in this thread; Django would refuse ORM.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One chromium for the browser tests.

    Package-scoped rather than session-scoped on purpose: while Playwright's sync API is
    started it leaves its event loop marked running in the main thread, which would break
    every test run after it in the same process (``async_to_sync``, pytest-asyncio, the
    ORM's async-safety check). Closing it when this package ends keeps other tests clean.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest, results_dir: Path) -> Iterator:
    """A fresh context (cookies, storage) per test, as a user in China sees the site.

    On failure a screenshot is saved to ``test-results/<test name>.png``.
    """
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1366, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        reports = request.node.stash.get(_REPORTS, {})
        if any(r.failed for r in reports.values()):
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            try:
                page.screenshot(path=str(results_dir / f"{name}.png"), full_page=True)
            except Exception as exc:  # the page may be gone; never hide the real failure
                print(f"screenshot failed: {exc}")
        context.close()


# --- the in-process ASGI server (see tests/browser/test_dispatch_live.py's docstring) ---

PASSWORD = "pw-Linkage-2026"
WAIT_MS = 20_000  # the live client's heartbeat catches up within 15 s even if a doorbell is lost


class _InFlight:
    """Wraps the ASGI application to count the requests and sockets it is still serving.

    A browser context closed at the end of a test can leave a request or a socket's last
    query running in the server's threads; the database flush that follows would then race
    it (a TRUNCATE against an open transaction can deadlock). Tests wait for zero first.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        with self.lock:
            self.count += 1
        try:
            return await self.app(scope, receive, send)
        finally:
            with self.lock:
                self.count -= 1

    def wait_idle(self, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count == 0:
                return True
            time.sleep(0.05)
        return False


_SERVED = _InFlight(None)


@pytest.fixture(autouse=True)
def _server_idle_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that used the in-process server, wait until it serves nothing (set up
    after the database fixture, so this runs before its flush)."""
    yield
    if "asgi_server" in request.fixturenames and _SERVED.app is not None:
        if not _SERVED.wait_idle():
            print(f"the test server still serves {_SERVED.count} requests or sockets")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def asgi_server() -> Iterator[str]:
    """daphne serving the real ASGI application in a thread of this process (see the
    module docstring for why); yields its base URL."""
    from channels.routing import ProtocolTypeRouter
    from daphne.server import Server
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application

    _SERVED.app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(application.application_mapping["http"]),
            "websocket": application.application_mapping["websocket"],
        }
    )
    # The server's threads open their own connections; without persistent connections
    # they close after each request, so PostgreSQL can drop the test database at the end.
    db_settings = connections["default"].settings_dict
    saved_max_age = db_settings.get("CONN_MAX_AGE", 0)
    db_settings["CONN_MAX_AGE"] = 0
    port = _free_port()
    server = Server(
        _SERVED,
        endpoints=[f"tcp:port={port}:interface=127.0.0.1"],
        signal_handlers=False,
        verbosity=0,
    )
    thread = threading.Thread(target=server.run, name="daphne-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or not thread.is_alive():
                pytest.fail("the in-process daphne server did not start")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    from twisted.internet import reactor

    reactor.callFromThread(server.stop)
    thread.join(timeout=10)
    db_settings["CONN_MAX_AGE"] = saved_max_age


def in_worker_thread(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` where no event loop is marked running, then drop that thread's
    connection (the main thread keeps the shared in-memory database alive)."""

    def call() -> Any:
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result(timeout=60)


def new_context(browser: Any) -> Any:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1600, "height": 900}
    )
    context.set_default_timeout(WAIT_MS)
    return context


def log_in(page: Any, base_url: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login/"))
