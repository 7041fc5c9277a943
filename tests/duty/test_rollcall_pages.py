"""Roll-call pages: who sees what, the one-button answer, the report and its export."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from duty.models import RollCallOutcome, RollCallSchedule
from duty.rollcalls import services
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def roll_call(world):
    return services.start_roll_call(actor=world.dispatcher_a, jurisdiction=world.county_a)


def status_of(client, user, url, method="get", data=None):
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    client.logout()
    return response.status_code


def test_permission_matrix_of_the_roll_call_pages(client, world, roll_call):
    """SPEC §1 and §5: readers of the county and above see its roll calls; the other
    county gets 404; roles without duty business get 403."""
    w = world
    detail = reverse("duty:rollcall_detail", args=[roll_call.pk])
    pages = {
        "list": reverse("duty:rollcall_list"),
        "detail": detail,
        "progress": reverse("duty:rollcall_progress", args=[roll_call.pk]),
        "report": reverse("duty:rollcall_report"),
        "schedules": reverse("duty:rollcall_schedules"),
    }
    expected = {
        w.dispatcher_a: 200,
        w.duty_officer_a: 200,
        w.approver_a: 200,
        w.screen_a: 200,
        w.dispatcher_city: 200,
        w.editor_a: 403,
        w.force_account_a: 403,
        w.sync_client: 403,
    }
    for user, code in expected.items():
        for name, url in pages.items():
            assert status_of(client, user, url) == code, (user.username, name)
    assert status_of(client, w.dispatcher_b, detail) == 404
    assert status_of(client, w.dispatcher_b, pages["list"]) == 200
    client.logout()
    assert client.get(detail).status_code == 302  # to the login page

    start = reverse("duty:rollcall_start")
    for user, code in {
        w.dispatcher_a: 200,
        w.duty_officer_a: 200,
        w.approver_a: 403,
        w.screen_a: 403,
        w.force_account_a: 403,
    }.items():
        assert status_of(client, user, start) == code, user.username
    answer_page = reverse("duty:rollcall_answer_list")
    assert status_of(client, w.force_account_a, answer_page) == 200
    assert status_of(client, w.dispatcher_a, answer_page) == 403


def test_other_county_list_does_not_show_the_roll_call(client, world, roll_call):
    """SPEC §1: a jurisdiction sees only its own tree."""
    client.force_login(world.dispatcher_b)
    body = client.get(reverse("duty:rollcall_list")).content.decode()
    assert reverse("duty:rollcall_detail", args=[roll_call.pk]) not in body


def test_dispatcher_starts_a_roll_call_through_the_form(client, world):
    """Liaocheng §三.二.2: started by hand at any time."""
    w = world
    client.force_login(w.dispatcher_a)
    response = client.post(
        reverse("duty:rollcall_start"),
        {"jurisdiction": w.county_a.pk, "category": "", "window_minutes": 10, "late_minutes": 50},
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "临清市水利抢险队" in detail and "临清供电抢修队" in detail


def test_start_form_shows_field_errors_and_starts_nothing(client, world):
    """Bad input gets a clear error and changes nothing."""
    w = world
    client.force_login(w.dispatcher_a)
    response = client.post(
        reverse("duty:rollcall_start"),
        {"jurisdiction": w.county_b.pk, "window_minutes": 0, "late_minutes": 50},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"jurisdiction", "window_minutes"}
    response = client.post(
        reverse("duty:rollcall_start"),
        {
            "jurisdiction": w.county_a.pk,
            "category": "expert",
            "window_minutes": 10,
            "late_minutes": 50,
        },
    )
    from django.utils.translation import gettext

    message = gettext("No active force matches this roll call.")
    assert response.context["form"].non_field_errors() == [message]
    from duty.models import RollCall

    assert not RollCall.objects.exists()


def test_force_account_answers_with_one_button(client, world, roll_call):
    """Zhoushan §三.2: the force answers through its own account."""
    w = world
    client.force_login(w.force_account_a)
    page = client.get(reverse("duty:rollcall_answer_list")).content.decode()
    target = roll_call.targets.get(force=w.force_a)
    assert reverse("duty:rollcall_answer", args=[target.pk]) in page
    assert "临清供电抢修队" not in page  # another organisation's force
    response = client.post(
        reverse("duty:rollcall_answer", args=[target.pk]),
        {"people_on_duty": "6", "equipment_ready": "true", "remark": "在岗"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.outcome == RollCallOutcome.ON_TIME
    assert (target.people_on_duty, target.equipment_ready, target.remark) == (6, True, "在岗")
    # Someone else's target is not found for this account.
    other = roll_call.targets.get(force=w.force_power_a)
    assert client.post(reverse("duty:rollcall_answer", args=[other.pk])).status_code == 404


def test_progress_page_queries_do_not_grow_with_targets(client, world):
    """Query counts are constant in the number of forces."""
    w = world

    def count(n_extra):
        for _ in range(n_extra):
            f.force(w.editor_a, w.water_a)
        roll_call = services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
        client.force_login(w.dispatcher_a)
        url = reverse("duty:rollcall_progress", args=[roll_call.pk])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count(0) == count(15)


def test_list_and_report_queries_do_not_grow_with_history(client, world):
    """Query counts are constant in the number of roll calls."""
    w = world
    client.force_login(w.duty_officer_a)

    def count(history):
        for _ in range(history):
            services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
        services.close_expired(now=timezone.now() + timedelta(hours=2))
        sizes = []
        for url in (reverse("duty:rollcall_list"), reverse("duty:rollcall_report")):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            sizes.append(len(ctx.captured_queries))
        return sizes

    assert count(2) == count(6)


def test_report_page_and_excel_export(client, world):
    """Liaocheng §三.二.2: answer rate by month, department, category and force; forces
    that missed two roll calls in a row are highlighted, on the page and in Excel."""
    w = world
    now = timezone.now()
    for minutes_ago in (300, 200):
        roll_call = services.start_roll_call(
            actor=w.dispatcher_a,
            jurisdiction=w.county_a,
            now=now - timedelta(minutes=minutes_ago),
        )
        services.answer_roll_call(
            actor=w.force_account_a,
            target_id=roll_call.targets.get(force=w.force_a).pk,
            now=roll_call.started_at + timedelta(minutes=3),
        )
    services.close_expired(now=now)
    client.force_login(w.duty_officer_a)
    page = client.get(reverse("duty:rollcall_report")).content.decode()
    assert 'id="missed-streaks"' in page and "临清供电抢修队 × 2" in page
    assert "50.0%" in page  # 2 of 4 answered
    response = client.get(reverse("duty:rollcall_report_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert len(book.sheetnames) == 5
    by_force = book.worksheets[3]
    rows = {r[0]: r for r in by_force.iter_rows(min_row=2, values_only=True)}
    assert rows["临清市水利抢险队"][1:6] == (2, 2, 0, 0, 100.0)
    assert rows["临清市水利抢险队"][6] == 3.0  # median minutes
    assert rows["临清供电抢修队"][4] == 2
    highlighted = [
        row[0].value
        for row in by_force.iter_rows(min_row=2)
        if row[0].fill.fgColor.rgb.endswith("F8D7DA")
    ]
    assert highlighted == ["临清供电抢修队"]
    streaks = book.worksheets[4]
    assert [r[:3] for r in streaks.iter_rows(min_row=2, values_only=True)] == [
        ("临清供电抢修队", "国网临清市供电公司", 2)
    ]


def test_report_rejects_a_reversed_range(client, world):
    client.force_login(world.duty_officer_a)
    response = client.get(
        reverse("duty:rollcall_report"), {"start": "2026-11-20", "end": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "end" in response.context["form"].errors


def test_schedule_form_saves_through_the_service_with_history(client, world):
    """Liaocheng §三.二.2: the monthly schedule is data people can change."""
    w = world
    client.force_login(w.dispatcher_a)
    response = client.post(
        reverse("duty:rollcall_schedule_new"),
        {
            "name": "临清市每月调度",
            "jurisdiction": w.county_a.pk,
            "category": "",
            "frequency": "monthly",
            "day_of_month": 1,
            "weekday": 0,
            "time_of_day": "09:00",
            "window_minutes": 10,
            "late_minutes": 50,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    schedule = RollCallSchedule.objects.get()
    assert schedule.history.get().history_user == w.dispatcher_a
    response = client.post(
        reverse("duty:rollcall_schedule_edit", args=[schedule.pk]),
        {
            "name": "",
            "jurisdiction": w.county_a.pk,
            "frequency": "monthly",
            "day_of_month": 31,
            "weekday": 0,
            "time_of_day": "09:00",
            "window_minutes": 10,
            "late_minutes": 50,
        },
    )
    assert set(response.context["form"].errors) == {"name", "day_of_month"}
    client.force_login(w.approver_a)
    assert client.get(reverse("duty:rollcall_schedule_new")).status_code == 403


def test_running_roll_call_is_on_the_dashboard_and_the_screen(client, world, roll_call):
    """SPEC §5: a running roll call's progress is on the duty dashboard and the screen."""
    w = world
    services.answer_roll_call(
        actor=w.force_account_a, target_id=roll_call.targets.get(force=w.force_a).pk
    )
    client.force_login(w.duty_officer_a)
    panel = client.get("/hall/dashboard/panel/rollcalls/").content.decode()
    assert f'data-id="{roll_call.pk}" data-answered="1" data-waiting="1" data-late="0"' in panel
    client.force_login(w.screen_a)
    data = client.get(reverse("hall:screen_data")).json()
    assert [(r["id"], r["answered"], r["waiting"], r["total"]) for r in data["roll_calls"]] == [
        (roll_call.pk, 1, 1, 2)
    ]
    services.close_roll_call(actor=w.dispatcher_a, roll_call_id=roll_call.pk)
    assert client.get(reverse("hall:screen_data")).json()["roll_calls"] == []
    client.force_login(w.duty_officer_b)
    assert (
        'class="list-group-item rollcall-row"'
        not in client.get("/hall/dashboard/panel/rollcalls/").content.decode()
    )


def test_dashboard_shows_duty_coverage_gaps(client, world):
    """SPEC §5: gaps in 24-hour coverage are flagged on the duty dashboard."""
    from duty.models import DutyRoster

    DutyRoster.objects.create(
        name="临清市联合值守", organisation=world.bureau_a, jurisdiction=world.county_a
    )
    client.force_login(world.duty_officer_a)
    panel = client.get("/hall/dashboard/panel/coverage/")
    assert panel.status_code == 200
    assert "临清市联合值守" in panel.content.decode()
    client.force_login(world.duty_officer_b)
    assert "临清市联合值守" not in client.get("/hall/dashboard/panel/coverage/").content.decode()
