"""The dispatch chain seen live on the command-hall screen, in real browsers (SPEC §3
command-hall screen; §4 steps 1–5, Liaocheng §三.一.2): a screen shows "live", a
dispatcher drafts and submits a call-out plan, an approver approves it, and the screen —
without reloading — shows the approval and the issued orders in its feed and moves its
counters (plans awaiting approval up then down, orders in progress up).

Two variants drive the same screen: through the pages (three browser contexts: screen,
dispatcher, approver), and through the services in a worker thread (browsers: the screen
and a duty officer's dashboard, whose htmx panels must follow without a reload too).

Why an in-process ASGI server rather than ``live_server``
----------------------------------------------------------
pytest-django's ``live_server`` is a WSGI server: it has no WebSockets, so the screen
could never go live there. The ``asgi_server`` fixture below runs **daphne in a
background thread of the test process** (``daphne.server.Server`` on a free loopback
port, ``signal_handlers=False``) serving ``config.asgi.application`` with its HTTP side
wrapped in ``ASGIStaticFilesHandler`` so pages get their CSS/JS. All browser contexts
use that one server, as production does (daphne/uvicorn serve pages and sockets alike).

In-process, not a subprocess, because the test database must be shared: Django's SQLite
test database is ``file:memorydb_default?mode=memory&cache=shared``, which other threads
of this process can open but another process cannot; PostgreSQL works either way. Tests
are ``django_db(transaction=True)`` so what the test writes is committed and visible to
the server's threads. The channel layer is the in-memory one (or Redis with REDIS_URL),
which also only works within one process.

Twisted's reactor can run only once per process, so the server is session-scoped and
started once; it stops at the end of the session. Service calls of the second variant
run in a worker thread: Playwright's sync API keeps an event loop marked running in the
main thread, where ``async_to_sync`` (used to ring the doorbell after commit) refuses to
run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from dispatch import services as dispatch
from dispatch.models import CallOutPlan
from tests import factories as f
from tests.browser.conftest import WAIT_MS, in_worker_thread, log_in, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_JS = Path(settings.BASE_DIR) / "static" / "js" / "live.js"


@pytest.fixture
def screen(browser: Browser, asgi_server: str, incident_world, results_dir) -> Iterator[Page]:
    """The county-A screen, logged in (it lands on the hall), live, and marked so that a
    reload would show."""
    context = new_context(browser)
    page = context.new_page()
    try:
        log_in(page, asgi_server, "screen_a")
        expect(page).to_have_url(f"{asgi_server}/hall/screen/")
        expect(page.locator("#live-status")).to_have_attribute(
            "data-state", "live", timeout=WAIT_MS
        )
        page.evaluate("window.__loadMarker = 'first-load'")
        yield page
        page.screenshot(path=str(results_dir / "hall_screen_after_approval.png"))
    finally:
        context.close()


def no_reload_since_marked(page: Page) -> None:
    assert page.evaluate("window.__loadMarker") == "first-load"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert page.evaluate("window.LinkageHall.refreshes") >= 2


def expect_plan_waiting(screen: Page) -> None:
    expect(screen.locator("#counter-plans-awaiting")).to_have_attribute(
        "data-value", "1", timeout=WAIT_MS
    )
    expect(screen.locator('#feed .feed-line[data-type="plan.submitted"]')).to_have_count(
        1, timeout=WAIT_MS
    )


def expect_orders_on_screen(screen: Page, orders: int) -> None:
    expect(screen.locator('#feed .feed-line[data-type="plan.approved"]')).to_have_count(
        1, timeout=WAIT_MS
    )
    expect(screen.locator('#feed .feed-line[data-type="order.issued"]')).to_have_count(
        orders, timeout=WAIT_MS
    )
    expect(screen.locator("#counter-plans-awaiting")).to_have_attribute(
        "data-value", "0", timeout=WAIT_MS
    )
    expect(screen.locator("#counter-orders-active")).to_have_attribute(
        "data-value", str(orders), timeout=WAIT_MS
    )
    issued = screen.locator('#orders-by-status [data-status="issued"] .status-count')
    expect(issued).to_have_attribute("data-value", str(orders), timeout=WAIT_MS)
    # Newest on top: the last order line sits above the approval.
    first = screen.locator("#feed .feed-line").first
    expect(first).to_have_attribute("data-type", re.compile(r"^(order|notice|force)\."))


def test_screen_follows_plan_through_the_pages(browser, screen, asgi_server, incident_world):
    w = incident_world
    assert screen.evaluate("window.LinkageHall.mode") == "websocket", "static/js/live.js"
    dispatcher_context = new_context(browser)
    approver_context = new_context(browser)
    try:
        dispatcher = dispatcher_context.new_page()
        log_in(dispatcher, asgi_server, "dispatcher_a")
        dispatcher.goto(f"{asgi_server}/command/incidents/{w.incident_a.pk}/")
        dispatcher.click("#draft-plan")
        expect(dispatcher.locator("#plan-form")).to_be_visible()
        dispatcher.fill("#id_task", "卫运河临清段堤防抢险，转移群众")
        dispatcher.fill("#id_reason", "河水漫堤，需水域救援和供电抢修力量")
        for force in (w.force_a, w.force_power_a):
            dispatcher.click(f'.suggestion .add-suggestion[data-force-id="{force.pk}"]')
        with dispatcher.expect_navigation():
            dispatcher.click("#save-plan")
        dispatcher.click("#submit-plan")
        expect(dispatcher.locator("#plan-status")).to_have_attribute("data-status", "submitted")
        plan_url = dispatcher.url

        expect_plan_waiting(screen)

        approver = approver_context.new_page()
        log_in(approver, asgi_server, "approver_a")
        approver.goto(plan_url)
        approver.click("#approve-plan")
        expect(approver.locator("#plan-status")).to_have_attribute("data-status", "approved")
        expect(approver.locator(".order-row[data-status]")).to_have_count(2)

        expect_orders_on_screen(screen, orders=2)
        no_reload_since_marked(screen)
    finally:
        dispatcher_context.close()
        approver_context.close()
    plan = CallOutPlan.objects.get(incident=w.incident_a)
    assert plan.status == "approved" and plan.orders.count() == 2


def test_screen_and_dashboard_follow_plan_done_through_the_services(
    browser, screen, asgi_server, incident_world
):
    w = incident_world
    assert screen.evaluate("window.LinkageHall.mode") == "websocket", "static/js/live.js"
    duty_context = new_context(browser)
    try:
        dashboard = duty_context.new_page()
        log_in(dashboard, asgi_server, "duty_a")
        dashboard.goto(f"{asgi_server}/hall/dashboard/")
        expect(dashboard.locator("#live-status")).to_have_attribute(
            "data-state", "live", timeout=WAIT_MS
        )
        dashboard.evaluate("window.__loadMarker = 'first-load'")

        plan = in_worker_thread(
            lambda: f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_power_a], submit=True)
        )
        expect_plan_waiting(screen)
        expect(dashboard.locator(f'#panel-plans .plan-row[data-id="{plan.pk}"]')).to_have_count(
            1, timeout=WAIT_MS
        )

        orders = in_worker_thread(
            lambda: dispatch.approve_plan(actor=w.approver_a, plan_id=plan.pk)
        )
        assert len(orders) == 2
        expect_orders_on_screen(screen, orders=2)
        no_reload_since_marked(screen)
        expect(dashboard.locator("#panel-plans .plan-row")).to_have_count(0, timeout=WAIT_MS)
        expect(dashboard.locator('#panel-orders .order-row[data-status="issued"]')).to_have_count(
            2, timeout=WAIT_MS
        )
        assert dashboard.evaluate("window.__loadMarker") == "first-load"
    finally:
        duty_context.close()
