"""The bell in a real browser (issue 10): the unread count follows without a reload —
every 30 s while someone uses the page — and stops asking once the page has been left
alone, so that the idle timeout of the session (等保 2.0) still ends it. The browser's
clock is Playwright's, so half an hour passes at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import in_worker_thread, log_in, new_context
from tests.browser.test_notify_simulator import seed_default_rules
from tests.notify.conftest import order_notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HALF_A_MINUTE_MS = 31_000
HALF_AN_HOUR_MS = 31 * 60_000


def test_the_bell_counts_new_notifications_while_the_page_is_used_and_rests_when_idle(
    browser: Browser, asgi_server: str, world, results_dir
):
    seed_default_rules()
    context = new_context(browser)
    try:
        page = context.new_page()
        asked: list[str] = []
        page.on(
            "request", lambda r: asked.append(r.url) if "/notifications/bell/" in r.url else None
        )
        page.clock.install()
        log_in(page, asgi_server, "force_a")
        page.goto(f"{asgi_server}/notifications/")
        page.evaluate("window.__loadMarker = 'first-load'")
        unread = page.locator("#notify-unread")
        expect(unread).to_have_count(0)

        in_worker_thread(lambda: order_notification(world))
        page.mouse.move(40, 200)
        page.clock.fast_forward(HALF_A_MINUTE_MS)
        expect(unread).to_have_attribute("data-count", "1")

        # Left alone for half an hour: the bell stops asking, the session may expire.
        page.clock.fast_forward(HALF_AN_HOUR_MS)
        in_worker_thread(lambda: order_notification(world, force=world.force_power_a))
        before = len(asked)
        page.clock.fast_forward(HALF_A_MINUTE_MS)
        page.wait_for_timeout(1500)
        assert len(asked) == before, asked
        expect(unread).to_have_attribute("data-count", "1")

        # Back at the page: the next refresh brings the count up to date.
        page.mouse.move(60, 220)
        page.clock.fast_forward(HALF_A_MINUTE_MS)
        expect(unread).to_have_attribute("data-count", "2")
        assert page.evaluate("window.__loadMarker") == "first-load"
        page.screenshot(path=str(results_dir / "notify_bell_after_refresh.png"))
    finally:
        context.close()
