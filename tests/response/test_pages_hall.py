"""Graded response where the centre looks (Tieling §三.二.4): the hall screen's and the
dashboard's response panel (active responses, instruction progress, overdue count), the
alarm an overdue instruction rings, the warning page's and the dashboard prompt's start
button, and the top bar's link."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import visibility
from core.models import Event
from earlywarning.choices import WarningLevel
from hall import selectors as hall_selectors
from response import services
from tests.earlywarning.helpers import published_flood


@pytest.fixture
def as_user():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def activate(w):
    return services.activate_response(
        actor=w.duty_officer_a,
        hazard="flood",
        level="iv",
        incident_id=w.incident_a.pk,
        reason="卫运河临清站超警戒水位",
    )


def test_the_hall_screen_shows_active_responses_and_their_progress(as_user, response_world):
    w = response_world
    client = as_user(w.screen_a)
    empty = client.get(reverse("hall:screen")).content.decode()
    assert 'id="screen-response"' in empty
    assert 'data-live-refresh data-live-types="response.,instruction."' in empty
    activation = activate(w)
    water = activation.instructions.get(department=w.water_a)
    services.complete_instruction(actor=w.editor_a, instruction_id=water.pk, report="已巡查")
    page = client.get(reverse("hall:screen")).content.decode()
    assert f'data-response-id="{activation.pk}"' in page
    assert 'data-done="1" data-total="3"' in page
    assert 'id="counter-instructions-overdue" data-value="0"' in page


def test_an_overdue_instruction_is_counted_on_the_screen_and_dashboard(as_user, response_world):
    w = response_world
    activation = activate(w)
    later = timezone.now() + datetime.timedelta(minutes=61)
    assert services.flag_overdue(now=later) == 1
    screen = as_user(w.screen_a).get(reverse("hall:screen")).content.decode()
    assert 'id="counter-instructions-overdue" data-value="1"' in screen
    assert 'data-overdue="1"' in screen
    dashboard = as_user(w.duty_officer_a).get(reverse("hall:dashboard")).content.decode()
    assert 'id="panel-response"' in dashboard
    assert 'id="count-instructions-overdue" data-value="1"' in dashboard
    panel = as_user(w.duty_officer_a).get(reverse("hall:dashboard_panel", args=["response"]))
    assert panel.status_code == 200
    assert f'data-response-id="{activation.pk}"' in panel.content.decode()
    board = as_user(w.duty_officer_a).get(reverse("response:board", args=[activation.pk]))
    assert 'data-overdue="1"' in board.content.decode()
    assert 'id="count-overdue">1<' in board.content.decode()


def test_an_overdue_instruction_rings_the_hall_alarm(response_world):
    """The alarm is raised by static/js/alarms.js for the event types of alarm_config; the
    screen's and the duty officer's feed carry the instruction's overdue event."""
    w = response_world
    activate(w)
    services.flag_overdue(now=timezone.now() + datetime.timedelta(minutes=61))
    assert "instruction.overdue" in hall_selectors.alarm_config()["types"]
    overdue = Event.objects.get(type="instruction.overdue")
    for user in (w.screen_a, w.duty_officer_a, w.approver_a):
        assert Event.objects.filter(visibility.event_filter(user), pk=overdue.pk).exists()
    assert not Event.objects.filter(visibility.event_filter(w.duty_officer_b), pk=overdue.pk)


def test_the_response_panel_costs_the_same_queries_for_one_or_three_responses(response_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = response_world
    activate(w)
    now = timezone.now()
    with CaptureQueriesContext(connection) as one:
        hall_selectors.response_panel(w.duty_officer_a, now)
    services.save_manual(
        actor=w.admin_city,
        jurisdiction=w.county_b,
        hazard="flood",
        level="iv",
        title="阳谷县防汛Ⅳ级应急响应手册",
        lines=[services.ManualLine("巡查", w.water_b, 60)],
    )
    services.activate_response(
        actor=w.admin_city, hazard="flood", level="iv", incident_id=w.incident_b.pk, reason="内涝"
    )
    with CaptureQueriesContext(connection) as two:
        panel = hall_selectors.response_panel(w.admin_city, now)
    assert len(panel["responses"]) == 2
    assert len(two) == len(one)


def test_the_warning_page_and_the_dashboard_prompt_start_a_response(
    as_user, response_world, warning_world
):
    w = response_world
    warning = published_flood(w, level=WarningLevel.ORANGE)
    start = f"{reverse('response:activate')}?warning={warning.pk}"
    duty = as_user(w.duty_officer_a)
    page = duty.get(reverse("earlywarning:warning_detail", args=[warning.pk])).content.decode()
    assert 'id="start-response"' in page and start in page
    dashboard = duty.get(reverse("hall:dashboard")).content.decode()
    assert start in dashboard
    form = duty.get(start)
    assert form.status_code == 200
    assert '<option value="ii" selected>' in form.content.decode()  # orange → Ⅱ
    dispatcher = as_user(w.dispatcher_a)
    assert start not in dispatcher.get(reverse("hall:dashboard")).content.decode()
    other = dispatcher.get(reverse("earlywarning:warning_detail", args=[warning.pk]))
    assert 'id="start-response"' not in other.content.decode()
    services.save_manual(
        actor=w.duty_officer_a,
        jurisdiction=w.county_a,
        hazard="flood",
        level="ii",
        title="临清市防汛Ⅱ级应急响应手册",
        lines=[services.ManualLine("全面巡查堤防", w.water_a, 30)],
    )
    response = duty.post(
        reverse("response:activate"),
        {"warning": warning.pk, "hazard": "flood", "level": "ii", "reason": "橙色预警"},
    )
    assert response.status_code == 302
    page = duty.get(reverse("earlywarning:warning_detail", args=[warning.pk])).content.decode()
    assert 'id="start-response"' not in page
    assert 'class="list-group-item response-row"' in page


def test_the_top_bar_links_the_responses_for_who_reads_them(as_user, response_world):
    w = response_world
    home = reverse("home")
    for persona in ("duty_officer_a", "dispatcher_a", "editor_a"):
        page = as_user(getattr(w, persona)).get(home).content.decode()
        assert 'id="nav-responses"' in page, persona
    assert 'id="nav-responses"' not in as_user(w.force_account_a).get(home).content.decode()
