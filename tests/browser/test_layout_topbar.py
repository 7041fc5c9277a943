"""The top bar at 1440 px for administrators (issue 13): every chapter's name stays on one
line (no "首/页" one character a line), the bar stays one row high, nothing spills
sideways; at 1920 too, and at 1366 the names stay whole (a second row is allowed)."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.browser.conftest import WAIT_MS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """() => {
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size;
  };
  const nav = document.querySelector('nav.navbar');
  const items = Array.from(document.querySelectorAll('.navbar .nav-link, .navbar-brand, #whoami'))
    .filter((el) => el.offsetParent !== null);
  return {
    items: items.map((el) => [el.textContent.trim(), lines(el), el.getBoundingClientRect().width]),
    navHeight: nav.getBoundingClientRect().height,
    width: document.documentElement.scrollWidth,
  };
}"""


@pytest.fixture
def operator(world):
    """A platform operator: every link of the bar (accounts, sync, audit, admin)."""
    user = f.user("operator", world.bureau_a, "administrator", is_superuser=True, is_staff=True)
    user.display_name = "平台运维管理员"
    user.save(update_fields=["display_name"])
    return user


@pytest.mark.parametrize("width", [1366, 1440, 1920])
@pytest.mark.parametrize("username", ["admin_a", "operator"])
def test_the_top_bar_keeps_names_whole_and_one_row_for_administrators(
    browser, asgi_server, world, operator, username, width, results_dir
):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        log_in(page, asgi_server, username)
        page.goto(f"{asgi_server}/hall/dashboard/")
        m = page.evaluate(MEASURE)
        page.screenshot(path=str(results_dir / f"top_bar_{username}_{width}.png"))
        assert len(m["items"]) >= 8, m
        broken = [(text, n) for text, n, _w in m["items"] if n != 1]
        assert broken == [], m
        assert m["width"] <= width, m
        if width >= 1440:
            # One row: a wrapped bar is about twice the height of a single one (~56 px).
            assert m["navHeight"] < 80, m
    finally:
        context.close()
