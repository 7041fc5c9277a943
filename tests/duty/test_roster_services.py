"""Roster services and coverage: one test per rule (SPEC §5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.models import Event
from duty.models import Shift
from duty.rosters import permissions, services
from duty.rosters import selectors as sel
from tests.duty import test_roster_fixtures as fx
from tests.duty.test_roster_fixtures import add_shift, at

pytestmark = pytest.mark.django_db
duty_world = fx.duty_world
two_shifts = fx.two_shifts


# --- coverage gaps ------------------------------------------------------------------


def test_no_shifts_is_one_gap_over_the_whole_window(duty_world):
    """Tieling §三.(二).1: 24-hour duty — a roster with nothing on it is all gap."""
    w = duty_world
    start, end = at(w.day), at(w.day + timedelta(days=1))
    assert sel.coverage_gaps(w.joint, start, end) == [(start, end)]


def test_back_to_back_shifts_leave_no_gap(two_shifts):
    """Tieling §三.(二).1: a shift ending when the next starts is continuous duty."""
    w = two_shifts
    assert sel.coverage_gaps(w.joint, at(w.day, 8), at(w.day + timedelta(days=1), 8)) == []


def test_overlapping_shifts_merge(duty_world):
    """Tieling §三.(二).1: overlaps count once; only uncovered time is a gap."""
    w = duty_world
    add_shift(w.duty_officer_a, w.joint, at(w.day, 0), at(w.day, 14))
    add_shift(w.duty_officer_a, w.joint, at(w.day, 10), at(w.day, 18))
    add_shift(w.duty_officer_a, w.joint, at(w.day, 12), at(w.day, 16))
    gaps = sel.coverage_gaps(w.joint, at(w.day), at(w.day + timedelta(days=1)))
    assert gaps == [(at(w.day, 18), at(w.day + timedelta(days=1)))]


def test_shift_across_midnight_covers_both_days(duty_world):
    """Tieling §三.(二).1: a night shift 20:00–08:00 covers midnight."""
    w = duty_world
    nxt = w.day + timedelta(days=1)
    add_shift(w.duty_officer_a, w.joint, at(w.day, 8), at(w.day, 20))
    add_shift(w.duty_officer_a, w.joint, at(w.day, 20), at(nxt, 8))
    assert sel.coverage_gaps(w.joint, at(w.day, 8), at(nxt, 8)) == []
    assert sel.coverage_gaps(w.joint, at(nxt), at(nxt, 12)) == [(at(nxt, 8), at(nxt, 12))]


def test_gap_at_month_edge(duty_world):
    """Tieling §三.(二).1: the last evening of a month without a shift is a gap that ends
    at local midnight; shifts reaching into the next month are cut at the edge."""
    w = duty_world
    start, end = sel.month_bounds(2026, 1)
    add_shift(w.duty_officer_a, w.joint, at(date(2025, 12, 31), 20), at(date(2026, 1, 31), 18))
    assert sel.coverage_gaps(w.joint, start, end) == [(at(date(2026, 1, 31), 18), end)]
    add_shift(w.duty_officer_a, w.joint, at(date(2026, 1, 31), 18), at(date(2026, 2, 1), 8))
    assert sel.coverage_gaps(w.joint, start, end) == []
    cal = sel.month_calendar(w.joint, 2026, 1)
    assert cal["gaps"] == []
    assert len(cal["weeks"][0]) == 7


def test_unstaffed_shift_counts_as_gap_and_is_flagged(duty_world):
    """Tieling §三.(二).1 (领导干部带班和24小时专人值班): a shift without a leader or
    without an officer does not cover its hours, and is listed as unstaffed."""
    w = duty_world
    no_leader = add_shift(w.duty_officer_a, w.joint, at(w.day, 0), at(w.day, 12), leader="")
    no_officer = add_shift(w.duty_officer_a, w.joint, at(w.day, 12), at(w.day, 24 - 1), officers=[])
    gaps = sel.coverage_gaps(w.joint, at(w.day), at(w.day, 23))
    assert gaps == [(at(w.day), at(w.day, 23))]
    shifts = list(sel.shifts_between(w.joint, at(w.day), at(w.day, 23)))
    assert {s.pk for s in sel.unstaffed_shifts(shifts)} == {no_leader.pk, no_officer.pk}


def test_gaps_in_is_pure_and_clips_to_window():
    """Tieling §三.(二).1: intervals outside the window are ignored."""
    d = date(2026, 3, 1)
    intervals = [(at(d, 22), at(d + timedelta(days=1), 2)), (at(d, 1), at(d, 3))]
    assert sel.gaps_in(intervals, at(d), at(d, 23)) == [(at(d), at(d, 1)), (at(d, 3), at(d, 22))]
    assert sel.gaps_in([], at(d), at(d, 1)) == [(at(d), at(d, 1))]


def test_coverage_summary_lists_rosters_with_gaps_in_jurisdiction(two_shifts):
    """Tieling §三.(二).1: the dashboard warns of gaps in the next seven days, in the
    user's jurisdiction only."""
    w = two_shifts
    names = {c.roster.name for c in sel.duty_coverage_summary(w.duty_officer_a)}
    assert names == {"临清市应急联合值守表", "水利抢险队值班表"}
    assert {c.roster.name for c in sel.duty_coverage_summary(w.duty_officer_b)} == {
        "阳谷县应急值班表"
    }
    start = at(w.day, 8)
    covered = sel.duty_coverage_summary(w.admin_a, start, start + timedelta(hours=24))
    assert "临清市应急联合值守表" not in {c.roster.name for c in covered}


# --- joint duty and permissions -----------------------------------------------------


@pytest.mark.parametrize("persona", ["duty_officer_a", "dispatcher_a", "admin_a", "admin_city"])
def test_joint_roster_is_editable_by_both_partners_and_administrators(duty_world, persona):
    """Tieling §三.(二).1 and annex §二.(四).12: the bureau and the fire brigade keep
    joint duty on one roster; both edit it."""
    w = duty_world
    shift = add_shift(getattr(w, persona), w.joint, at(w.day, 8), at(w.day, 20))
    assert shift.history.latest().history_user == getattr(w, persona)
    assert Event.objects.filter(type="duty.shift_changed", subject_id=str(w.joint.pk)).exists()


@pytest.mark.parametrize("persona", ["editor_a", "approver_a", "force_account_a", "editor_power_a"])
def test_joint_roster_is_not_editable_by_anyone_else(duty_world, persona):
    """Tieling §三.(二).1: only the partners of the joint roster edit it."""
    w = duty_world
    with pytest.raises(PermissionDeniedError):
        add_shift(getattr(w, persona), w.joint, at(w.day, 8), at(w.day, 20))
    assert not Shift.objects.filter(roster=w.joint).exists()


def test_roster_in_other_jurisdiction_is_not_found(duty_world):
    """SPEC §1: outside one's jurisdiction a roster does not exist."""
    w = duty_world
    with pytest.raises(NotFoundError):
        add_shift(w.duty_officer_b, w.joint, at(w.day, 8), at(w.day, 20))
    with pytest.raises(NotFoundError):
        add_shift(w.dispatcher_b, w.joint, at(w.day, 8), at(w.day, 20))


def test_removing_a_partner_revokes_its_edit_right(duty_world):
    """Tieling §三.(二).1: joint duty ends when the partner leaves the roster."""
    w = duty_world
    services.update_roster(actor=w.duty_officer_a, roster_id=w.joint.pk, data={}, partners=[])
    w.joint.refresh_from_db()
    assert not permissions.can_edit_roster(w.dispatcher_a, w.joint)
    assert permissions.can_edit_roster(w.duty_officer_a, w.joint)
    services.update_roster(
        actor=w.admin_a, roster_id=w.joint.pk, data={}, partners=[w.fire_a, w.water_a]
    )
    assert permissions.can_edit_roster(w.dispatcher_a, w.joint)
    assert permissions.can_edit_roster(w.editor_a, w.joint)


def test_partner_outside_roster_jurisdiction_is_refused(duty_world):
    """Tieling §三.(二).1: joint duty is with the same-level fire brigade."""
    w = duty_world
    with pytest.raises(ValidationFailed) as exc:
        services.update_roster(
            actor=w.admin_city, roster_id=w.joint.pk, data={}, partners=[w.fire_b]
        )
    assert "partners" in exc.value.errors


def test_force_roster_is_edited_by_the_forces_organisation(duty_world):
    """SPEC §5: each force keeps a roster; its organisation edits it."""
    w = duty_world
    add_shift(w.editor_a, w.force_roster, at(w.day, 8), at(w.day, 20))
    with pytest.raises(PermissionDeniedError):
        add_shift(w.duty_officer_a, w.force_roster, at(w.day, 8), at(w.day, 20))


def test_officer_from_an_outside_organisation_is_refused(duty_world):
    """Tieling §三.(二).1: officers of a joint shift come from the partners."""
    w = duty_world
    with pytest.raises(ValidationFailed):
        add_shift(
            w.duty_officer_a,
            w.joint,
            at(w.day, 8),
            at(w.day, 20),
            officers=[services.OfficerInput(name="外单位", organisation_id=w.water_a.pk)],
        )


def test_shift_must_end_after_it_starts(duty_world):
    """Tieling §三.(二).1: a shift is a time span."""
    w = duty_world
    with pytest.raises(ValidationFailed) as exc:
        add_shift(w.duty_officer_a, w.joint, at(w.day, 20), at(w.day, 8))
    assert "ends_at" in exc.value.errors


def test_update_shift_changes_officers_with_history(two_shifts):
    """Tieling §三.(二).1: changes to who is on duty are kept with who made them."""
    w = two_shifts
    keep = w.shift1.officers.get(name="赵消防")
    services.update_shift(
        actor=w.dispatcher_a,
        shift_id=w.shift1.pk,
        data={"leader_name": "周带班"},
        officers=[
            services.OfficerInput(id=keep.pk, name="赵消防", phone="13800002229"),
            services.OfficerInput(name="钱值班"),
        ],
    )
    w.shift1.refresh_from_db()
    assert w.shift1.leader_name == "周带班"
    assert sorted(w.shift1.officers.values_list("name", flat=True)) == ["赵消防", "钱值班"]
    assert w.shift1.history.latest().history_user == w.dispatcher_a
    event = Event.objects.filter(type="duty.shift_changed").latest("seq")
    assert event.payload["changed"] == ["leader_name", "officers"]


def test_regenerated_token_differs(duty_world):
    """Calendar feed secret is regenerable by an editor only."""
    w = duty_world
    old = w.joint.feed_token
    assert (
        services.regenerate_feed_token(actor=w.dispatcher_a, roster_id=w.joint.pk).feed_token != old
    )
    with pytest.raises(PermissionDeniedError):
        services.regenerate_feed_token(actor=w.editor_a, roster_id=w.joint.pk)
