"""The hall screen at 1366×768 with several roll calls under way (issue 13): the left
column's panels stay inside the column and the column inside the window, nothing spills
below the screen's edge."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from duty.rollcalls import services as rollcall_services
from tests.browser.conftest import WAIT_MS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """() => {
  const column = document.querySelector('.hall-left').getBoundingClientRect();
  const panels = Array.from(document.querySelectorAll('.hall-left > *'))
    .filter((el) => !el.hidden)
    .map((el) => {
      const r = el.getBoundingClientRect();
      return {id: el.id || el.className, top: r.top, bottom: r.bottom,
              scroll: el.scrollHeight, client: el.clientHeight};
    });
  const left = document.querySelector('.hall-left');
  return {
    viewport: window.innerHeight,
    width: document.documentElement.scrollWidth,
    columnBottom: column.bottom,
    columnScroll: left.scrollHeight,
    columnClient: left.clientHeight,
    panels,
    rollCalls: document.querySelectorAll('#roll-calls .rollcall-item').length,
  };
}"""


def start_roll_calls(w) -> None:
    for category in ("", "government", "enterprise"):
        rollcall_services.start_roll_call(
            actor=w.dispatcher_a, jurisdiction=w.county_a, category=category, note="点名"
        )
    for department in (w.water_a, w.power_a):
        rollcall_services.start_roll_call(
            actor=w.dispatcher_a, jurisdiction=w.county_a, department=department, note="部门点名"
        )


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_left_column_fits_the_screen_with_several_roll_calls(
    browser: Browser, asgi_server: str, world, results_dir, size
):
    start_roll_calls(world)
    width, height = size
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
    )
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        log_in(page, asgi_server, "screen_a")
        page.goto(f"{asgi_server}/hall/screen/")
        expect(page.locator("#roll-call-panel")).to_be_visible()
        expect(page.locator("#roll-calls .rollcall-item")).to_have_count(5)
        m = page.evaluate(MEASURE)
        page.screenshot(path=str(results_dir / f"hall_screen_{width}x{height}.png"))
        assert m["rollCalls"] == 5
        assert m["width"] <= width, m
        # The column ends inside the window and holds everything it contains.
        assert m["columnBottom"] <= m["viewport"] + 0.5, m
        assert m["columnScroll"] <= m["columnClient"] + 1, m
        for panel in m["panels"]:
            assert panel["bottom"] <= m["columnBottom"] + 0.5, (panel, m)
        # Every order status stays readable (one line each, none cut off).
        rows = page.evaluate(
            """() => Array.from(document.querySelectorAll('#orders-by-status li'), (li) => {
                 const r = li.getBoundingClientRect(); return [li.dataset.status, r.height];
               })"""
        )
        assert len(rows) == 7 and all(h < 30 for _, h in rows), rows
    finally:
        context.close()
