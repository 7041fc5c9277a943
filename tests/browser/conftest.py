"""Browser tests: Playwright's sync API driving Debian's chromium against ``live_server``.

``playwright install`` cannot download here, so the browser is Debian's ``chromium``
(``apt-get install chromium fonts-noto-cjk``); without it these tests are skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

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
