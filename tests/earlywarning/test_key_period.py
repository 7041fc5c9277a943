"""An orange or red warning can open a key period for its area: the roll calls of the area,
below it and above it up to the warning's jurisdiction run daily while it is in force
(issue 12 "Warnings drive the rest")."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from duty.models import RollCall, RollCallSchedule
from duty.rollcalls import services as rollcall_services
from earlywarning import services
from earlywarning.choices import WarningLevel
from earlywarning.selectors import key_period_warnings
from tests.earlywarning.helpers import flood_data, published_flood

pytestmark = pytest.mark.django_db


def schedule(jurisdiction, **extra) -> RollCallSchedule:
    data = {
        "name": f"{jurisdiction.name}每月值班值守调度",
        "jurisdiction": jurisdiction,
        "day_of_month": 1,
        "time_of_day": "09:00",
    }
    data.update(extra)
    return RollCallSchedule.objects.create(**data)


def test_a_key_period_warning_makes_the_area_and_the_levels_up_to_its_jurisdiction_daily(
    warning_world,
):
    w = warning_world
    warning = published_flood(w, opens_key_period=True, hours=72)
    today = timezone.localdate()
    county_a, county_b, city = schedule(w.county_a), schedule(w.county_b), schedule(w.city)
    town, village = schedule(w.town_a), schedule(w.village_a1)
    for raised in (county_a, town, village):
        assert rollcall_services.effective_frequency(raised, today) == (
            "daily",
            ["橙色洪水预警"],
        ), raised.jurisdiction
    # County B is elsewhere; the city is above the warning's jurisdiction (county A).
    assert rollcall_services.effective_frequency(county_b, today) == ("monthly", [])
    assert rollcall_services.effective_frequency(city, today) == ("monthly", [])
    # From effect to expiry only.
    assert rollcall_services.effective_frequency(county_a, today + timedelta(days=5)) == (
        "monthly",
        [],
    )
    assert key_period_warnings(w.village_a1, today) == [warning]
    assert key_period_warnings(w.county_b, today) == []


def test_a_warning_without_the_key_period_or_no_longer_in_force_raises_nothing(warning_world):
    w = warning_world
    today = timezone.localdate()
    plain = published_flood(w, hours=72)
    county_a = schedule(w.county_a)
    assert rollcall_services.effective_frequency(county_a, today) == ("monthly", [])
    keyed = published_flood(w, opens_key_period=True, areas=[w.town_a2], level=WarningLevel.RED)
    town = schedule(w.town_a2)
    assert rollcall_services.effective_frequency(town, today) == ("daily", ["红色洪水预警"])
    # The warning's jurisdiction is the township: the county above it is not raised.
    assert rollcall_services.effective_frequency(county_a, today) == ("monthly", [])
    services.cancel_warning(actor=w.editor_a, warning_id=keyed.pk, reason="解除")
    assert rollcall_services.effective_frequency(town, today) == ("monthly", [])
    assert plain.opens_key_period is False


def test_a_yellow_warning_cannot_open_a_key_period(warning_world):
    from core.exceptions import ValidationFailed

    w = warning_world
    with pytest.raises(ValidationFailed):
        services.create_draft(
            actor=w.editor_a,
            data=flood_data(w, level=WarningLevel.YELLOW, opens_key_period=True),
        )


def test_the_tick_starts_daily_roll_calls_during_the_warning(warning_world):
    w = warning_world
    now = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    with time_machine.travel(now, tick=False):
        published_flood(
            w, opens_key_period=True, effective_at=now, expires_at=now + timedelta(days=2, hours=12)
        )
        schedule(w.county_a, day_of_month=min(now.day % 28 + 1, 28))  # not today
    for day in range(3):
        at = now + timedelta(days=day, hours=1, minutes=1)
        started = rollcall_services.start_due_roll_calls(now=at)
        assert len(started) == 1, day
        assert started[0].period_key == f"D{timezone.localtime(at).date().isoformat()}"
    assert rollcall_services.start_due_roll_calls(now=now + timedelta(days=3, hours=1)) == []
    assert RollCall.objects.count() == 3


def test_the_schedules_page_lists_the_warning_as_a_key_period(warning_world, client):
    w = warning_world
    warning = published_flood(w, opens_key_period=True)
    client.force_login(w.duty_officer_a)
    page = client.get(reverse("duty:rollcall_schedules")).content.decode()
    assert f'data-warning-key-period="{warning.pk}"' in page
    assert "橙色洪水预警" in page
    client.force_login(w.duty_officer_b)
    page = client.get(reverse("duty:rollcall_schedules")).content.decode()
    assert "data-warning-key-period" not in page
