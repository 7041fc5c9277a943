"""Reserves services (Linqing §二.(一) "1+4"): stock moves only through recorded
movements, never below zero, by the keepers and the bureau of the jurisdiction."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.models import Event
from support.choices import MovementKind, ReserveKind
from support.events import ReserveEvent
from support.models import StockBatch, StockLevel, StockMovement, Warehouse
from support.reserves import services
from support.reserves.selectors import stock_on_hand, visible_warehouses, warehouse_summary
from support.reserves.stock import InsufficientStock
from tests.support.reserves_fixtures import *  # noqa: F403 (the fixtures)
from tests.support.reserves_fixtures import put

pytestmark = pytest.mark.django_db


def _receive(w, user, wh=None, qty=100, batch="B1", expiry=None, item=None):
    return services.receive_stock(
        actor=user,
        warehouse_id=(wh or w.wh_a).pk,
        item_id=(item or w.sandbag).pk,
        quantity=qty,
        batch_number=batch,
        expiry_date=expiry,
    )


def test_receipt_creates_batch_movement_and_event(reserves_world):
    w = reserves_world
    movement = _receive(w, w.duty_officer_a, qty=500, batch="2026-01")
    batch = movement.batch
    assert batch.quantity == Decimal(500)
    assert (movement.kind, movement.delta, movement.balance) == ("receive", 500, 500)
    event = Event.objects.get(type=ReserveEvent.RECEIVED)
    assert event.payload["quantity"] == "500"
    assert event.jurisdiction == w.county_a
    _receive(w, w.duty_officer_a, qty=20, batch="2026-01")
    batch.refresh_from_db()
    assert batch.quantity == 520
    assert StockBatch.objects.count() == 1


def test_issue_takes_first_expiring_batch_first(reserves_world):
    w = reserves_world
    _receive(w, w.duty_officer_a, qty=10, batch="late", expiry=datetime.date(2030, 1, 1))
    _receive(w, w.duty_officer_a, qty=10, batch="early", expiry=datetime.date(2027, 1, 1))
    _receive(w, w.duty_officer_a, qty=10, batch="none")
    movements = services.issue_stock(
        actor=w.duty_officer_a,
        warehouse_id=w.wh_a.pk,
        item_id=w.sandbag.pk,
        quantity=15,
        reason="卫运河抢险",
    )
    assert [(m.batch.batch_number, m.delta) for m in movements] == [("early", -10), ("late", -5)]
    assert stock_on_hand(warehouse_ids=[w.wh_a.pk])[(w.wh_a.pk, w.sandbag.pk)] == 15


def test_issue_more_than_on_hand_is_refused_and_changes_nothing(reserves_world):
    w = reserves_world
    _receive(w, w.duty_officer_a, qty=10)
    with pytest.raises(InsufficientStock) as err:
        services.issue_stock(
            actor=w.duty_officer_a,
            warehouse_id=w.wh_a.pk,
            item_id=w.sandbag.pk,
            quantity=11,
            reason="抢险",
        )
    assert err.value.status_code == 409
    assert "10" in str(err.value.detail)
    assert StockBatch.objects.get().quantity == 10
    assert StockMovement.objects.count() == 1
    assert not Event.objects.filter(type=ReserveEvent.ISSUED).exists()


def test_issue_needs_a_reason(reserves_world):
    w = reserves_world
    _receive(w, w.duty_officer_a, qty=10)
    with pytest.raises(ValidationFailed):
        services.issue_stock(
            actor=w.duty_officer_a,
            warehouse_id=w.wh_a.pk,
            item_id=w.sandbag.pk,
            quantity=1,
            reason="  ",
        )


@pytest.mark.parametrize("qty", [0, -5, "abc", "1.234"])
def test_bad_quantities_are_refused(reserves_world, qty):
    w = reserves_world
    with pytest.raises(ValidationFailed):
        _receive(w, w.duty_officer_a, qty=qty)


def test_capacity_reserve_refuses_receipts_and_keeps_agreed_capacity(reserves_world):
    w = reserves_world
    with pytest.raises(ValidationFailed) as err:
        _receive(w, w.editor_factory_a, wh=w.wh_capacity_a)
    assert err.value.code == "capacity_reserve"
    with pytest.raises(ValidationFailed):
        services.set_stock_level(
            actor=w.editor_factory_a,
            warehouse_id=w.wh_capacity_a.pk,
            item_id=w.sandbag.pk,
            minimum=0,
        )
    level = services.set_stock_level(
        actor=w.editor_factory_a,
        warehouse_id=w.wh_capacity_a.pk,
        item_id=w.sandbag.pk,
        minimum=0,
        agreed_capacity=50000,
        delivery_hours=24,
    )
    assert (level.agreed_capacity, level.delivery_hours) == (50000, 24)
    with pytest.raises(ValidationFailed):
        services.set_stock_level(
            actor=w.duty_officer_a,
            warehouse_id=w.wh_a.pk,
            item_id=w.sandbag.pk,
            minimum=10,
            agreed_capacity=5,
            delivery_hours=2,
        )


def test_transfer_writes_out_and_in_counterparts_keeping_batch_and_expiry(reserves_world):
    w = reserves_world
    expiry = datetime.date(2028, 6, 30)
    _receive(w, w.duty_officer_a, qty=40, batch="X1", expiry=expiry)
    pairs = services.transfer_stock(
        actor=w.duty_officer_a,
        from_warehouse_id=w.wh_a.pk,
        to_warehouse_id=w.wh_water_a.pk,
        item_id=w.sandbag.pk,
        quantity=25,
        reason="前置到堤防",
    )
    (out, moved_in) = pairs[0]
    assert (out.kind, out.delta) == (MovementKind.TRANSFER_OUT, -25)
    assert (moved_in.kind, moved_in.delta, moved_in.counterpart_id) == (
        MovementKind.TRANSFER_IN,
        25,
        out.pk,
    )
    assert moved_in.batch.warehouse == w.wh_water_a
    assert (moved_in.batch.batch_number, moved_in.batch.expiry_date) == ("X1", expiry)
    on_hand = stock_on_hand(item_ids=[w.sandbag.pk])
    assert on_hand[(w.wh_a.pk, w.sandbag.pk)] == 15
    assert on_hand[(w.wh_water_a.pk, w.sandbag.pk)] == 25
    assert Event.objects.filter(type=ReserveEvent.TRANSFERRED).count() == 1


def test_transfer_to_another_county_warehouse_is_refused_to_county_bureau(reserves_world):
    w = reserves_world
    _receive(w, w.duty_officer_a, qty=40)
    with pytest.raises(NotFoundError):
        services.transfer_stock(
            actor=w.duty_officer_a,
            from_warehouse_id=w.wh_a.pk,
            to_warehouse_id=w.wh_b.pk,
            item_id=w.sandbag.pk,
            quantity=5,
            reason="支援",
        )
    services.transfer_stock(
        actor=w.admin_city,
        from_warehouse_id=w.wh_a.pk,
        to_warehouse_id=w.wh_b.pk,
        item_id=w.sandbag.pk,
        quantity=5,
        reason="市局调剂",
    )
    assert stock_on_hand(warehouse_ids=[w.wh_b.pk])[(w.wh_b.pk, w.sandbag.pk)] == 5


def test_count_adjustment_needs_reason_and_is_a_noop_when_equal(reserves_world):
    w = reserves_world
    batch = _receive(w, w.duty_officer_a, qty=40).batch
    with pytest.raises(ValidationFailed):
        services.adjust_stock(
            actor=w.duty_officer_a, batch_id=batch.pk, counted_quantity=38, reason=""
        )
    assert (
        services.adjust_stock(
            actor=w.duty_officer_a, batch_id=batch.pk, counted_quantity=40, reason="盘点"
        )
        is None
    )
    down = services.adjust_stock(
        actor=w.duty_officer_a, batch_id=batch.pk, counted_quantity=38, reason="盘点破损2条"
    )
    assert (down.kind, down.delta, down.balance) == ("adjust", -2, 38)
    up = services.adjust_stock(
        actor=w.duty_officer_a, batch_id=batch.pk, counted_quantity=41, reason="盘点多出"
    )
    assert (up.delta, up.balance) == (3, 41)
    assert Event.objects.filter(type=ReserveEvent.ADJUSTED).count() == 2
    with pytest.raises(ValidationFailed):
        services.adjust_stock(
            actor=w.duty_officer_a, batch_id=batch.pk, counted_quantity=-1, reason="错"
        )


def test_check_stock_finds_a_batch_changed_behind_the_movements(reserves_world, capsys):
    w = reserves_world
    batch = _receive(w, w.duty_officer_a, qty=40).batch
    services.issue_stock(
        actor=w.duty_officer_a, warehouse_id=w.wh_a.pk, item_id=w.sandbag.pk, quantity=5, reason="x"
    )
    assert services.check_stock() == []
    call_command("check_stock")
    StockBatch.objects.filter(pk=batch.pk).update(quantity=99)
    wrong = services.check_stock(warehouse_id=w.wh_a.pk)
    assert [(b.pk, b.moved) for b in wrong] == [(batch.pk, 35)]
    with pytest.raises(SystemExit) as exit_:
        call_command("check_stock")
    assert exit_.value.code == 1


# --------------------------------------------------------------------------- permissions

KEEP = "keep"
DENY = "deny"
HIDDEN = "hidden"


@pytest.mark.parametrize(
    ("persona", "warehouse", "expected"),
    [
        ("duty_officer_a", "wh_a", KEEP),
        ("approver_a", "wh_a", KEEP),
        ("admin_a", "wh_water_a", KEEP),
        ("editor_a", "wh_water_a", KEEP),  # the owner's keeper
        ("editor_a", "wh_a", DENY),  # another organisation's warehouse
        ("editor_power_a", "wh_water_a", DENY),
        ("dispatcher_a", "wh_a", DENY),
        ("force_account_a", "wh_water_a", DENY),
        ("screen_a", "wh_a", DENY),
        ("duty_officer_b", "wh_a", HIDDEN),
        ("editor_b", "wh_a", HIDDEN),
        ("admin_city", "wh_a", KEEP),
        ("approver_city", "wh_b", KEEP),
        ("dispatcher_city", "wh_b", DENY),
        ("sync_client", "wh_a", DENY),
    ],
)
def test_who_may_receive_and_issue(reserves_world, persona, warehouse, expected):
    w = reserves_world
    user, wh = getattr(w, persona), getattr(w, warehouse)
    put(wh, w.sandbag, 10)
    calls = [
        lambda: _receive(w, user, wh=wh, qty=1),
        lambda: services.issue_stock(
            actor=user, warehouse_id=wh.pk, item_id=w.sandbag.pk, quantity=1, reason="r"
        ),
        lambda: services.adjust_stock(
            actor=user, batch_id=wh.batches.get().pk, counted_quantity=3, reason="盘点"
        ),
        lambda: services.set_stock_level(
            actor=user, warehouse_id=wh.pk, item_id=w.sandbag.pk, minimum=5
        ),
        lambda: services.update_warehouse(
            actor=user, warehouse_id=wh.pk, data={"address": "新地址"}
        ),
    ]
    for call in calls:
        if expected == KEEP:
            call()
        else:
            error = PermissionDeniedError if expected == DENY else NotFoundError
            with pytest.raises(error):
                call()


@pytest.mark.parametrize(
    ("persona", "owner", "where", "allowed"),
    [
        ("duty_officer_a", "bureau_a", "county_a", True),
        ("duty_officer_a", "water_a", "town_a", True),
        ("editor_a", "water_a", "county_a", True),
        ("editor_a", "power_a", "county_a", False),
        ("dispatcher_a", "fire_a", "county_a", False),
        ("duty_officer_b", "bureau_a", "county_a", False),
        ("approver_city", "bureau_b", "county_b", True),
    ],
)
def test_who_may_register_a_warehouse(reserves_world, persona, owner, where, allowed):
    w = reserves_world
    data = {
        "name": "新储备点",
        "kind": ReserveKind.COMMUNITY,
        "owner": getattr(w, owner),
        "jurisdiction": getattr(w, where),
        "keeper_name": "赵保管",
        "keeper_phone": "13805359876",
    }
    if allowed:
        wh = services.create_warehouse(actor=getattr(w, persona), data=data)
        assert Event.objects.filter(
            type=ReserveEvent.WAREHOUSE_CREATED, payload__warehouse=wh.pk
        ).exists()
    else:
        with pytest.raises((PermissionDeniedError, ValidationFailed)):
            services.create_warehouse(actor=getattr(w, persona), data=data)
        assert not Warehouse.objects.filter(name="新储备点").exists()


def test_warehouse_with_bad_keeper_phone_is_refused(reserves_world):
    w = reserves_world
    with pytest.raises(ValidationFailed):
        services.create_warehouse(
            actor=w.duty_officer_a,
            data={
                "name": "x",
                "kind": ReserveKind.HOUSEHOLD,
                "owner": w.bureau_a,
                "keeper_name": "x",
                "keeper_phone": "12345",
            },
        )


def test_catalogue_is_kept_by_the_bureau_only(reserves_world):
    w = reserves_world
    data = {"code": "RS-009", "name": "冲锋舟", "spec": "7.2m", "unit": "艘", "category": "rescue"}
    for user in (w.editor_a, w.dispatcher_a, w.force_account_a, w.screen_a):
        with pytest.raises(PermissionDeniedError):
            services.save_item(actor=user, data=data)
    item = services.save_item(actor=w.duty_officer_a, data=data)
    services.save_item(actor=w.admin_city, item_id=item.pk, data={"spec": "7.5m"})
    item.refresh_from_db()
    assert item.spec == "7.5m"
    assert Event.objects.filter(type=ReserveEvent.ITEM_SAVED).count() == 2


def test_readers_see_their_jurisdiction_only(reserves_world):
    w = reserves_world
    assert set(visible_warehouses(w.duty_officer_a)) == {w.wh_a, w.wh_water_a, w.wh_capacity_a}
    assert set(visible_warehouses(w.editor_b)) == {w.wh_b}
    assert visible_warehouses(w.admin_city).count() == 4
    assert not visible_warehouses(w.screen_a).exists()
    assert not visible_warehouses(w.force_account_a).exists()


def test_summary_counts_low_stock_in_constant_queries(
    reserves_world, django_assert_max_num_queries
):
    w = reserves_world
    put(w.wh_a, w.sandbag, 5)
    put(w.wh_a, w.lifejacket, 50)
    StockLevel.objects.create(warehouse=w.wh_a, item=w.sandbag, minimum=100)
    StockLevel.objects.create(warehouse=w.wh_a, item=w.lifejacket, minimum=10)
    StockLevel.objects.create(
        warehouse=w.wh_capacity_a,
        item=w.sandbag,
        minimum=0,
        agreed_capacity=50000,
        delivery_hours=24,
    )
    warehouses = list(Warehouse.objects.all())
    with django_assert_max_num_queries(3):
        summary = warehouse_summary(warehouses)
    assert summary[w.wh_a.pk]["low"] == 1
    assert summary[w.wh_a.pk]["items"] == 2
    assert summary[w.wh_capacity_a.pk]["low"] == 0
    assert summary[w.wh_capacity_a.pk]["capacity"] == 1
