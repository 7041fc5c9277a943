"""The hall rings (issue 10): when an order goes overdue, the duty dashboard plays its
tone and raises a desktop notification, and keeps ringing every few seconds until someone
acknowledges the alarm on screen. Debian's chromium, the real ASGI application (daphne
in-process, see test_dispatch_live.py), the overdue sweep run against the same database.

The browser's own APIs run: an init script only counts what the page does with them
(oscillators started on an AudioContext, and in which state that context was; desktop
notifications constructed and closed), and the context grants "notifications" as a user
who pressed "allow" would."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from core.events import record_event
from dispatch import services as dispatch
from duty.rollcalls import services as rollcalls
from notify.events import NotifyEvent
from tests import factories as f
from tests.browser.conftest import WAIT_MS, in_worker_thread, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORDER = """
(() => {
  const log = { tones: [], notifications: [], closed: 0 };
  window.__alarmLog = log;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    log.tones.push({ at: Date.now(), state: this.context.state });
    return start.apply(this, args);
  };
  const Real = window.Notification;
  if (!Real) return;
  const close = Real.prototype.close;
  Real.prototype.close = function () {
    log.closed += 1;
    return close.call(this);
  };
  function Recorded(title, options) {
    log.notifications.push({ title, body: (options || {}).body, tag: (options || {}).tag });
    return new Real(title, options);
  }
  Recorded.prototype = Real.prototype;
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
})();
"""


def wait_until(page: Page, expression: str, timeout: float = WAIT_MS / 1000) -> None:
    """Poll from here: ``wait_for_function`` evaluates a string, which the page's CSP
    (script-src 'self', no eval) rightly refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.2)


def tones(page: Page) -> int:
    return page.evaluate("window.__alarmLog.tones.length")


def labels(page: Page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('hall-alarm-config').textContent)")


@pytest.fixture
def alarmed_context(browser: Browser, asgi_server: str) -> Iterator:
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1600, "height": 900},
        permissions=["notifications"],
    )
    context.grant_permissions(["notifications"], origin=asgi_server)
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(RECORDER)
    try:
        yield context
    finally:
        context.close()


def open_live(context, asgi_server: str, username: str, path: str) -> Page:
    page = context.new_page()
    log_in(page, asgi_server, username)
    page.goto(f"{asgi_server}{path}")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    return page


def turn_alarms_on(page: Page) -> None:
    button = page.locator("#alarm-enable")
    expect(button).to_be_visible()
    button.click()
    # The click unlocked the audio: the button gives way to "alerts on".
    expect(page.locator("#alarm-enabled")).to_be_visible()
    expect(button).to_be_hidden()
    assert page.evaluate("localStorage.getItem('linkage.alarms.enabled')") == "1"
    assert page.evaluate("Notification.permission") == "granted"


def test_dashboard_rings_and_notifies_an_overdue_order_until_acknowledged(
    alarmed_context, asgi_server, incident_world, results_dir
):
    w = incident_world
    (order,) = in_worker_thread(
        lambda: dispatch.approve_plan(
            actor=w.approver_a,
            plan_id=f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True).pk,
        )
    )
    page = open_live(alarmed_context, asgi_server, "duty_a", "/hall/dashboard/")
    page.evaluate("window.__loadMarker = 'first-load'")
    banner = page.locator("#hall-alarms")
    expect(banner).to_be_hidden()
    turn_alarms_on(page)
    before = tones(page)
    assert page.evaluate("window.__alarmLog.notifications.length") == 0

    # The overdue sweep, run after the acknowledgement deadline (5 minutes).
    raised = in_worker_thread(
        lambda: dispatch.mark_overdue(now=timezone.now() + timedelta(minutes=10))
    )
    assert len(raised) == 1

    alarm = banner.locator('.hall-alarm[data-type="order.overdue"]')
    expect(alarm).to_have_count(1, timeout=WAIT_MS)
    expect(banner).to_be_visible()
    expect(alarm).to_contain_text(order.number)
    expect(alarm).to_contain_text("临清市")
    wait_until(page, "window.__alarmLog.notifications.length === 1")
    (shown,) = page.evaluate("window.__alarmLog.notifications")
    assert shown["title"] == labels(page)["types"]["order.overdue"]
    assert order.number in shown["body"]

    # It keeps ringing (every 5 s) while nobody acknowledges, through a running context.
    wait_until(page, f"window.__alarmLog.tones.length >= {before + 3}", timeout=20)
    rung = page.evaluate("window.__alarmLog.tones")[before:]
    assert all(t["state"] == "running" for t in rung), rung
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(rung)]
    assert all(3_000 <= gap <= 8_000 for gap in gaps[1:]), gaps
    page.screenshot(path=str(results_dir / "dashboard_alarm_overdue.png"))

    alarm.locator(".hall-alarm-ack").click()
    expect(banner).to_be_hidden()
    assert page.evaluate("window.__alarmLog.closed") == 1  # its desktop notification too
    silenced = tones(page)
    time.sleep(6.5)  # longer than one repeat
    assert tones(page) == silenced
    stored = page.evaluate(f"localStorage.getItem('linkage.alarms.{w.duty_officer_a.pk}')")
    assert stored is None  # nothing left open on this screen
    assert page.evaluate("window.__loadMarker") == "first-load"


def test_an_unacknowledged_alarm_survives_a_reload_and_a_quiet_event_does_not_ring(
    alarmed_context, asgi_server, incident_world
):
    """A roll call closed with forces unanswered rings on the hall screen; one that every
    force answered does not. The open alarm is still there after a reload."""
    w = incident_world
    page = open_live(alarmed_context, asgi_server, "screen_a", "/hall/screen/")
    turn_alarms_on(page)

    def answered_roll_call() -> None:
        roll_call = rollcalls.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
        for target in roll_call.targets.select_related("force"):
            account = w.force_account_a if target.force == w.force_a else w.force_account_power_a
            rollcalls.answer_roll_call(actor=account, target_id=target.pk)
        rollcalls.close_roll_call(actor=w.dispatcher_a, roll_call_id=roll_call.pk)

    def unanswered_roll_call() -> None:
        roll_call = rollcalls.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
        rollcalls.close_roll_call(actor=w.dispatcher_a, roll_call_id=roll_call.pk)

    in_worker_thread(answered_roll_call)
    in_worker_thread(unanswered_roll_call)
    alarm = page.locator('#hall-alarms .hall-alarm[data-type="rollcall.closed"]')
    expect(alarm).to_have_count(1, timeout=WAIT_MS)
    expect(alarm).to_contain_text("2")  # two forces did not answer
    wait_until(page, "window.__alarmLog.notifications.length === 1")

    page.reload()
    expect(alarm).to_have_count(1)
    expect(page.locator("#hall-alarms")).to_be_visible()
    page.locator("#hall-alarms-list .hall-alarm-ack").click()
    expect(page.locator("#hall-alarms")).to_be_hidden()


def test_the_hall_screen_rings_for_an_incident_a_plan_an_escalation_and_an_approval(
    alarmed_context, asgi_server, incident_world, results_dir
):
    """One alarm each, newest first, acknowledged all at once; the events beside them
    (the plan drafted before it was submitted) do not ring."""
    w = incident_world
    (order,) = in_worker_thread(
        lambda: dispatch.approve_plan(
            actor=w.approver_a,
            plan_id=f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True).pk,
        )
    )
    page = open_live(alarmed_context, asgi_server, "screen_a", "/hall/screen/")
    turn_alarms_on(page)

    def escalate() -> None:
        with transaction.atomic():
            # A roll call's escalations (one per force) do not ring: its closing does.
            record_event(
                type=NotifyEvent.ESCALATED,
                jurisdiction=w.county_a,
                subject=order,
                organisation=w.water_a,
                payload={"purpose": "roll_call", "step": 5, "channels": ["voice"]},
            )
            record_event(
                type=NotifyEvent.ESCALATED,
                jurisdiction=w.county_a,
                subject=order,
                organisation=w.water_a,
                payload={"purpose": "order", "step": 6, "channels": ["voice"]},
            )

    in_worker_thread(
        lambda: f.incident(w.duty_officer_a, title="松林镇民房火灾", jurisdiction=w.county_a)
    )
    plan = in_worker_thread(
        lambda: f.plan(w.dispatcher_a, w.incident_a, [w.force_power_a], submit=True)
    )
    in_worker_thread(escalate)
    alarms = page.locator("#hall-alarms-list .hall-alarm")
    expect(alarms).to_have_count(3, timeout=WAIT_MS)
    assert alarms.evaluate_all("(items) => items.map((li) => li.dataset.type)") == [
        "notify.escalated",
        "plan.submitted",
        "incident.created",
    ]
    expect(alarms.first).to_contain_text(order.number)
    expect(alarms.first).to_contain_text("6")
    expect(alarms.last).to_contain_text("松林镇民房火灾")
    wait_until(page, "window.__alarmLog.notifications.length === 3")
    page.screenshot(path=str(results_dir / "hall_screen_alarms.png"))

    page.locator("#hall-alarms-ack-all").click()
    expect(page.locator("#hall-alarms")).to_be_hidden()
    assert page.evaluate("window.__alarmLog.closed") == 3

    # The approval rings too: the orders are out, someone must watch them acknowledged.
    in_worker_thread(lambda: dispatch.approve_plan(actor=w.approver_a, plan_id=plan.pk))
    approved = page.locator('#hall-alarms-list .hall-alarm[data-type="plan.approved"]')
    expect(approved).to_have_count(1, timeout=WAIT_MS)
    expect(alarms).to_have_count(1)  # the orders issued beside it do not ring
