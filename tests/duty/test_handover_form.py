"""The hand-over form after a walk-through (issue 13): shifts in 北京时间, only the next
shifts, and only the officers of the chosen incoming shift."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import translation

from duty.rosters import services
from duty.rosters.forms import NEXT_SHIFTS, HandOverForm
from tests.duty import test_roster_fixtures as fx
from tests.duty.test_roster_fixtures import add_shift, at

pytestmark = pytest.mark.django_db
duty_world = fx.duty_world


@pytest.fixture
def week(duty_world):
    """Nine 12-hour shifts in a row, each with the same two officers (a joint roster)."""
    w = duty_world
    w.shifts = []
    start = at(w.day, 8)
    for n in range(9):
        w.shifts.append(
            add_shift(
                w.duty_officer_a,
                w.joint,
                start + timedelta(hours=12 * n),
                start + timedelta(hours=12 * (n + 1)),
                officers=[
                    services.OfficerInput(name="王值班", phone="13800001111"),
                    services.OfficerInput(name="赵消防", phone="13800002222"),
                ],
            )
        )
    return w


def options(form, name):
    return list(form.fields[name].choices)[1 if name != "to_shift" else 0 :]


@override_settings(TIME_ZONE="UTC")
def test_shifts_are_labelled_in_beijing_time_whatever_the_server_zone(week):
    w = week
    form = HandOverForm(shift=w.shifts[0])
    with translation.override("en"):
        labels = [str(label) for _value, label in form.fields["to_shift"].choices]
    # The next shift starts at 20:00 Beijing time (12:00 UTC) and ends at 08:00.
    day = (w.day).strftime("%m-%d")
    nxt = (w.day + timedelta(days=1)).strftime("%m-%d")
    assert labels[0].startswith(f"{day} 20:00–{nxt} 08:00 Beijing time")
    assert all("12:00" not in label.split(" · ")[0] for label in labels)


def test_only_the_next_shifts_are_offered(week):
    w = week
    form = HandOverForm(shift=w.shifts[2])
    offered = [value.value for value, _label in form.fields["to_shift"].choices]
    assert offered == [s.pk for s in w.shifts[3 : 3 + NEXT_SHIFTS]]
    # Never an earlier shift or the shift itself.
    assert w.shifts[2].pk not in offered and w.shifts[1].pk not in offered


def test_incoming_officers_are_those_of_the_chosen_shift_once(week):
    w = week
    form = HandOverForm(shift=w.shifts[0])
    html = str(form["to_officer"])
    chosen = w.shifts[1]
    visible = [
        line
        for line in html.split("<option")[1:]
        if "hidden" not in line and 'value=""' not in line
    ]
    assert len(visible) == 2  # 王值班 and 赵消防, once each, of the next shift
    assert all(f'data-shift="{chosen.pk}"' in line for line in visible)
    # Only the officers of the offered shifts are in the list at all (not nine times).
    assert html.count("王值班") == NEXT_SHIFTS


def test_bound_form_shows_and_accepts_only_the_chosen_shifts_officers(week):
    w = week
    later = w.shifts[2]
    mine = later.officers.get(name="赵消防")
    other = w.shifts[1].officers.get(name="赵消防")
    data = {
        "to_shift": str(later.pk),
        "from_officer": str(w.shifts[0].officers.get(name="王值班").pk),
        "to_officer": str(other.pk),
    }
    form = HandOverForm(data, shift=w.shifts[0])
    assert not form.is_valid() and "to_officer" in form.errors
    html = str(form["to_officer"])
    shown = [line for line in html.split("<option")[1:] if "hidden" not in line]
    assert all(f'data-shift="{later.pk}"' in line for line in shown if "data-shift" in line)

    form = HandOverForm({**data, "to_officer": str(mine.pk)}, shift=w.shifts[0])
    assert form.is_valid(), form.errors


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_shift_str_is_in_beijing_time(week):
    shift = week.shifts[1]
    assert str(shift).endswith(f"{week.day:%Y-%m-%d} 20:00")
