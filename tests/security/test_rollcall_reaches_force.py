"""A roll call tells each force account live that its forces are called, and no one else
(issue 10: "a roll call reaches only forces that happen to be looking"). The started and
delivered events name no organisation, so a force account never read them; delivery now
records one ``rollcall.called`` per organisation whose forces were called, in that
organisation's jurisdiction, read by that organisation's force account only."""

from __future__ import annotations

import pytest
from django.db.models import Q

from core import visibility
from core.models import Event
from duty.events import RollCallEvent
from duty.rollcalls import services

pytestmark = pytest.mark.django_db


def feed_of(user, roll_call) -> list[tuple[str, int | None]]:
    """What the live feed's database side gives ``user`` about this roll call."""
    rows = Event.objects.filter(
        visibility.event_filter(user),
        Q(subject_type="duty.rollcall", subject_id=str(roll_call.pk)),
    ).order_by("seq")
    return list(rows.values_list("type", "organisation_id"))


def city_roll_call(w):
    roll_call = services.start_roll_call(actor=w.dispatcher_city, jurisdiction=w.city)
    services.deliver_roll_call(roll_call_id=roll_call.pk)
    return roll_call


def test_each_force_account_reads_that_its_own_forces_are_called(world):
    w = world
    roll_call = city_roll_call(w)
    called = RollCallEvent.CALLED
    assert feed_of(w.force_account_a, roll_call) == [(called, w.water_a.pk)]
    assert feed_of(w.force_account_power_a, roll_call) == [(called, w.power_a.pk)]
    # County B's force account, under a roll call started by the city.
    assert feed_of(w.force_account_b, roll_call) == [(called, w.water_b.pk)]
    event = Event.objects.get(type=called, organisation=w.water_a)
    assert event.payload == {"roll_call": roll_call.pk, "targets": 1}


def test_another_force_does_not_read_that_a_force_is_called(world):
    """The live feed's two sides (the query and the per-event check of the socket)."""
    w = world
    roll_call = city_roll_call(w)
    mine = Event.objects.get(type=RollCallEvent.CALLED, organisation=w.water_a)
    for other in (w.force_account_power_a, w.force_account_b):
        assert (RollCallEvent.CALLED, w.water_a.pk) not in feed_of(other, roll_call)
        viewer = visibility.viewer_of(other)
        assert not viewer.can_see(mine.jurisdiction.path, mine.type, mine.organisation_id)
    viewer = visibility.viewer_of(w.force_account_a)
    assert viewer.can_see(mine.jurisdiction.path, mine.type, mine.organisation_id)


def test_a_county_reader_does_not_learn_of_the_citys_roll_call_from_the_calls(world):
    """The per-organisation events sit in the county; the county's dispatchers and duty
    officers may not open the city's roll call, so they must not read them either."""
    w = world
    roll_call = city_roll_call(w)
    for reader in (w.dispatcher_a, w.duty_officer_a, w.screen_a, w.editor_a):
        assert feed_of(reader, roll_call) == []
    # The city's dispatcher follows the roll call through its own events.
    assert [t for t, _ in feed_of(w.dispatcher_city, roll_call)] == [
        RollCallEvent.STARTED,
        RollCallEvent.DELIVERED,
    ]


def test_delivering_again_calls_no_one_twice(world):
    w = world
    roll_call = city_roll_call(w)
    assert services.deliver_roll_call(roll_call_id=roll_call.pk) == 0
    assert Event.objects.filter(type=RollCallEvent.CALLED).count() == 3
