"""The demo's allocations on 临清市's flood incident: an approved and delivered one of
sandbags and life jackets, issued from the county's stock, and one awaiting approval;
a second run adds nothing."""

from __future__ import annotations

import pytest

from core.demo import DemoContext
from support.allocation import demo
from support.choices import AllocationStatus
from support.models import AllocationRequest
from tests import factories as f
from tests.support.allocation_fixtures import on_hand, stock_world

__all__ = ["stock_world"]

pytestmark = pytest.mark.django_db


def test_the_demo_flood_incident_has_a_delivered_and_a_waiting_allocation(stock_world):
    w = stock_world
    incident = f.incident(
        w.duty_officer_a,
        title=demo.CANAL_PIPING,
        incident_type=w.flood_type,
        jurisdiction=w.county_a,
    )
    ctx = DemoContext()
    ctx.users = {"linqing_duty": w.duty_officer_a, "linqing_approver": w.approver_a}
    demo.seed(ctx)
    demo.seed(ctx)
    rows = list(AllocationRequest.objects.filter(incident=incident).order_by("pk"))
    assert [a.status for a in rows] == [AllocationStatus.DELIVERED, AllocationStatus.SUBMITTED]
    delivered = {line.item.name for line in rows[0].lines.all()}
    assert delivered == {"编织袋", "救生衣"}
    assert on_hand(w.store_a, w.sandbags) == 2500  # half of 5000 asked, 3000 capped
    assert on_hand(w.store_a, w.jackets) == 150
