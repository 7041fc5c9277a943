"""Quarterly spot checks (抽查) of linkage units (Zhoushan §五.(一))."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from duty.rosters import selectors as sel
from duty.rosters import services

pytestmark = pytest.mark.django_db

PASSED = {"satisfaction_score": 95}
FAILED = {
    "duty_passed": False,
    "duty_note": "夜间值班电话无人接听",
    "satisfaction_score": 70,
    "findings": "值班制度落实不到位",
}


def _check(w, org=None, actor=None, **data):
    return services.record_spot_check(
        actor=actor or w.duty_officer_a,
        organisation_id=(org or w.water_a).pk,
        data={**PASSED, **data},
    )


@pytest.mark.parametrize(
    ("day", "quarter"),
    [(date(2025, 1, 1), 1), (date(2025, 3, 31), 1), (date(2025, 4, 1), 2), (date(2025, 12, 31), 4)],
)
def test_quarter_is_derived_from_the_date(world, day, quarter):
    """Zhoushan §五.(一): 每季度 — the quarter comes from the date of the check."""
    check = _check(world, checked_on=day)
    assert (check.year, check.quarter) == (day.year, quarter)
    assert Event.objects.filter(type="duty.spotcheck_recorded").count() == 1
    assert check.history.latest().history_user == world.duty_officer_a


def test_failed_item_needs_findings_and_a_deadline(world):
    """Zhoushan §五.(一): a failed item is followed by rectification."""
    with pytest.raises(ValidationFailed) as exc:
        _check(world, call_handling_passed=False, satisfaction_score=60)
    assert {"findings", "rectification_deadline"} <= set(exc.value.errors)
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as exc:
        _check(world, **FAILED, rectification_deadline=today - timedelta(days=400))
    assert "rectification_deadline" in exc.value.errors
    check = _check(world, **FAILED, rectification_deadline=today + timedelta(days=30))
    assert check.is_open


def test_score_out_of_range_and_future_date_are_refused(world):
    """Zhoushan §五.(一): satisfaction is a score out of 100; checks are not future-dated."""
    with pytest.raises(ValidationFailed):
        _check(world, satisfaction_score=101)
    with pytest.raises(ValidationFailed) as exc:
        _check(world, checked_on=timezone.localdate() + timedelta(days=1))
    assert "checked_on" in exc.value.errors


@pytest.mark.parametrize("persona", ["duty_officer_a", "approver_a", "admin_a", "approver_city"])
def test_bureau_checkers_record_checks(world, persona):
    """Zhoushan §五.(一): the emergency office and linkage centre run the checks."""
    assert _check(world, actor=getattr(world, persona)).checked_by == getattr(world, persona)


@pytest.mark.parametrize("persona", ["dispatcher_a", "editor_a", "editor_power_a"])
def test_others_may_not_check(world, persona):
    """Zhoushan §五.(一): linkage units do not check each other."""
    with pytest.raises(PermissionDeniedError):
        _check(
            world,
            org=world.fire_a if persona != "dispatcher_a" else world.power_a,
            actor=getattr(world, persona),
        )


def test_unit_is_not_checked_by_itself_nor_outside_jurisdiction(world):
    """Zhoushan §五.(一): checks go to the units of one's level and below."""
    with pytest.raises(PermissionDeniedError):
        _check(world, org=world.bureau_a, actor=world.admin_a)
    with pytest.raises(NotFoundError):
        _check(world, org=world.water_b, actor=world.duty_officer_a)


def test_closing_a_rectification(world):
    """Zhoushan §五.(一): findings are rectified and the closure is recorded."""
    check = _check(world, **FAILED, rectification_deadline=timezone.localdate())
    with pytest.raises(ValidationFailed):
        services.close_spot_check(actor=world.approver_a, spot_check_id=check.pk, note=" ")
    with pytest.raises(PermissionDeniedError):
        services.close_spot_check(actor=world.editor_a, spot_check_id=check.pk, note="自查")
    closed = services.close_spot_check(
        actor=world.approver_a, spot_check_id=check.pk, note="已建立夜间双人值班"
    )
    assert closed.closed_by == world.approver_a and closed.closed_at and not closed.is_open
    assert closed.history.latest().history_user == world.approver_a
    with pytest.raises(InvalidTransition) as exc:
        services.close_spot_check(actor=world.approver_a, spot_check_id=check.pk, note="再次")
    assert exc.value.code == "already_closed"
    assert Event.objects.filter(type="duty.spotcheck_closed").count() == 1


def test_a_passed_check_has_nothing_to_close(world):
    """Zhoushan §五.(一): only checks with findings to rectify are closed."""
    check = _check(world)
    with pytest.raises(InvalidTransition) as exc:
        services.close_spot_check(actor=world.approver_a, spot_check_id=check.pk, note="无")
    assert exc.value.code == "nothing_to_rectify"


def test_quarter_overview_lists_unchecked_linkage_units(world):
    """Zhoushan §五.(一): the quarter's checks per jurisdiction, and who is still due."""
    today = timezone.localdate()
    year, quarter = sel.quarter_of(today)
    _check(world, org=world.water_a)
    _check(world, org=world.power_a, checked_on=today.replace(year=today.year - 1))
    overview = sel.spot_check_quarter(world.duty_officer_a, year, quarter)
    assert [c.organisation for c in overview["checks"]] == [world.water_a]
    unchecked = set(overview["unchecked"])
    assert {world.fire_a, world.power_a} <= unchecked
    assert world.water_a not in unchecked and world.bureau_a not in unchecked
    assert world.water_b not in unchecked
    codes = [j.code for j, _checks, _unchecked in overview["by_jurisdiction"]]
    assert codes == sorted(codes) and "371581" in codes
