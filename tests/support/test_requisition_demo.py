"""The demo's requisitions on 临清市's flood incident: an excavator handed over, a crane
returned with a reviewed claim, a force's claim awaiting review — once, however often
the demo runs."""

from __future__ import annotations

import pytest

from core.demo import DemoContext
from support.choices import CompensationStatus, RequisitionStatus
from support.models import CompensationClaim, Requisition
from support.requisition import demo
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_demo_flood_has_an_excavator_in_use_a_returned_crane_and_two_claims(incident_world):
    w = incident_world
    flood = f.incident(
        w.duty_officer_a, title=demo.FLOOD, incident_type=w.flood_type, jurisdiction=w.county_a
    )
    ctx = DemoContext(users={"linqing_duty": w.duty_officer_a, "linqing_force": w.force_account_a})
    demo.seed(ctx)
    demo.seed(ctx)
    requisitions = {r.description: r for r in Requisition.objects.filter(incident=flood)}
    assert len(requisitions) == 2
    excavator = next(r for d, r in requisitions.items() if "挖掘机" in d)
    assert excavator.status == RequisitionStatus.HANDED_OVER
    assert excavator.owner_organisation.name == demo.BUILDER
    crane = next(r for d, r in requisitions.items() if "起重机" in d)
    assert crane.status == RequisitionStatus.RETURNED and crane.damage
    assert crane.compensation_claim.status == CompensationStatus.REVIEWED
    force_claim = CompensationClaim.objects.get(force__isnull=False)
    assert force_claim.status == CompensationStatus.SUBMITTED
    assert force_claim.claimed_amount == sum(c.amount for c in force_claim.costs.all())
    assert ctx.report.created["requisitions"] == 1
