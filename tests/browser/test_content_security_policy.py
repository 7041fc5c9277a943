"""The pages run under the Content-Security-Policy (issue 8, headers): real chromium loads
the main pages as logged-in users and uses what their scripts do — htmx search, the plan
form's line rows, a select that submits itself, a confirmation before a form is sent, the
hall screen's live feed (WebSocket), map and charts, the API docs — and fails on any CSP
violation, console error or uncaught exception. The header checks without a browser are
tests/security/test_headers.py."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import WAIT_MS, log_in, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script; Playwright injects it outside the page's policy.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Problems:
    """Console errors, CSP reports and uncaught exceptions of one page, all navigations."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.seen: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on(
            "response",
            lambda r: r.status >= 400 and self.seen.append(f"HTTP {r.status} {r.url}"),
        )
        page.on("pageerror", lambda exc: self.seen.append(f"uncaught: {exc}"))

    def _console(self, message) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.seen.append(f"console {message.type}: {message.text}")

    def check(self, where: str, allowed: str | None = None) -> None:
        violations = self.page.evaluate("window.__csp || []")
        problems = self.seen + [f"violation: {v}" for v in violations]
        if allowed:
            problems = [p for p in problems if allowed not in p]
        self.seen = []
        assert problems == [], f"{where}: {problems}"


@pytest.fixture
def as_user(browser: Browser, asgi_server: str) -> Iterator:
    contexts = []

    def open_as(username: str) -> tuple[Page, Problems]:
        context = new_context(browser)
        contexts.append(context)
        page = context.new_page()
        problems = Problems(page)
        log_in(page, asgi_server, username)
        return page, problems

    yield open_as
    for context in contexts:
        # Leave each page first, so the server has finished with its requests and live
        # socket before the test database is flushed (SQLite's shared cache locks tables).
        for page in context.pages:
            page.goto("about:blank")
        context.close()
    time.sleep(0.5)


def test_main_pages_run_under_the_policy(as_user, asgi_server: str, incident_world):
    w = incident_world
    page, problems = as_user("dispatcher_a")
    problems.check("home")

    # Force list: htmx search as you type.
    page.goto(f"{asgi_server}/forces/")
    with page.expect_response(lambda r: "/forces/?" in r.url and "q=" in r.url):
        page.fill("#id_q", "水利")
        page.press("#id_q", "End")  # the search listens to keyup
    expect(page.locator("#force-rows")).to_contain_text("临清市水利抢险队")
    expect(page.locator("#force-rows")).not_to_contain_text("临清供电抢修队")
    problems.check("force list")

    # The plan form's script (static/js/plan_form.js) adds line rows.
    page.goto(f"{asgi_server}/dispatch/incidents/{w.incident_a.pk}/plans/new/")
    rows = page.locator("#line-rows tr")
    before = rows.count()
    page.click("#add-line")
    expect(rows).to_have_count(before + 1)
    problems.check("plan form")

    # Roll-call list: the status select submits its form (static/js/forms.js).
    page.goto(f"{asgi_server}/duty/rollcalls/")
    with page.expect_navigation(url=re.compile(r"status=closed")):
        page.select_option("select[name=status]", "closed")
    problems.check("roll-call list")

    # Drill compliance: two selects that submit themselves.
    page.goto(f"{asgi_server}/drills/compliance/")
    problems.check("drill compliance")


def test_confirmation_before_closing_a_roll_call(as_user, asgi_server: str, world):
    page, problems = as_user("dispatcher_a")
    page.goto(f"{asgi_server}/duty/rollcalls/")
    page.click("#start-roll-call")
    page.fill("#id_window_minutes", "10")
    with page.expect_navigation():
        page.click("#confirm-start")
    expect(page).to_have_url(re.compile(r"/duty/rollcalls/\d+/$"))
    detail = page.url
    close = page.locator("form[data-confirm] button")

    questions: list[str] = []

    def dismiss(dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    close.click()
    page.wait_for_timeout(500)
    assert questions and "确定立即结束" in questions[0]
    assert page.url == detail
    expect(close).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        close.click()
    expect(page.locator("form[data-confirm]")).to_have_count(0)
    problems.check("roll-call detail")


def test_hall_screen_goes_live_with_map_and_charts(as_user, asgi_server: str, incident_world):
    page, problems = as_user("duty_a")
    page.goto(f"{asgi_server}/hall/screen/")
    # The live feed's WebSocket (connect-src 'self' covers ws: on the same host).
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    expect(page.locator("#map.leaflet-container")).to_be_visible()
    expect(page.locator("#level-chart canvas")).to_have_count(1)
    page.hover("#level-chart canvas")
    page.wait_for_timeout(300)
    problems.check("hall screen")

    page.goto(f"{asgi_server}/hall/dashboard/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    problems.check("duty dashboard")


def test_api_docs_render_under_their_policy(as_user, asgi_server: str, world):
    page, problems = as_user("admin_a")
    page.goto(f"{asgi_server}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Linkage API", timeout=WAIT_MS)
    problems.check("swagger ui")
    page.goto(f"{asgi_server}/api/redoc/")
    expect(page.locator("redoc h1").first).to_contain_text("Linkage API", timeout=WAIT_MS)
    # Redoc's "API docs by Redocly" logo comes from its CDN: blocked on purpose (no
    # third-party requests from the platform); Redoc hides the broken image itself.
    problems.check("redoc", allowed="https://cdn.redoc.ly/redoc/logo-mini.svg")
