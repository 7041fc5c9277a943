"""The HQ page in a browser (issue 13, Tieling §三.二.4): a duty officer starts a level-IV
flood response from the incident page and the board lists each department's
instructions; the water bureau's editor, in another browser, acknowledges and completes
its instruction with a report on its phone-width "our instructions" page, and the board
follows without a reload; an instruction that passes its deadline shows flagged on the
board and on the hall screen, where it rings the alarm. Debian's chromium, the real ASGI
application (daphne in-process, see test_dispatch_live.py); the overdue tick runs
through the service in a worker thread against the same database."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from response import services
from response.choices import InstructionStatus
from response.models import ResponseActivation
from tests.browser.conftest import WAIT_MS, in_worker_thread, log_in, new_context
from tests.browser.test_content_security_policy import Problems
from tests.response.conftest import response_world  # noqa: F401 — the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


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


def go_live(page: Page) -> None:
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    page.evaluate("window.__loadMarker = 'first-load'")


def not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__loadMarker") == "first-load"


def test_the_board_follows_the_departments_live_and_flags_what_is_overdue(
    open_as,
    asgi_server,
    response_world,  # noqa: F811
    results_dir,
):
    w = response_world
    hq = open_as("duty_a")
    problems = Problems(hq)
    hq.goto(f"{asgi_server}/command/incidents/{w.incident_a.pk}/")
    hq.click("#start-response")
    expect(hq.locator("#id_hazard")).to_have_value("flood")
    expect(hq.locator("#id_level")).to_have_value("iv")
    hq.fill("#id_reason", "卫运河临清站水位超警戒0.3米，启动防汛Ⅳ级应急响应")
    hq.click("#activate")

    activation = ResponseActivation.objects.get(incident=w.incident_a)
    expect(hq).to_have_url(f"{asgi_server}/response/{activation.pk}/")
    departments = hq.locator(".department-card .department-name")
    expect(departments).to_have_count(3)
    assert sorted(departments.all_text_contents()) == sorted(
        ["临清市水利局", "临清市自然资源局", "临清市住房和城乡建设局"]
    )
    water = activation.instructions.get(department=w.water_a)
    housing = activation.instructions.get(department=w.housing_a)
    row = hq.locator(f'.instruction-row[data-instruction-id="{water.pk}"]')
    expect(row).to_have_attribute("data-status", "sent")
    expect(row).to_contain_text("加强水库、河道巡查，每2小时报告一次水情")
    go_live(hq)
    problems.check("the response board")

    # The water bureau's editor, on a phone, in its own browser.
    editor = open_as("editor_water_a", viewport=PHONE)
    editor.goto(f"{asgi_server}/response/instructions/")
    mine = editor.locator(f'.instruction-row[data-instruction-id="{water.pk}"]')
    expect(mine).to_be_visible()
    expect(editor.locator(".instruction-row")).to_have_count(1)
    assert editor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    mine.locator('[data-action="acknowledge"]').click()
    expect(mine).to_have_attribute("data-status", "acknowledged")

    expect(row).to_have_attribute("data-status", "acknowledged", timeout=WAIT_MS)
    expect(row.locator(".instruction-ack")).to_contain_text("王水利")
    expect(hq.locator("#count-acknowledged")).to_have_text("1")
    not_reloaded(hq)

    mine = editor.locator(f'.instruction-row[data-instruction-id="{water.pk}"]')
    mine.locator('summary[data-action="complete"]').click()
    mine.locator("textarea[name=report]").fill("已巡查卫运河堤防12公里，未发现管涌、渗漏")
    mine.locator('[data-action="submit-report"]').click()
    expect(editor.locator("#nothing-open")).to_be_visible()
    editor.screenshot(path=str(results_dir / "response_our_instructions_phone.png"), full_page=True)

    expect(row).to_have_attribute("data-status", "done", timeout=WAIT_MS)
    expect(row.locator("[data-report]")).to_have_text("已巡查卫运河堤防12公里，未发现管涌、渗漏")
    expect(hq.locator("#count-done")).to_have_text("1")
    not_reloaded(hq)
    water.refresh_from_db()
    assert water.status == InstructionStatus.DONE

    # The hall screen watches too; the housing bureau's 90-minute instruction passes its
    # deadline (the beat's overdue tick, here run at activation + 95 minutes).
    screen = open_as("screen_a")
    screen.goto(f"{asgi_server}/hall/screen/")
    expect(screen.locator(f'#screen-response [data-response-id="{activation.pk}"]')).to_be_visible()
    expect(screen.locator("#counter-instructions-overdue")).to_have_text("0")
    go_live(screen)

    later = activation.activated_at + datetime.timedelta(minutes=95)
    assert in_worker_thread(lambda: services.flag_overdue(now=later)) == 1

    # Written outside the server, the tick's events reach the pages by the live client's
    # 15-second heartbeat rather than by the doorbell: allow two heartbeats.
    late = hq.locator(f'.instruction-row[data-instruction-id="{housing.pk}"]')
    expect(late).to_have_attribute("data-overdue", "1", timeout=2 * WAIT_MS)
    expect(late.locator("[data-overdue-flag]")).to_be_visible()
    expect(hq.locator("#count-overdue")).to_have_text("1")
    not_reloaded(hq)
    hq.screenshot(path=str(results_dir / "response_board.png"), full_page=True)

    expect(screen.locator("#counter-instructions-overdue")).to_have_text("1", timeout=2 * WAIT_MS)
    alarm = screen.locator('#hall-alarms .hall-alarm[data-type="instruction.overdue"]')
    expect(alarm).to_have_count(1, timeout=2 * WAIT_MS)
    expect(screen.locator("#hall-alarms")).to_be_visible()
    not_reloaded(screen)
    screen.screenshot(path=str(results_dir / "response_hall_screen.png"))
    assert timezone.now() < later  # the real clock never passed: the flag is the tick's
