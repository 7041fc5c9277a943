"""Low-stock and near-expiry alerts (issue 14): raised once per item and period by the
support tick, whatever the number of ticks, reaching the keeper by SMS and the owner's
accounts and the bureau's duty officers in-app; resolved when the condition ends."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import Event
from notify.models import Delivery, Notification
from support.choices import AlertKind
from support.events import ReserveEvent
from support.models import StockLevel, SupportAlert
from support.reserves import services
from support.reserves.alerts import check_stock_alerts
from support.tasks import support_tick
from tests.support.reserves_fixtures import *  # noqa: F403 (the fixtures)
from tests.support.reserves_fixtures import put

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, 6, day, hour, tzinfo=TZ)


def test_low_stock_is_raised_once_per_episode_and_resolved_when_restocked(reserves_world):
    w = reserves_world
    put(w.wh_water_a, w.sandbag, 80)
    StockLevel.objects.create(warehouse=w.wh_water_a, item=w.sandbag, minimum=100)
    with time_machine.travel(at(1), tick=False):
        assert check_stock_alerts() == 1
        assert check_stock_alerts() == 0
    with time_machine.travel(at(2), tick=False):
        assert support_tick()["stock"] == 0  # still the same episode, a day later
    alert = SupportAlert.objects.get(kind=AlertKind.LOW_STOCK)
    assert alert.period == "2026-06-01"
    assert Event.objects.filter(type=ReserveEvent.LOW_STOCK).count() == 1
    with time_machine.travel(at(3), tick=False):
        services.receive_stock(
            actor=w.editor_a,
            warehouse_id=w.wh_water_a.pk,
            item_id=w.sandbag.pk,
            quantity=50,
            batch_number="B2",
        )
        assert check_stock_alerts() == 0
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    with time_machine.travel(at(5), tick=False):
        services.issue_stock(
            actor=w.editor_a,
            warehouse_id=w.wh_water_a.pk,
            item_id=w.sandbag.pk,
            quantity=60,
            reason="抢险",
        )
        assert check_stock_alerts() == 1  # a new episode, a new period
    assert list(
        SupportAlert.objects.filter(kind=AlertKind.LOW_STOCK).values_list("period", flat=True)
    ) == ["2026-06-05", "2026-06-01"]


def test_low_stock_reaches_keeper_by_sms_owner_and_duty_officers_in_app(reserves_world):
    w = reserves_world
    StockLevel.objects.create(warehouse=w.wh_water_a, item=w.lifejacket, minimum=10)
    with time_machine.travel(at(1), tick=False):
        check_stock_alerts()
    notification = Notification.objects.get(purpose="support_alert")
    deliveries = {(d.audience, d.channel, d.user_id) for d in Delivery.objects.all()}
    assert ("keeper", "sms", None) in deliveries
    assert ("org_users", "in_app", w.editor_a.pk) in deliveries
    assert ("duty_officers", "in_app", w.duty_officer_a.pk) in deliveries
    assert not any(user == w.duty_officer_b.pk for _a, _c, user in deliveries)
    assert "救生衣" in notification.title


def test_capacity_reserves_and_zero_minimums_raise_nothing(reserves_world):
    w = reserves_world
    StockLevel.objects.create(
        warehouse=w.wh_capacity_a,
        item=w.sandbag,
        minimum=100,
        agreed_capacity=50000,
        delivery_hours=24,
    )
    StockLevel.objects.create(warehouse=w.wh_a, item=w.sandbag, minimum=0)
    with time_machine.travel(at(1), tick=False):
        assert check_stock_alerts() == 0


def test_near_expiry_is_raised_once_per_batch_and_expiry(reserves_world):
    w = reserves_world
    # Water warns 60 days ahead: 2026-07-20 is inside the window from 2026-06-01.
    batch = put(w.wh_a, w.water_bottle, 30, batch="W1", expiry=datetime.date(2026, 7, 20)).batch
    put(w.wh_a, w.water_bottle, 30, batch="W2", expiry=datetime.date(2026, 12, 31))
    with time_machine.travel(at(1), tick=False):
        assert check_stock_alerts() == 1
        assert check_stock_alerts() == 0
    with time_machine.travel(at(25), tick=False):
        assert check_stock_alerts() == 0
    alert = SupportAlert.objects.get(kind=AlertKind.NEAR_EXPIRY)
    assert (alert.object_id, alert.period) == (batch.pk, "2026-07-20")
    assert Event.objects.filter(type=ReserveEvent.NEAR_EXPIRY).count() == 1
    # Used up: the alert is resolved.
    with time_machine.travel(at(26), tick=False):
        services.issue_stock(
            actor=w.duty_officer_a,
            warehouse_id=w.wh_a.pk,
            item_id=w.water_bottle.pk,
            quantity=30,
            reason="安置点供水",
        )
        check_stock_alerts()
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_a_batch_outside_its_warning_window_raises_nothing(reserves_world):
    w = reserves_world
    put(w.wh_a, w.sandbag, 30, batch="S1", expiry=datetime.date(2026, 7, 20))  # warns 30 days
    with time_machine.travel(at(1), tick=False):
        assert check_stock_alerts() == 0
    with time_machine.travel(datetime.datetime(2026, 6, 21, 9, tzinfo=TZ), tick=False):
        assert check_stock_alerts() == 1
