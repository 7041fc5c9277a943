"""What a department editor does in the force registry, in a real browser (SPEC §2).

Assertions use ids, selectors and data values, never translated labels: the UI may be in
Chinese or still show English source strings while translations are being written.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from forces.models import Force

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Linkage-2026"
OLD_PHONE = "0635-2345678"
NEW_PHONE = "0635-8881234"


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def open_force_from_list(page: Page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/forces/")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(re.compile(r"/forces/\d+/$"))
    expect(page.locator("h1")).to_contain_text(name)


def test_editor_changes_duty_phone_and_history_shows_it(
    page: Page, live_server, world, results_dir
):
    log_in(page, live_server.url, "editor_water_a")
    open_force_from_list(page, live_server.url, "临清市水利抢险队")
    expect(page.locator("#duty-phone")).to_have_text(OLD_PHONE)

    page.click("#edit-force")
    expect(page).to_have_url(f"{live_server.url}/forces/{world.force_a.pk}/edit/")
    expect(page.locator("#id_duty_phone")).to_have_value(OLD_PHONE)
    page.fill("#id_duty_phone", NEW_PHONE)
    with page.expect_navigation():
        page.click("#save")

    expect(page).to_have_url(f"{live_server.url}/forces/{world.force_a.pk}/")
    expect(page.locator("#duty-phone")).to_have_text(NEW_PHONE)
    entry = page.locator("#history .history-entry").filter(has_text=NEW_PHONE)
    expect(entry).to_have_count(1)
    expect(entry.locator("strong")).to_have_text("王水利")
    change = entry.locator("li").filter(has_text=NEW_PHONE)
    expect(change.locator("del")).to_have_text(OLD_PHONE)
    expect(change.locator("ins")).to_have_text(NEW_PHONE)
    page.screenshot(path=str(results_dir / "force_after_edit.png"), full_page=True)

    force = Force.objects.get(pk=world.force_a.pk)
    assert force.duty_phone == NEW_PHONE
    latest = force.history.latest()
    assert latest.history_user == world.editor_a
    assert latest.duty_phone == NEW_PHONE
    assert latest.prev_record.duty_phone == OLD_PHONE


def test_invalid_duty_phone_is_shown_inline_and_nothing_changes(page: Page, live_server, world):
    history_before = world.force_a.history.count()
    log_in(page, live_server.url, "editor_water_a")
    page.goto(f"{live_server.url}/forces/{world.force_a.pk}/edit/")
    page.fill("#id_duty_phone", "12ab")
    with page.expect_navigation():
        page.click("#save")

    error = page.locator("#field-duty_phone .field-error")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(page.locator("#id_duty_phone")).to_have_value("12ab")
    expect(page.locator("#force-form .field-error")).to_have_count(1)

    force = Force.objects.get(pk=world.force_a.pk)
    assert force.duty_phone == OLD_PHONE
    assert force.history.count() == history_before


def test_other_organisations_editor_cannot_edit(page: Page, live_server, world):
    log_in(page, live_server.url, "editor_power_a")
    response = page.goto(f"{live_server.url}/forces/{world.force_a.pk}/")
    assert response is not None and response.status == 200
    expect(page.locator("#duty-phone")).to_have_text(OLD_PHONE)
    expect(page.locator("#edit-force")).to_have_count(0)

    response = page.goto(f"{live_server.url}/forces/{world.force_a.pk}/edit/")
    assert response is not None and response.status == 403
    assert Force.objects.get(pk=world.force_a.pk).duty_phone == OLD_PHONE
