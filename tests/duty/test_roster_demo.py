"""The demo's duty rosters, log, hand-over and spot checks (built by ``seed_demo``)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from duty.models import DutyLogEntry, DutyRoster, HandOver, Shift, SpotCheck
from duty.rosters import selectors as sel

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_each_county_keeps_a_joint_roster_with_one_deliberate_gap(demo):
    today = timezone.localdate()
    joints = DutyRoster.objects.filter(name__endswith="应急联合值守表")
    assert joints.count() == 3
    start, end = sel.month_bounds(today.year, today.month)
    for roster in joints:
        assert roster.partners.get().kind == "fire_rescue"
        assert len(sel.coverage_gaps(roster, start, end)) == 1
    assert DutyRoster.objects.filter(force__isnull=False).count() == 6


def test_demo_log_hand_over_and_spot_checks(demo):
    hand_over = HandOver.objects.get()
    assert hand_over.carried_entries.count() == 2
    assert DutyLogEntry.objects.filter(shift=hand_over.to_shift, is_open=True).count() == 2
    checks = SpotCheck.objects.all()
    assert checks.count() == 2 and sum(c.is_open for c in checks) == 1


def test_second_run_creates_no_duty_rows(demo):
    before = (DutyRoster.objects.count(), Shift.objects.count(), DutyLogEntry.objects.count())
    call_command("seed_demo", stdout=StringIO())
    after = (DutyRoster.objects.count(), Shift.objects.count(), DutyLogEntry.objects.count())
    assert after == before


def test_each_demo_person_keeps_one_phone_number(demo):
    """One number per person on every shift, and no number shared by two people."""
    from duty.models import ShiftOfficer

    by_person: dict[tuple[int, str], set[str]] = {}
    for shift in Shift.objects.select_related("roster"):
        key = (shift.roster.jurisdiction_id, shift.leader_name)
        by_person.setdefault(key, set()).add(shift.leader_phone)
    for officer in ShiftOfficer.objects.select_related("shift__roster"):
        key = (officer.shift.roster.jurisdiction_id, officer.name)
        by_person.setdefault(key, set()).add(officer.phone)
    assert all(len(phones) == 1 for phones in by_person.values()), by_person
    owners: dict[str, tuple[int, str]] = {}
    for key, phones in by_person.items():
        (phone,) = phones
        assert owners.setdefault(phone, key) == key, (phone, owners[phone], key)
