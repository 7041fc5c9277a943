"""The live pages where the browser has no WebSocket (static/js/live.js): the hall screen
and the duty dashboard poll /hall/feed/ instead, show "live" on the same badge, and take
in a new event without a reload. Debian's chromium, the real ASGI application."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import transaction
from playwright.sync_api import Browser, Page, expect

from core.events import record_event
from tests.browser.conftest import WAIT_MS, in_worker_thread, log_in, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_socket_page(browser: Browser) -> Iterator[Page]:
    context = new_context(browser)
    context.add_init_script("delete window.WebSocket;")
    try:
        yield context.new_page()
    finally:
        context.close()


def incident_updated(w) -> None:
    def write() -> None:
        with transaction.atomic():
            record_event(
                type="incident.updated",
                jurisdiction=w.county_a,
                subject=w.incident_a,
                actor=w.duty_officer_a,
            )

    in_worker_thread(write)


def test_screen_without_websocket_polls_the_feed_and_follows(
    no_socket_page: Page, asgi_server: str, incident_world
):
    page = no_socket_page
    log_in(page, asgi_server, "screen_a")
    expect(page).to_have_url(f"{asgi_server}/hall/screen/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    assert page.evaluate("window.LinkageHall.mode") == "polling"
    page.evaluate("window.__loadMarker = 'first-load'")

    incident_updated(incident_world)

    line = page.locator('#feed .feed-line[data-type="incident.updated"]')
    expect(line).to_have_count(1, timeout=WAIT_MS)
    expect(line.locator(".feed-sentence")).to_contain_text("卫运河临清段漫堤")
    assert page.evaluate("window.__loadMarker") == "first-load"


def test_dashboard_without_websocket_starts_polling_by_itself(
    no_socket_page: Page, asgi_server: str, incident_world
):
    page = no_socket_page
    log_in(page, asgi_server, "duty_a")
    page.goto(f"{asgi_server}/hall/dashboard/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    assert page.evaluate("window.LinkageLive.mode") == "polling"
    seen = page.evaluate("window.LinkageHall.eventsSeen")

    incident_updated(incident_world)

    # wait_for_function would evaluate a string, which the page's CSP forbids.
    deadline = time.monotonic() + WAIT_MS / 1000
    while page.evaluate("window.LinkageHall.eventsSeen") <= seen:
        assert time.monotonic() < deadline, "the dashboard never saw the new event"
        page.wait_for_timeout(200)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
