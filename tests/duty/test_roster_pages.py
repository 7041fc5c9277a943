"""Roster, duty log and spot-check pages: permission matrix, forms, masking, query
counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duty.models import DutyLogEntry, HandOver, Shift, SpotCheck
from duty.rosters import services
from tests.duty import test_roster_fixtures as fx
from tests.duty.test_roster_fixtures import add_shift, at

pytestmark = pytest.mark.django_db
duty_world = fx.duty_world
two_shifts = fx.two_shifts


@pytest.fixture
def browser_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _pages(w):
    return {
        "list": "/duty/rosters/",
        "detail": f"/duty/rosters/{w.joint.pk}/",
        "edit": f"/duty/rosters/{w.joint.pk}/edit/",
        "shift_new": f"/duty/rosters/{w.joint.pk}/shifts/new/",
        "shift_log": f"/duty/shifts/{w.shift1.pk}/",
        "shift_edit": f"/duty/shifts/{w.shift1.pk}/edit/",
        "spot": "/duty/spot-checks/",
        "spot_new": "/duty/spot-checks/new/",
    }


# persona → expected status per page (joint roster of county A)
MATRIX = {
    "duty_officer_a": dict.fromkeys(
        ["list", "detail", "edit", "shift_new", "shift_log", "shift_edit", "spot", "spot_new"],
        200,
    ),
    "dispatcher_a": {
        "list": 200,
        "detail": 200,
        "edit": 200,
        "shift_new": 200,
        "shift_log": 200,
        "shift_edit": 200,
        "spot": 200,
        "spot_new": 403,
    },
    "editor_a": {
        "list": 200,
        "detail": 200,
        "edit": 403,
        "shift_new": 403,
        "shift_log": 200,
        "shift_edit": 403,
        "spot": 200,
        "spot_new": 403,
    },
    "dispatcher_b": {
        "list": 200,
        "detail": 404,
        "edit": 404,
        "shift_new": 404,
        "shift_log": 404,
        "shift_edit": 404,
        "spot": 200,
        "spot_new": 403,
    },
    "approver_b": {
        "list": 200,
        "detail": 404,
        "edit": 404,
        "shift_new": 404,
        "shift_log": 404,
        "shift_edit": 404,
        "spot": 200,
        "spot_new": 200,
    },
    "screen_a": dict.fromkeys(
        ["list", "detail", "edit", "shift_new", "shift_log", "shift_edit", "spot", "spot_new"],
        403,
    ),
    "force_account_a": dict.fromkeys(
        ["list", "detail", "edit", "shift_new", "shift_log", "shift_edit", "spot", "spot_new"],
        403,
    ),
    "admin_city": dict.fromkeys(
        ["list", "detail", "edit", "shift_new", "shift_log", "shift_edit", "spot", "spot_new"],
        200,
    ),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_page_permission_matrix(two_shifts, browser_as, persona):
    w = two_shifts
    client = browser_as(getattr(w, persona))
    got = {name: client.get(url).status_code for name, url in _pages(w).items()}
    assert got == MATRIX[persona]


def test_anonymous_is_sent_to_login(two_shifts, client):
    for url in _pages(two_shifts).values():
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_calendar_shows_gaps_partners_and_unstaffed_shifts(two_shifts, browser_as):
    w = two_shifts
    add_shift(
        w.duty_officer_a,
        w.joint,
        at(w.day + timedelta(days=2), 8),
        at(w.day + timedelta(days=2), 20),
        leader="",
    )
    page = (
        browser_as(w.dispatcher_a)
        .get(f"/duty/rosters/{w.joint.pk}/?month={w.day:%Y-%m}")
        .content.decode()
    )
    assert 'id="gap-alert"' in page and "has-gap" in page
    assert "unstaffed" in page
    assert "赵消防" in page and "王值班" in page
    assert "13800002222" in page  # the fire brigade is a partner: phones in clear


def _cell(page: str, day) -> str:
    start = page.index(f'data-day="{day:%Y-%m-%d}"')
    return page[start : page.index("</td>", start)]


def test_calendar_marks_overnight_and_24_hour_shifts_as_continued(two_shifts, browser_as):
    """An overnight shift shows its own part in each day: "20:00 → 次日08:00" on the
    first, "续 → 08:00" on the next; a 24-hour shift the same way."""
    w = two_shifts
    nxt = w.day + timedelta(days=1)
    add_shift(w.duty_officer_a, w.joint, at(nxt, 8), at(nxt + timedelta(days=1), 8))
    client = browser_as(w.dispatcher_a)
    cells = {}
    for day in (w.day, nxt, nxt + timedelta(days=1)):
        page = client.get(f"/duty/rosters/{w.joint.pk}/?month={day:%Y-%m}").content.decode()
        cells[day] = _cell(page, day)
    first, second, third = cells.values()
    assert "08:00–20:00" in first and "20:00 → 次日08:00" in first and "续" not in first
    assert "续 → 08:00" in second and "20:00–08:00" not in second
    assert "08:00 → 次日08:00" in second
    assert "续 → 08:00" in third and "08:00 → 次日08:00" not in third
    assert second.count('class="shift ') == 2 and "continued" in second


def test_phones_are_masked_for_users_outside_the_roster(two_shifts, browser_as):
    w = two_shifts
    for url in (f"/duty/rosters/{w.joint.pk}/?month={w.day:%Y-%m}", f"/duty/shifts/{w.shift1.pk}/"):
        page = browser_as(w.editor_a).get(url).content.decode()
        assert "138****2222" in page and "13800002222" not in page
        assert "139****5678" in page and "13912345678" not in page
        page = browser_as(w.admin_city).get(url).content.decode()
        assert "13800002222" in page


def test_shift_form_creates_shift_with_officers(duty_world, browser_as):
    w = duty_world
    client = browser_as(w.dispatcher_a)
    data = {
        "starts_at": f"{w.day:%Y-%m-%d}T08:00",
        "ends_at": f"{w.day:%Y-%m-%d}T20:00",
        "leader_name": "李带班",
        "leader_phone": "13912345678",
        "notes": "",
        "officers-TOTAL_FORMS": "2",
        "officers-INITIAL_FORMS": "0",
        "officers-MIN_NUM_FORMS": "0",
        "officers-MAX_NUM_FORMS": "1000",
        "officers-0-name": "赵消防",
        "officers-0-phone": "13800002222",
        "officers-0-organisation": str(w.fire_a.pk),
        "officers-1-name": "",
    }
    response = client.post(f"/duty/rosters/{w.joint.pk}/shifts/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    shift = Shift.objects.get(roster=w.joint)
    assert list(shift.officers.values_list("name", "organisation")) == [("赵消防", w.fire_a.pk)]
    shift_id = shift.pk
    data.update({"ends_at": f"{w.day:%Y-%m-%d}T07:00", "officers-0-phone": "12"})
    response = client.post(f"/duty/shifts/{shift_id}/edit/", data)
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


def test_log_and_hand_over_pages(two_shifts, browser_as):
    w = two_shifts
    client = browser_as(w.duty_officer_a)
    response = client.post(
        f"/duty/shifts/{w.shift1.pk}/log/",
        {"content": "群众报警：积水", "category": "call_received", "is_open": "on"},
    )
    assert response.status_code == 302
    assert client.post(f"/duty/shifts/{w.shift1.pk}/log/", {"content": ""}).status_code == 400
    response = client.post(
        f"/duty/shifts/{w.shift1.pk}/hand-over/",
        {
            "to_shift": w.shift2.pk,
            "from_officer": w.out_officer.pk,
            "to_officer": w.in_officer.pk,
            "notes": "注意积水",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/duty/shifts/{w.shift2.pk}/"
    assert HandOver.objects.count() == 1
    page = client.get(f"/duty/shifts/{w.shift2.pk}/").content.decode()
    assert "群众报警：积水" in page and "carried" in page
    entry = DutyLogEntry.objects.get()
    response = client.post(f"/duty/log/{entry.pk}/close/", {"note": "已处理"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.closed_by == w.duty_officer_a
    response = client.post(f"/duty/log/{entry.pk}/close/", {"note": "again"}, follow=True)
    assert "already closed" in response.content.decode() or "已" in response.content.decode()
    assert browser_as(w.editor_a).post(f"/duty/log/{entry.pk}/close/").status_code == 403


def test_spot_check_form_and_close(world, browser_as):
    client = browser_as(world.duty_officer_a)
    today = timezone.localdate()
    data = {
        "organisation": world.water_a.pk,
        "checked_on": f"{today:%Y-%m-%d}",
        "call_handling_passed": "on",
        "satisfaction_score": "80",
        "findings": "",
    }
    response = client.post("/duty/spot-checks/new/", data)
    assert response.status_code == 400 and "field-error" in response.content.decode()
    data.update({"findings": "值班记录不全", "rectification_deadline": f"{today:%Y-%m-%d}"})
    assert client.post("/duty/spot-checks/new/", data).status_code == 302
    check = SpotCheck.objects.get()
    page = client.get("/duty/spot-checks/").content.decode()
    assert "open-rectification" in page and "临清市消防救援大队" in page
    assert (
        client.post(f"/duty/spot-checks/{check.pk}/close/", {"note": "已整改"}).status_code == 302
    )
    check.refresh_from_db()
    assert check.closed_by == world.duty_officer_a
    assert (
        browser_as(world.dispatcher_b)
        .post(f"/duty/spot-checks/{check.pk}/close/", {"note": "x"})
        .status_code
        == 404
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_rosters(w, n, start):
    for i in range(n):
        roster = services.create_roster(
            actor=w.duty_officer_a,
            organisation=w.bureau_a,
            name=f"值班表{start + i}",
            partners=[w.fire_a],
        )
        add_shift(w.duty_officer_a, roster, at(w.day, 8), at(w.day, 20))
        services.record_spot_check(
            actor=w.duty_officer_a, organisation_id=w.water_a.pk, data={"satisfaction_score": 90}
        )


@pytest.mark.parametrize("persona", ["duty_officer_a", "editor_a", "admin_city"])
def test_list_page_query_counts_are_constant(two_shifts, browser_as, persona):
    w = two_shifts
    client = browser_as(getattr(w, persona))
    urls = [
        "/duty/rosters/",
        "/duty/spot-checks/",
        f"/duty/rosters/{w.joint.pk}/?month={w.day:%Y-%m}",
    ]
    _more_rosters(w, 1, 0)
    first = [_queries(client, u) for u in urls]
    _more_rosters(w, 5, 10)
    for i in range(5):
        add_shift(w.duty_officer_a, w.joint, at(w.day, 1 + i), at(w.day, 2 + i))
    assert [_queries(client, u) for u in urls] == first


def test_coverage_panel_include_renders_rosters_with_gaps(two_shifts):
    """The duty dashboard panel (wired by command/): rosters with gaps in 7 days."""
    from django.template.loader import render_to_string

    from duty.rosters.selectors import coverage_panel

    w = two_shifts
    html = render_to_string(
        "duty/_coverage_panel.html", {"panel": coverage_panel(w.duty_officer_a)}
    )
    assert "临清市应急联合值守表" in html and 'data-value="2"' in html
    assert "阳谷县应急值班表" not in html
    with CaptureQueriesContext(connection) as ctx:
        coverage_panel(w.admin_city)
    assert len(ctx.captured_queries) <= 4
