"""A county administrator opens an account on the platform's pages and the new user logs
in with the password shown once, in a real browser (issue 8: administration is scoped).

Assertions use ids and data values, never translated labels."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.models import User
from core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Linkage-2026"


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def test_administrator_opens_an_account_and_its_user_logs_in(
    page: Page, browser, live_server, world, results_dir
):
    log_in(page, live_server.url, "admin_a")
    page.click("#nav-management-toggle")  # the administrators' links sit in one menu
    page.click("#nav-accounts")
    expect(page).to_have_url(f"{live_server.url}/accounts/")
    expect(page.locator("#account-rows")).to_contain_text("duty_a")
    expect(page.locator("#account-rows")).not_to_contain_text("dispatcher_b")
    page.goto(f"{live_server.url}/accounts/new/")
    page.fill("#id_username", "water_editor_2")
    page.fill("#id_display_name", "李水利")
    page.fill("#id_phone", "13912345678")
    page.select_option("#id_organisation", str(world.water_a.pk))
    expect(page.locator("#id_organisation option")).not_to_contain_text(["阳谷县水利局"])
    page.check(f"input[name=roles][value={Role.DEPARTMENT_EDITOR}]")
    with page.expect_navigation():
        page.click("#save")
    password = page.locator("#temporary-password").inner_text().strip()
    page.screenshot(path=str(results_dir / "account_password_shown.png"), full_page=True)
    assert len(password) >= 16
    created = User.objects.get(username="water_editor_2")
    assert created.role_names == {Role.DEPARTMENT_EDITOR} and not created.is_staff

    other = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        newcomer = other.new_page()
        log_in(newcomer, live_server.url, "water_editor_2", password)
        expect(newcomer.locator("#whoami")).to_contain_text("李水利")
        expect(newcomer.locator("#nav-accounts")).to_have_count(0)
    finally:
        other.close()
    page.goto(f"{live_server.url}/accounts/{created.pk}/")
    page.screenshot(path=str(results_dir / "account_detail.png"), full_page=True)
    expect(page.locator("table").last).to_contain_text("admin_a")
