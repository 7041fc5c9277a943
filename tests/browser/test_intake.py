"""Intake in a browser (issue 13): a duty officer records a call with the caller, the
call-back number and a place picked on the map; a non-emergency call goes to 12345; a
call on the canal goes to the maritime SAR centre, whose own account then reads it and
reports back. Debian's chromium, the real ASGI application (see test_warnings.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from command.models import HotlineTransfer, Incident, IncidentNote
from tests.browser.conftest import log_in, new_context
from tests.browser.test_content_security_policy import Problems
from tests.command.intake_fixtures import *  # noqa: F403 (the fixtures)

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


def test_a_duty_officer_records_a_call_with_a_place_picked_on_the_map(
    open_as, asgi_server, intake_world, results_dir
):
    w = intake_world
    page = open_as("duty_a")
    problems = Problems(page)  # CSP: the map and its script run without inline code
    page.goto(f"{asgi_server}/command/incidents/new/")
    board = page.locator("#incident-map")
    expect(board).to_be_visible()
    page.fill("#id_title", "运河西堤背水坡渗水")
    page.select_option("#id_source", "public")
    page.fill("#id_caller_name", "马大爷")
    page.fill("#id_callback_phone", "13562051234")
    page.select_option("#id_incident_type", str(w.flood_type.pk))
    page.select_option("#id_datum", "gcj02")
    board.click(position={"x": 160, "y": 120})
    expect(board).to_have_attribute("data-picked", re.compile(r"^\d+\.\d+,\d+\.\d+$"))
    latitude = page.input_value("#id_latitude")
    longitude = page.input_value("#id_longitude")
    assert latitude and longitude
    # A point picked on the map is WGS-84 (the map's own datum), whatever was selected.
    assert page.input_value("#id_datum") == "wgs84"
    # Drag the marker: the fields follow.
    marker = page.locator("#incident-map .leaflet-marker-icon")
    # The pin is drawn (its image loads from our static files), not a broken image.
    marker.evaluate("img => img.decode ? img.decode() : null")
    assert marker.evaluate("img => img.complete && img.naturalWidth > 0")
    box = marker.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 4)
    page.mouse.down()
    page.mouse.move(box["x"] + 70, box["y"] + 60, steps=5)
    page.mouse.up()
    assert page.input_value("#id_latitude") != latitude
    page.screenshot(path=str(results_dir / "intake_form_picked.png"), full_page=True)
    problems.check("the incident form")
    page.click("#save-incident")
    expect(page.locator("#intake")).to_be_visible()
    incident = Incident.objects.get(title="运河西堤背水坡渗水")
    assert incident.caller_name == "马大爷" and incident.callback_phone == "13562051234"
    assert incident.latitude is not None and incident.first_receiver == w.bureau_a
    expect(page.locator("#caller-name")).to_have_text("马大爷")
    expect(page.locator("#callback-phone")).to_have_text("13562051234")
    problems.check("the incident page")

    # The county's brigade reads the incident; the caller's number masked.
    other = open_as("dispatcher_a")
    other.goto(f"{asgi_server}{incident.get_absolute_url()}")
    expect(other.locator("#callback-phone")).to_have_text("135****1234")


def test_a_non_emergency_call_goes_to_12345(open_as, asgi_server, intake_world):
    w = intake_world
    page = open_as("duty_a")
    page.goto(f"{asgi_server}{w.incident_a.get_absolute_url()}")
    page.fill("#hotline-form textarea", "小区路灯不亮，非紧急，请转城管维修")
    page.fill("#hotline-form input[name=work_order_number]", "LC2026120400317")
    page.click("#transfer-to-hotline")
    expect(page.locator("#incident-disposition")).to_have_attribute("data-disposition", "hotline")
    expect(page.locator("#hotline-transfer")).to_contain_text("LC2026120400317")
    expect(page.locator("#draft-plan")).to_have_count(0)
    page.fill("#hotline-reply-form textarea", "已转临清市城市管理局维修，来电人满意")
    page.click("#record-hotline-reply")
    expect(page.locator("#hotline-transfer")).to_have_attribute("data-replied", "1")
    assert HotlineTransfer.objects.get().reply == "已转临清市城市管理局维修，来电人满意"


def test_a_canal_call_goes_to_the_maritime_centre_which_reads_it_and_reports_back(
    open_as, asgi_server, intake_world
):
    w = intake_world
    page = open_as("duty_a")
    url = w.incident_a.get_absolute_url()
    page.goto(f"{asgi_server}{url}")
    page.fill("#maritime-form textarea", "货船搁浅，船员3人暂无危险")
    page.click("#hand-to-maritime")
    expect(page.locator("#incident-disposition")).to_have_attribute("data-disposition", "maritime")
    expect(page.locator("#handovers .handover-row[data-kind=maritime]")).to_contain_text(
        "聊城市水上搜救中心"
    )

    centre = open_as("maritime_duty")
    centre.goto(f"{asgi_server}/command/incidents/")
    expect(centre.locator("#incident-table")).to_contain_text(w.incident_a.title)
    expect(centre.locator("#incident-table")).not_to_contain_text(w.incident_b.title)
    centre.goto(f"{asgi_server}{url}")
    centre.fill("#note-form textarea", "阳谷海事处巡逻艇已到场，正组织拖轮脱浅")
    centre.click("#add-note")
    expect(centre.locator("#notes")).to_contain_text("阳谷海事处巡逻艇已到场")
    expect(centre.locator("#transfer-to-hotline")).to_have_count(0)
    assert IncidentNote.objects.get().organisation == w.maritime
    # The centre sees the progress on the incident page.
    page.reload()
    expect(page.locator("#notes")).to_contain_text("阳谷海事处巡逻艇已到场")
