"""Shelters in a browser: the list page's Leaflet map shows the shelters in service as
markers without a CSP problem, and the hall screen's map has them as a layer its legend
box hides and shows again. Debian's chromium against the real ASGI application."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in, new_context
from tests.browser.test_content_security_policy import Problems
from tests.support.shelters_fixtures import shelter_world

__all__ = ["shelter_world"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser: Browser, asgi_server: str) -> Iterator:
    contexts = []

    def make(username: str) -> Page:
        context = new_context(browser)
        contexts.append(context)
        page = context.new_page()
        log_in(page, asgi_server, username)
        return page

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


def test_shelter_markers_on_the_list_map_and_the_hall_layer_toggle(
    shelter_world, open_as, asgi_server
):
    page = open_as("duty_a")
    problems = Problems(page)
    page.goto(f"{asgi_server}/support/shelters/")
    # Two in service with coordinates in county A; the closed stadium is not drawn.
    expect(page.locator("#shelter-map .shelter-marker")).to_have_count(2)
    expect(page.locator("#below-indicator")).to_have_count(0)
    page.goto(f"{asgi_server}/support/shelters/indicators/")
    expect(page.locator("#indicator-371581")).to_contain_text("2.50")
    problems.check("shelter pages")

    screen = open_as("screen_a")
    screen.goto(f"{asgi_server}/hall/screen/")
    expect(screen.locator("#map .shelter-marker")).to_have_count(2)
    screen.click("#toggle-shelters")
    expect(screen.locator("#map .shelter-marker")).to_have_count(0)
    screen.click("#toggle-shelters")
    expect(screen.locator("#map .shelter-marker")).to_have_count(2)
