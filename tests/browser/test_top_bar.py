"""The top bar on a 1366 px laptop, the duty room's usual screen: every chapter's name
stays whole (no "首/页" one character a line), and the account's links sit in one menu
that still changes the password and logs out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WAIT_MS, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("username", ["duty_a", "admin_a"])
def test_the_top_bar_keeps_each_name_on_one_line_at_1366_px(
    browser, asgi_server, world, username, results_dir
):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        log_in(page, asgi_server, username)
        page.goto(f"{asgi_server}/hall/dashboard/")
        lines = page.evaluate(
            """() => Array.from(document.querySelectorAll('.navbar .nav-link'), (el) => {
                  const range = document.createRange();
                  range.selectNodeContents(el);
                  const tops = new Set(Array.from(range.getClientRects(),
                    (r) => Math.round(r.top)));
                  return [el.textContent.trim(), tops.size];
                })"""
        )
        assert len(lines) >= 10
        assert all(count == 1 for _, count in lines), lines
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        page.screenshot(path=str(results_dir / f"top_bar_{username}.png"))

        page.locator("#whoami").click()
        expect(page.locator("#change-password")).to_be_visible()
        page.get_by_role("button", name="退出登录").click()
        expect(page).to_have_url(f"{asgi_server}/login/")
    finally:
        context.close()
