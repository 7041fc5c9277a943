"""The SMS simulator and the one-time link in real browsers (issue 10): a duty officer
types the phone's reply in the simulator's outbox and the order is acknowledged, with the
answer the phone would receive on screen; the link page of the SMS fits a 390 px phone
with no sideways scrolling, before and after its one button. Debian's chromium against
the real ASGI application (daphne in-process, see test_dispatch_live.py).

The acknowledgement handler is a throwaway one (tests/notify/conftest.py's Recorder on a
Force subject): the page is tested without depending on the dispatch wiring."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from notify import registry
from notify.choices import Channel, Purpose
from notify.models import Notification, SimulatedMessage
from tests.browser.conftest import WAIT_MS, in_worker_thread, log_in, new_context
from tests.notify.conftest import Recorder, order_notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEADER = "13812345678"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def handler() -> Iterator[Recorder]:
    recorder = Recorder()
    registry.register(Purpose.ORDER, acknowledge=recorder, verb="签收")
    yield recorder
    registry.unregister(Purpose.ORDER)


def seed_default_rules() -> None:
    """A transactional test starts from a flushed database, which has lost the rows the
    data migration seeded (who gets what by default): put them back."""
    from django.apps import apps

    seed = importlib.import_module("notify.migrations.0002_seed_default_rules").seed
    in_worker_thread(lambda: seed(apps, None))


@pytest.fixture
def sent(world, handler) -> Notification:
    seed_default_rules()
    return in_worker_thread(lambda: order_notification(world))


def leader_sms() -> SimulatedMessage:
    return in_worker_thread(lambda: SimulatedMessage.objects.get(channel=Channel.SMS, to=LEADER))


def fits_width(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
        " && document.body.scrollWidth <= window.innerWidth"
    )


def test_a_reply_typed_in_the_simulator_acknowledges_the_order(
    browser: Browser, asgi_server: str, world, sent, handler, results_dir
):
    context = new_context(browser)
    try:
        page = context.new_page()
        log_in(page, asgi_server, "duty_a")
        page.click("#nav-notify-simulator")
        expect(page.locator("#simulator-explained")).to_be_visible()
        message = page.locator('article.sim-message[data-channel="sms"]').filter(
            has_text="队长 张建国"
        )
        expect(message).to_have_count(1)
        expect(message.locator(".sim-to")).to_have_text("138****5678")
        expect(message.locator(".sim-bubble")).to_contain_text(f"回复{sent.reply_code}签收")
        message.locator('input[name="body"]').fill(sent.reply_code)
        with page.expect_navigation():
            message.locator(".sim-reply button").click()
        expect(page.locator(".alert-success")).to_contain_text("已签收", timeout=WAIT_MS)
        expect(page.locator('#inbound .sim-inbound[data-outcome="acknowledged"]')).to_have_count(1)
        page.screenshot(path=str(results_dir / "notify_simulator_after_reply.png"), full_page=True)
    finally:
        context.close()
    acknowledged = in_worker_thread(lambda: Notification.objects.get(pk=sent.pk).acknowledged_label)
    assert "138****5678" in acknowledged
    assert [call[1].channel for call in handler.calls] == ["sms"]


def test_the_link_page_fits_a_390px_phone(
    browser: Browser, asgi_server: str, world, sent, handler, results_dir
):
    token = re.search(r"/a/([A-Za-z0-9_-]+)", leader_sms().body).group(1)
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE, is_mobile=True
    )
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(f"{asgi_server}/a/{token}")
        expect(page.locator("#link-subject")).to_contain_text(sent.title)
        button = page.locator("#link-answer button")
        expect(button).to_contain_text("签收")
        assert fits_width(page), page.evaluate("document.documentElement.scrollWidth")
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        page.screenshot(path=str(results_dir / "notify_link_390.png"), full_page=True)
        with page.expect_navigation():
            button.click()
        expect(page.locator("#link-result")).to_have_attribute("data-ok", "true")
        expect(page.locator("#link-result")).to_contain_text("已签收")
        assert fits_width(page)
        # Spent: opening it again says so, still phone-sized.
        response = page.goto(f"{asgi_server}/a/{token}")
        assert response.status == 410
        assert fits_width(page)
    finally:
        context.close()
    assert [call[1].channel for call in handler.calls] == ["link"]
