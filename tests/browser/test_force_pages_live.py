"""A force account's own pages follow the live feed (issue 10): a plan approved at 3 a.m.
puts the new order on the force's open order list without a reload, its order page shows
the dispatcher's step, and a roll call appears on its answer page at once. And the order
list fits a 390 px phone. Debian's chromium, the real ASGI application (daphne
in-process, see test_dispatch_live.py); the writes run through the services in a worker
thread against the same database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from playwright.sync_api import Browser, Page, expect

from core.events import record_event
from dispatch import services as dispatch
from dispatch.events import DispatchEvent
from duty.rollcalls import services as rollcalls
from tests import factories as f
from tests.browser.conftest import WAIT_MS, in_worker_thread, log_in, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def force_page(browser: Browser, asgi_server: str, world) -> Iterator[Page]:
    context = new_context(browser)
    try:
        page = context.new_page()
        log_in(page, asgi_server, "force_a")
        yield page
    finally:
        context.close()


def go_live(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    page.evaluate("window.__loadMarker = 'first-load'")


def not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__loadMarker") == "first-load"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def approve(w, forces) -> list:
    def write():
        plan = f.plan(w.dispatcher_a, w.incident_a, forces, submit=True)
        return dispatch.approve_plan(actor=w.approver_a, plan_id=plan.pk)

    return in_worker_thread(write)


def order_event(w, order) -> None:
    """Any event of this order that its force reads (an alert, a notification …)."""
    with transaction.atomic():
        record_event(
            type=DispatchEvent.ORDER_DELIVERED,
            jurisdiction=w.county_a,
            subject=order,
            organisation=w.water_a,
        )


def test_the_order_list_shows_a_new_order_without_a_reload(
    force_page, asgi_server, incident_world, results_dir
):
    w = incident_world
    go_live(force_page, f"{asgi_server}/dispatch/orders/")
    rows = force_page.locator("#order-list .order-row")
    expect(rows).to_have_count(0)

    orders = approve(w, [w.force_a, w.force_power_a])
    mine = next(o for o in orders if o.force_id == w.force_a.pk)
    other = next(o for o in orders if o.force_id == w.force_power_a.pk)

    expect(rows).to_have_count(1, timeout=WAIT_MS)  # its own force's order only
    expect(rows.first).to_have_attribute("data-order-id", str(mine.pk))
    expect(rows.first).to_have_attribute("data-status", "issued")
    expect(force_page.locator(f'.order-row[data-order-id="{other.pk}"]')).to_have_count(0)
    not_reloaded(force_page)
    force_page.screenshot(path=str(results_dir / "force_order_list_live.png"))


def test_the_order_page_shows_a_step_recorded_elsewhere_without_a_reload(
    force_page, asgi_server, incident_world
):
    """The dispatcher records the acknowledgement on the force's behalf (a phone call):
    the force's open order page moves to the next step."""
    w = incident_world
    (order,) = approve(w, [w.force_a])
    go_live(force_page, f"{asgi_server}/dispatch/orders/{order.pk}/")
    expect(force_page.locator("#order-status")).to_have_attribute("data-status", "issued")
    expect(force_page.locator("#step-acknowledge")).to_be_visible()

    in_worker_thread(lambda: dispatch.acknowledge_order(actor=w.dispatcher_a, order_id=order.pk))
    expect(force_page.locator("#order-status")).to_have_attribute(
        "data-status", "acknowledged", timeout=WAIT_MS
    )
    expect(force_page.locator("#step-depart")).to_be_visible()
    not_reloaded(force_page)


def test_the_order_page_keeps_what_the_force_is_typing(force_page, asgi_server, incident_world):
    """A refresh never wipes a form being filled in: it waits until the form is left."""
    w = incident_world
    (order,) = approve(w, [w.force_a])
    go_live(force_page, f"{asgi_server}/dispatch/orders/{order.pk}/")
    in_worker_thread(lambda: dispatch.acknowledge_order(actor=w.force_account_a, order_id=order.pk))
    expect(force_page.locator("#order-status")).to_have_attribute(
        "data-status", "acknowledged", timeout=WAIT_MS
    )
    for action in ("depart", "arrive", "complete"):
        in_worker_thread(
            lambda action=action: dispatch.advance_order(
                actor=w.force_account_a, order_id=order.pk, action=action
            )
        )
    expect(force_page.locator("#order-status")).to_have_attribute(
        "data-status", "completed", timeout=WAIT_MS
    )
    # Let the refreshes the steps' own events asked for finish before typing.
    refreshes = force_page.evaluate("LinkageLive.regions.refreshes")
    for _ in range(20):
        force_page.wait_for_timeout(1_000)
        now = force_page.evaluate("LinkageLive.regions.refreshes")
        if now == refreshes:
            break
        refreshes = now
    result = force_page.locator("#id_result")
    result.fill("转移群众120人，堤防加固完成")
    refreshes = force_page.evaluate("LinkageLive.regions.refreshes")
    in_worker_thread(lambda: order_event(w, order))
    force_page.wait_for_timeout(2_000)
    expect(result).to_have_value("转移群众120人，堤防加固完成")
    assert force_page.evaluate("LinkageLive.regions.refreshes") == refreshes
    not_reloaded(force_page)


def test_a_roll_call_appears_on_the_answer_page_without_a_reload(force_page, asgi_server, world):
    w = world
    go_live(force_page, f"{asgi_server}/duty/rollcalls/answer/")
    expect(force_page.locator("#no-pending")).to_be_visible()

    # Started by the city: the force account of a county still hears of it at once.
    in_worker_thread(
        lambda: rollcalls.start_roll_call(actor=w.dispatcher_city, jurisdiction=w.city)
    )
    pending = force_page.locator(".roll-call-pending")
    expect(pending).to_have_count(1, timeout=10_000)  # before the 30 s fallback timer
    expect(pending).to_contain_text("临清市水利抢险队")
    not_reloaded(force_page)


def test_the_order_list_fits_a_390_px_phone(browser, asgi_server, incident_world, results_dir):
    w = incident_world
    for _ in range(3):
        approve(w, [w.force_a])
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        log_in(page, asgi_server, "force_a")
        page.goto(f"{asgi_server}/dispatch/orders/")
        rows = page.locator("#order-list .order-row")
        expect(rows).to_have_count(3)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # Each name on one or two lines, never one character a line: count the distinct
        # line boxes of the text.
        lines = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                  '#order-list .order-force, #order-list .order-incident a'))
                .map((el) => {
                  const range = document.createRange();
                  range.selectNodeContents(el);
                  const tops = new Set(Array.from(range.getClientRects(),
                    (r) => Math.round(r.top)));
                  return [el.textContent.trim(), tops.size];
                })"""
        )
        assert len(lines) == 6
        assert all(count <= 2 for _, count in lines), lines
        page.screenshot(path=str(results_dir / "force_order_list_390px.png"), full_page=True)
    finally:
        context.close()
