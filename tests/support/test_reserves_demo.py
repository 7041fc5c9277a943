"""The demo's reserves (issue 14): in the city and each county, warehouses of all five
"1+4" kinds with stock or agreed capacity, a couple of items below their minimum and a batch
of water near expiry — built through the services, and a second run creates nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Q

from core import demo as core_demo
from core.models import Event
from support.choices import CAPACITY_KINDS, ReserveKind
from support.events import ReserveEvent
from support.models import StockBatch, StockLevel, StockMovement, Warehouse
from support.reserves import demo
from support.reserves.alerts import check_stock_alerts
from support.reserves.selectors import low_stock_levels, stock_on_hand
from support.reserves.services import check_stock

pytestmark = pytest.mark.django_db


def _build():
    call_command("loaddata", "divisions", verbosity=0)
    ctx = core_demo.DemoContext(places=(core_demo.CITY, core_demo.COUNTIES[0]))
    core_demo.seed(ctx)
    demo.seed(ctx)
    return ctx


def test_demo_has_all_five_kinds_in_the_city_and_county_with_stock():
    ctx = _build()
    for place in ctx.places:
        where = ctx.jurisdiction(place.code)
        own = Q(jurisdiction=where) | Q(jurisdiction__code=place.township or where.code)
        kinds = set(Warehouse.objects.filter(own).values_list("kind", flat=True))
        assert kinds == set(ReserveKind.values), place
    assert StockBatch.objects.filter(warehouse__kind__in=CAPACITY_KINDS).count() == 0
    sandbags = StockLevel.objects.get(
        warehouse__kind=ReserveKind.ENTERPRISE_CAPACITY,
        warehouse__jurisdiction__code="371581",
        item__name="编织袋",
    )
    assert (sandbags.agreed_capacity, sandbags.delivery_hours) == (50000, 24)
    levels = list(StockLevel.objects.select_related("warehouse", "item"))
    low = low_stock_levels(levels, stock_on_hand())
    assert {lv.item.name for lv in low} == {"救生衣"}
    assert len(low) >= 2
    assert check_stock() == []
    assert StockMovement.objects.filter(actor__isnull=True).count() == 0
    assert Event.objects.filter(type=ReserveEvent.RECEIVED).count() == StockBatch.objects.count()
    # The tick has a near-expiry batch of water and the low life jackets to report.
    assert check_stock_alerts() >= len(low) + 2

    before = (Warehouse.objects.count(), StockMovement.objects.count(), Event.objects.count())
    demo.seed(ctx)
    assert (Warehouse.objects.count(), StockMovement.objects.count(), Event.objects.count()) == (
        before
    )
