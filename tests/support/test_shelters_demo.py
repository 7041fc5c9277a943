"""The demo's shelter set: every place gets shelters and an indicator; one county meets
its target and one falls below; a second run changes nothing."""

from __future__ import annotations

from decimal import Decimal

from core.demo import CITY, COUNTIES, DemoContext
from core.events import Event
from support.models import Shelter, ShelterIndicator
from support.shelters import demo, selectors


def _ctx(world):
    ctx = DemoContext(places=(CITY, *COUNTIES[:2]))
    ctx.users = {
        "city_admin": world.admin_city,
        "linqing_admin": world.admin_a,
        "yanggu_admin": world.approver_b,
    }
    return ctx


def test_demo_seeds_shelters_and_indicators_with_one_county_below_and_one_meeting(world):
    demo.seed(_ctx(world))
    for place in (world.city, world.county_a, world.county_b):
        assert Shelter.objects.filter(jurisdiction__path__startswith=place.path).exists()
        assert ShelterIndicator.objects.filter(jurisdiction=place).exists()
    rows = {
        r.jurisdiction.code: r
        for r in selectors.per_capita(jurisdictions=[world.county_a, world.county_b])
    }
    assert rows["371581"].below is True
    assert rows["371521"].below is False
    for shelter in Shelter.objects.all():
        # About one person per 1.5–2 m² of effective area.
        assert Decimal("1.5") <= shelter.area_m2 / shelter.capacity <= Decimal("2")
        assert shelter.latitude is not None


def test_demo_run_twice_changes_nothing(world):
    demo.seed(_ctx(world))
    count, events = Shelter.objects.count(), Event.objects.count()
    demo.seed(_ctx(world))
    assert Shelter.objects.count() == count
    assert Event.objects.count() == events
