"""An allocation from request to receipt in a browser (issue 14, 调拨): the fire brigade's
dispatcher asks for sandbags from the incident page (the form shows each warehouse's
stock), submits; county A's bureau approver, in another browser, approves — the stock is
issued at once and the on-hand figure on the request's page goes down; the bureau's duty
officer records the delivery; the dispatcher records the receipt with a shortfall. No
console error or CSP violation on the way."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from support.choices import AllocationStatus
from support.models import AllocationRequest
from tests.browser.conftest import WAIT_MS, log_in, new_context
from tests.browser.test_content_security_policy import Problems
from tests.support.allocation_fixtures import on_hand, stock_world

__all__ = ["stock_world"]

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


def status_of(page: Page, status: str) -> None:
    expect(page.locator("h1 .allocation-status")).to_have_attribute(
        "data-status", status, timeout=WAIT_MS
    )


def test_request_approve_deliver_receive_in_the_browser(stock_world, open_as, asgi_server):
    w = stock_world
    for user in (w.dispatcher_a, w.approver_a, w.duty_officer_a):
        user.set_password("pw-Linkage-2026")
        user.save()

    requester = open_as(w.dispatcher_a.username)
    problems = Problems(requester)
    requester.goto(f"{asgi_server}/command/incidents/{w.incident_a.pk}/")
    requester.click("#request-materials")
    expect(requester.locator("#allocation-form")).to_be_visible()
    source = f"{w.store_a.pk}:{w.sandbags.pk}"
    option = requester.locator(f"#id_lines-0-source option[value='{source}']")
    expect(option).to_contain_text("5000")
    requester.fill("#id_purpose", "卫运河临清段漫堤，反滤围井")
    requester.fill("#id_destination", "临清市松林镇卫运河大堤3号险工段")
    needed = timezone.localtime() + datetime.timedelta(hours=4)
    requester.fill("#id_needed_by", needed.strftime("%Y-%m-%dT%H:%M"))
    requester.fill("#id_receiver_name", "赵抢险")
    requester.fill("#id_receiver_phone", "13805351111")
    requester.select_option("#id_lines-0-source", source)
    requester.fill("#id_lines-0-quantity", "1200")
    with requester.expect_navigation():
        requester.click("#submit-allocation")
    status_of(requester, AllocationStatus.SUBMITTED)
    detail_url = requester.url
    problems.check("request")

    approver = open_as(w.approver_a.username)
    approver_problems = Problems(approver)
    approver.goto(detail_url)
    expect(approver.locator("#allocation-lines .on-hand")).to_have_text("5000")
    approver.fill("#approve-note", "同意")
    with approver.expect_navigation():
        approver.click("#action-approve")
    status_of(approver, AllocationStatus.APPROVED)
    expect(approver.locator("#allocation-lines .on-hand")).to_have_text("3800")
    approver_problems.check("approve")
    assert on_hand(w.store_a, w.sandbags) == 3800

    keeper = open_as(w.duty_officer_a.username)
    keeper.goto(detail_url)
    with keeper.expect_navigation():
        keeper.click("#action-deliver")
    status_of(keeper, AllocationStatus.DELIVERED)

    requester.goto(detail_url)
    requester.locator(".received-quantity").first.fill("1180")
    requester.fill("#receive-note", "途中破损20条")
    with requester.expect_navigation():
        requester.click("#action-receive")
    status_of(requester, AllocationStatus.RECEIVED)
    expect(requester.locator("#receipt-note")).to_have_text("途中破损20条")
    expect(requester.locator("#allocation-timeline li")).to_have_count(5)
    problems.check("receive")
    allocation = AllocationRequest.objects.get()
    assert allocation.lines.get().received_quantity == 1180
