"""The warning pages in a browser (issue 12): a water-bureau editor drafts a warning,
draws its polygon on the map and publishes it; the detail page's 叫应 board and the hall
screen's counter 预警未叫应 follow the answers live, without a reload; the detail page
fits a 1366×768 laptop and a 390 px phone. Debian's chromium, the real ASGI application
(daphne in-process, see test_dispatch_live.py); writes run through the services in a
worker thread against the same database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from earlywarning import services
from earlywarning.choices import WarningLevel, WarningStatus
from earlywarning.models import HazardWarning
from tests.browser.conftest import WAIT_MS, in_worker_thread, log_in, new_context
from tests.browser.test_content_security_policy import Problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser: Browser, asgi_server: str) -> Iterator:
    contexts = []

    def make(username: str, viewport: dict | None = None) -> Page:
        context = new_context(browser)
        contexts.append(context)
        page = context.new_page()
        if viewport:
            page.set_viewport_size(viewport)
        log_in(page, asgi_server, username)
        return page

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


def publish(w) -> HazardWarning:
    def write():
        now = timezone.now()
        draft = services.create_draft(
            actor=w.editor_a,
            data=services.WarningData(
                hazard_type=w.flood_hazard,
                level=WarningLevel.ORANGE,
                areas=[w.town_a, w.town_a2],
                headline="卫运河临清段洪水橙色预警：上游来水持续增加，沿河村庄请做好转移准备",
                description="受上游强降雨影响，卫运河临清段水位持续上涨，预计12小时内超警戒水位。",
                instruction="沿河群众远离河道，听从村（社区）网格员安排转移。",
                force_instruction="防汛抢险队伍24小时备勤，做好出动准备。",
                effective_at=now,
                expires_at=now + timedelta(hours=12),
            ),
        )
        return services.publish_warning(actor=w.editor_a, warning_id=draft.pk)

    return in_worker_thread(write)


def acknowledge(w, recipient_id: int) -> None:
    in_worker_thread(
        lambda: services.acknowledge_recipient(actor=w.duty_officer_a, recipient_id=recipient_id)
    )


def go_live(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    page.evaluate("window.__loadMarker = 'first-load'")


def not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__loadMarker") == "first-load"


def test_an_editor_drafts_a_warning_draws_its_polygon_and_publishes_it(
    open_as, asgi_server, warning_world, results_dir
):
    w = warning_world
    page = open_as("editor_water_a")
    problems = Problems(page)  # CSP: the map and its script run without inline code
    page.goto(f"{asgi_server}/warnings/")
    page.click("#new-warning")
    expect(page.locator("#warning-map")).to_be_visible()
    expect(page.locator("#warning-map .leaflet-interactive").first).to_be_attached()

    page.select_option("#id_hazard_type", str(w.flood_hazard.pk))
    page.select_option("#id_level", "yellow")
    expect(page.locator("#field-opens_key_period")).to_be_hidden()
    page.select_option("#id_level", "orange")
    expect(page.locator("#field-opens_key_period")).to_be_visible()
    page.select_option("#id_areas", [str(w.town_a.pk), str(w.village_a3.pk)])
    page.fill("#id_headline", "卫运河洪水橙色预警")
    page.fill("#id_description", "卫运河临清段水位上涨，请沿河群众做好防范。")

    board = page.locator("#warning-map")
    for x, y in ((80, 80), (260, 90), (200, 260)):
        board.click(position={"x": x, "y": y})
    expect(board).to_have_attribute("data-points", "3")
    text = page.input_value("#id_polygon")
    pairs = text.split()
    assert len(pairs) == 4 and pairs[0] == pairs[-1], text

    # Drag the second point somewhere else: the text follows.
    vertex = page.locator(".polygon-vertex").nth(1)
    box = vertex.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + 80, steps=5)
    page.mouse.up()
    moved = page.input_value("#id_polygon")
    assert moved != text and moved.split()[0] == moved.split()[-1]

    # Clear, then paste CAP text: the map draws it.
    page.click("#polygon-clear")
    expect(board).to_have_attribute("data-points", "0")
    assert page.input_value("#id_polygon") == ""
    page.fill("#id_polygon", moved)
    expect(board).to_have_attribute("data-points", "3")
    page.screenshot(path=str(results_dir / "warning_form_drawn.png"), full_page=True)
    problems.check("the warning form")

    page.click("#save-draft")
    expect(page.locator("#action-publish")).to_be_visible()
    warning = HazardWarning.objects.get()
    assert warning.status == WarningStatus.DRAFT and warning.polygon == moved
    page.click("#action-publish")
    expect(page.locator("#warning-status [data-status]")).to_have_attribute(
        "data-status", "published"
    )
    expect(page.locator("#board-totals")).to_be_visible()
    warning.refresh_from_db()
    assert warning.status == WarningStatus.PUBLISHED
    page.screenshot(path=str(results_dir / "warning_published_editor.png"), full_page=True)
    problems.check("the published warning")


def test_the_board_follows_answers_live(open_as, asgi_server, warning_world):
    w = warning_world
    warning = publish(w)
    recipient = warning.recipients.get(grid=w.grid_a1)
    total = warning.recipients.filter(jurisdiction__path__startswith=w.town_a.path).count()
    page = open_as("duty_a")
    go_live(page, f"{asgi_server}/warnings/{warning.pk}/?j={w.town_a.code}")
    expect(page.locator("#board-answered")).to_have_text("0")
    expect(page.locator("#board-total")).to_have_text(str(total))
    row = page.locator(f'.recipient-row[data-recipient-id="{recipient.pk}"]')
    expect(row).not_to_have_attribute("data-state", "answered")

    acknowledge(w, recipient.pk)

    expect(page.locator("#board-answered")).to_have_text("1", timeout=WAIT_MS)
    expect(row).to_have_attribute("data-state", "answered", timeout=WAIT_MS)
    not_reloaded(page)

    # 代签: the duty officer records another grid person's answer by phone.
    other = warning.recipients.get(grid=w.grid_a2)
    page.locator(f'.recipient-row[data-recipient-id="{other.pk}"] .acknowledge-for').click()
    expect(page.locator(f'.recipient-row[data-recipient-id="{other.pk}"]')).to_have_attribute(
        "data-state", "answered"
    )
    expect(page.locator("#board-answered")).to_have_text("2")


def test_the_hall_counter_drops_live(open_as, asgi_server, warning_world, results_dir):
    w = warning_world
    warning = publish(w)
    total = warning.recipients.count()
    page = open_as("screen_a")
    page.goto(f"{asgi_server}/hall/screen/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    counter = page.locator("#counter-warnings-unanswered")
    expect(counter).to_have_attribute("data-value", str(total))
    item = page.locator(f'#warnings .warning-item[data-id="{warning.pk}"]')
    expect(item).to_have_attribute("data-level", "orange")
    expect(item.locator(".warning-level-orange")).to_be_visible()

    acknowledge(w, warning.recipients.get(grid=w.grid_a1).pk)

    expect(counter).to_have_attribute("data-value", str(total - 1), timeout=WAIT_MS)
    expect(item).to_have_attribute("data-answered", "1", timeout=WAIT_MS)
    page.screenshot(path=str(results_dir / "hall_screen_warnings.png"))


def test_the_dashboard_prompts_a_response_and_counts_live(
    open_as, asgi_server, warning_world, results_dir
):
    w = warning_world
    warning = publish(w)
    total = warning.recipients.count()
    page = open_as("duty_a")
    go_live(page, f"{asgi_server}/hall/dashboard/")
    prompt = page.locator(f'.warning-prompt[data-warning-id="{warning.pk}"]')
    expect(prompt).to_be_visible()
    expect(prompt.locator("a.alert-link")).to_have_attribute("href", f"/warnings/{warning.pk}/")
    # The prompt's own button starts a response for that warning.
    expect(prompt.locator("a.start-response")).to_have_attribute(
        "href", f"/response/activate/?warning={warning.pk}"
    )
    counter = page.locator("#count-warnings-unanswered")
    expect(counter).to_have_attribute("data-value", str(total))
    acknowledge(w, warning.recipients.get(grid=w.grid_a3).pk)
    expect(counter).to_have_attribute("data-value", str(total - 1), timeout=WAIT_MS)
    not_reloaded(page)
    page.screenshot(path=str(results_dir / "hall_dashboard_warnings.png"))


@pytest.mark.parametrize(
    ("name", "viewport"),
    [("laptop", {"width": 1366, "height": 768}), ("phone", {"width": 390, "height": 844})],
)
def test_the_detail_page_fits_a_laptop_and_a_phone(
    open_as, asgi_server, warning_world, results_dir, name, viewport
):
    w = warning_world
    warning = publish(w)
    page = open_as("duty_a", viewport)
    for suffix, query in (("", ""), ("_drill", f"?j={w.town_a.code}")):
        page.goto(f"{asgi_server}/warnings/{warning.pk}/{query}")
        expect(page.locator("#board-totals")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (name, suffix, width)
        page.screenshot(
            path=str(results_dir / f"warning_detail_{name}{suffix}.png"), full_page=True
        )
    page.goto(f"{asgi_server}/warnings/")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(results_dir / f"warning_list_{name}.png"), full_page=True)
