"""Who may take each step of an allocation, county A / county B / city (DESIGN14
"allocation"): the service refuses with 403 whatever the page or API."""

from __future__ import annotations

import pytest

from core.exceptions import PermissionDeniedError
from support.allocation import permissions, selectors, services
from support.choices import AllocationStatus
from tests.support.allocation_fixtures import (
    approved,
    line,
    request_data,
    stock_world,
    submitted,
)

__all__ = ["stock_world"]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("duty_officer_a", True),
        ("approver_a", True),
        ("admin_a", True),
        ("dispatcher_a", True),
        ("editor_a", True),
        ("admin_city", True),
        ("dispatcher_city", True),
        ("force_account_a", False),
        ("screen_a", False),
        ("sync_client", False),
        ("duty_officer_b", False),
        ("dispatcher_b", False),
        ("editor_b", False),
    ],
)
def test_who_may_request_materials_for_county_a(stock_world, persona, allowed):
    w = stock_world
    actor = getattr(w, persona)

    def create():
        return services.create_allocation(
            actor=actor, data=request_data(w.incident_a), lines=[line(w.store_a, w.sandbags, 10)]
        )

    if allowed:
        assert create().status == AllocationStatus.DRAFT
    else:
        with pytest.raises(PermissionDeniedError):
            create()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("approver_a", True),
        ("admin_a", True),
        ("approver_city", True),
        ("admin_city", True),
        ("duty_officer_a", False),
        ("dispatcher_a", False),
        ("editor_a", False),
        ("screen_a", False),
        ("approver_b", False),
        ("duty_officer_b", False),
    ],
)
def test_who_may_approve_and_reject_a_county_a_request(stock_world, persona, allowed):
    w = stock_world
    actor = getattr(w, persona)
    allocation = submitted(w)
    if allowed:
        services.approve_allocation(actor=actor, allocation_id=allocation.pk)
        other = submitted(w)
        services.reject_allocation(actor=actor, allocation_id=other.pk, reason="另行调配")
    else:
        with pytest.raises(PermissionDeniedError):
            services.approve_allocation(actor=actor, allocation_id=allocation.pk)
        with pytest.raises(PermissionDeniedError):
            services.reject_allocation(actor=actor, allocation_id=allocation.pk, reason="x")


def test_a_city_request_is_approved_by_the_city_not_the_county(stock_world):
    w = stock_world
    allocation = submitted(w, lines=[line(w.store_city, w.sandbags, 100)])
    assert not permissions.can_decide(w.approver_a, allocation)
    assert permissions.can_decide(w.approver_city, allocation)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("duty_officer_a", True),  # the bureau of the jurisdiction
        ("editor_a", True),  # keeper of the township station (owner: the water bureau)
        ("admin_city", True),
        ("dispatcher_a", False),
        ("editor_power_a", False),
        ("force_account_a", False),
        ("duty_officer_b", False),
        ("editor_b", False),
    ],
)
def test_who_may_record_the_delivery(stock_world, persona, allowed):
    w = stock_world
    allocation = approved(w, lines=[line(w.station_a, w.sandbags, 100)])
    actor = getattr(w, persona)
    if allowed:
        services.record_delivery(actor=actor, allocation_id=allocation.pk)
    else:
        with pytest.raises(PermissionDeniedError):
            services.record_delivery(actor=actor, allocation_id=allocation.pk)


def test_the_capacity_suppliers_keeper_records_its_delivery(stock_world):
    w = stock_world
    allocation = approved(w, lines=[line(w.factory_a, w.sandbags, 1000)])
    services.record_delivery(actor=w.keeper_factory, allocation_id=allocation.pk)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("dispatcher_a", True),  # the requesting unit (the fire brigade asked)
        ("duty_officer_a", True),  # the bureau on its behalf
        ("editor_a", False),  # a keeper does not sign for the receiving side
        ("duty_officer_b", False),
        ("dispatcher_b", False),
        ("force_account_a", False),
    ],
)
def test_who_may_record_the_receipt(stock_world, persona, allowed):
    w = stock_world
    allocation = approved(w, actor=w.dispatcher_a)
    services.record_delivery(actor=w.duty_officer_a, allocation_id=allocation.pk)
    actor = getattr(w, persona)
    if allowed:
        services.record_receipt(actor=actor, allocation_id=allocation.pk, received={})
    else:
        with pytest.raises(PermissionDeniedError):
            services.record_receipt(actor=actor, allocation_id=allocation.pk, received={})


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("dispatcher_a", True),  # its requesting unit
        ("duty_officer_a", True),  # the bureau
        ("approver_a", True),
        ("editor_a", False),
        ("duty_officer_b", False),
    ],
)
def test_who_may_submit_change_and_cancel(stock_world, persona, allowed):
    w = stock_world
    allocation = services.create_allocation(
        actor=w.dispatcher_a,
        data=request_data(w.incident_a),
        lines=[line(w.store_a, w.sandbags, 5)],
    )
    actor = getattr(w, persona)
    if allowed:
        services.submit_allocation(actor=actor, allocation_id=allocation.pk)
        services.cancel_allocation(actor=actor, allocation_id=allocation.pk, reason="险情解除")
    else:
        with pytest.raises(PermissionDeniedError):
            services.submit_allocation(actor=actor, allocation_id=allocation.pk)
        with pytest.raises(PermissionDeniedError):
            services.cancel_allocation(actor=actor, allocation_id=allocation.pk, reason="x")
        with pytest.raises(PermissionDeniedError):
            services.update_allocation(
                actor=actor,
                allocation_id=allocation.pk,
                data=request_data(w.incident_a),
                lines=[line(w.store_a, w.sandbags, 1)],
            )


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("duty_officer_a", True),
        ("approver_city", True),
        ("sync_client", True),
        ("editor_a", True),
        ("dispatcher_a", True),
        ("duty_officer_b", False),
        ("editor_b", False),
        ("force_account_a", False),
        ("screen_a", False),
    ],
)
def test_who_reads_a_county_a_allocation(stock_world, persona, sees):
    w = stock_world
    allocation = submitted(w)
    actor = getattr(w, persona)
    assert (selectors.allocation_detail(actor, allocation.pk) is not None) is sees
    assert permissions.can_read_allocation(actor, allocation) is sees
