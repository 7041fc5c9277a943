"""A roll call in real browsers (SPEC §5, Liaocheng §三.二.2): a dispatcher starts a roll
call, a force account answers it in another browser context, and the dispatcher's
progress view — without a reload — shows the answer. Debian's chromium, the real ASGI
application (daphne in-process, see test_dispatch_live.py), WebSocket live feed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import WAIT_MS, log_in, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatcher_sees_a_force_answer_without_reload(
    browser: Browser, asgi_server: str, world, results_dir
):
    dispatcher_context = new_context(browser)
    force_context = new_context(browser)
    try:
        dispatcher = dispatcher_context.new_page()
        log_in(dispatcher, asgi_server, "dispatcher_a")
        dispatcher.goto(f"{asgi_server}/duty/rollcalls/")
        dispatcher.click("#start-roll-call")
        dispatcher.fill("#id_window_minutes", "10")
        dispatcher.fill("#id_note", "浏览器测试调度")
        with dispatcher.expect_navigation():
            dispatcher.click("#confirm-start")
        expect(dispatcher).to_have_url(re.compile(r"/duty/rollcalls/\d+/$"))
        expect(dispatcher.locator("#live-status")).to_have_attribute(
            "data-state", "live", timeout=WAIT_MS
        )
        counts = dispatcher.locator("#rollcall-counts")
        expect(counts.locator('[data-count="total"]')).to_have_text("2")
        expect(counts.locator('[data-count="waiting"]')).to_have_text("2")
        expect(counts.locator('[data-count="answered"]')).to_have_text("0")
        dispatcher.evaluate("window.__loadMarker = 'first-load'")

        force = force_context.new_page()
        log_in(force, asgi_server, "force_a")
        force.goto(f"{asgi_server}/duty/rollcalls/answer/")
        pending = force.locator(".roll-call-pending")
        expect(pending).to_have_count(1)
        expect(pending).to_contain_text("临清市水利抢险队")
        pending.locator('input[name="people_on_duty"]').fill("6")
        pending.locator('select[name="equipment_ready"]').select_option("true")
        with force.expect_navigation():
            pending.locator(".answer-button").click()
        expect(force.locator("#no-pending")).to_be_visible()

        # The dispatcher's page follows without a reload.
        expect(counts.locator('[data-count="answered"]')).to_have_text("1", timeout=WAIT_MS)
        expect(counts.locator('[data-count="waiting"]')).to_have_text("1")
        row = dispatcher.locator('#rollcall-progress tr[data-outcome="on_time"]')
        expect(row).to_contain_text("临清市水利抢险队")
        expect(row).to_contain_text("6")
        assert dispatcher.evaluate("window.__loadMarker") == "first-load"
        assert dispatcher.evaluate("performance.getEntriesByType('navigation').length") == 1
        dispatcher.screenshot(path=str(results_dir / "rollcall_progress_after_answer.png"))
    finally:
        force_context.close()
        dispatcher_context.close()
