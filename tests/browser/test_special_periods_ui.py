"""The bureau declares and ends a sensitive period (敏感期) on its page, in a real browser
(Liaocheng §三.一.2: in special periods approval needs the industry departments' consent).

Assertions use ids, selectors and data values, never translated labels."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import Event
from dispatch.events import DispatchEvent
from dispatch.models import SpecialPeriod
from dispatch.policies import active_special_periods
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_approver_declares_a_sensitive_period_and_ends_it(
    page: Page, live_server, world, results_dir
):
    today = timezone.localdate()
    log_in(page, live_server.url, "approver_a")
    page.goto(f"{live_server.url}/dispatch/plans/")
    page.click("#special-periods-link")
    expect(page).to_have_url(f"{live_server.url}/dispatch/special-periods/")

    page.select_option("#id_kind", "sensitive")
    page.fill("#id_name", "全国两会安保期")
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + timedelta(days=5)).isoformat())
    with page.expect_navigation():
        page.click("#declare-period")

    period = SpecialPeriod.objects.get()
    row = page.locator(f'tr.special-period-row[data-period-id="{period.pk}"]')
    expect(row.locator(".period-name")).to_have_text("全国两会安保期")
    expect(row.locator(".period-ends-on")).to_have_text((today + timedelta(days=5)).isoformat())
    expect(row.locator(".period-status .badge")).to_have_class(re.compile("text-bg-warning"))
    assert active_special_periods(world.town_a, today) == [period]
    page.screenshot(path=str(results_dir / "special_period_declared.png"), full_page=True)

    with page.expect_navigation():
        row.locator("button.end-period").click()
    expect(row.locator(".period-ends-on")).to_have_text(today.isoformat())
    expect(row.locator("button.end-period")).to_have_count(0)
    period.refresh_from_db()
    assert period.ends_on == today
    assert [e.type for e in Event.objects.filter(subject_type="dispatch.specialperiod")] == [
        DispatchEvent.SPECIAL_PERIOD_DECLARED,
        DispatchEvent.SPECIAL_PERIOD_ENDED,
    ]
    assert not active_special_periods(world.county_a, today + timedelta(days=1))


def test_an_invalid_range_is_refused_inline_in_the_browser(page: Page, live_server, world):
    today = timezone.localdate()
    log_in(page, live_server.url, "duty_a")
    page.goto(f"{live_server.url}/dispatch/special-periods/")
    page.fill("#id_name", "倒置的时期")
    page.fill("#id_starts_on", (today + timedelta(days=3)).isoformat())
    page.fill("#id_ends_on", today.isoformat())
    page.click("#declare-period")
    expect(page.locator(".field-error")).to_have_count(1)
    assert not SpecialPeriod.objects.exists()
