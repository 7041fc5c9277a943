"""Stock for allocation tests: warehouses, items and batches made directly with the
models and ``support.reserves.stock.put_stock`` (the reserves part's services are built
in parallel), on top of ``incident_world``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from core.choices import OrganisationKind as K
from core.roles import Role
from support.allocation import services
from support.allocation.services import AllocationLineData
from support.choices import ItemCategory, ReserveKind
from support.models import ReserveItem, StockBatch, StockLevel, Warehouse
from support.reserves.stock import put_stock
from tests import factories as f


def warehouse(name, kind, owner, jurisdiction, keeper_phone="13905351234", **extra):
    return Warehouse.objects.create(
        name=name,
        kind=kind,
        owner=owner,
        jurisdiction=jurisdiction,
        keeper_name="刘库管",
        keeper_phone=keeper_phone,
        **extra,
    )


def stock(store, item, quantity, batch="B-2026-01", expiry=None):
    with transaction.atomic():
        put_stock(
            warehouse=store,
            item=item,
            quantity=quantity,
            batch_number=batch,
            expiry_date=expiry,
            reason="期初入库",
        )
    return StockBatch.objects.get(warehouse=store, item=item, batch_number=batch)


def on_hand(store, item) -> Decimal:
    return sum(
        (b.quantity for b in StockBatch.objects.filter(warehouse=store, item=item)), Decimal(0)
    )


def request_data(incident=None, **extra):
    data = {
        "incident_id": incident.pk if incident is not None else None,
        "purpose": "卫运河临清段漫堤抢险，加固堤防",
        "destination": "临清市松林镇卫运河大堤3号险工段",
        "needed_by": timezone.now() + datetime.timedelta(hours=6),
        "receiver_name": "赵抢险",
        "receiver_phone": "13805351111",
    }
    data.update(extra)
    return data


def line(store, item, quantity):
    return AllocationLineData(item_id=item.pk, warehouse_id=store.pk, quantity=quantity)


@pytest.fixture
def stock_world(incident_world):
    """County A's government reserve (owner the bureau) and a township community station
    (owner the water bureau: editor_a is its keeper), a sandbag factory with an agreed
    capacity, county B's and the city's reserves; sandbags and life jackets in stock."""
    w = incident_world
    w.sandbags = ReserveItem.objects.create(
        code="FX-001", name="编织袋", spec="50×80cm", unit="条", category=ItemCategory.FLOOD
    )
    w.jackets = ReserveItem.objects.create(
        code="JY-001", name="救生衣", spec="成人", unit="件", category=ItemCategory.RESCUE
    )
    w.store_a = warehouse("临清市防汛物资储备库", ReserveKind.GOVERNMENT, w.bureau_a, w.county_a)
    w.station_a = warehouse(
        "松林镇社区储备站", ReserveKind.COMMUNITY, w.water_a, w.town_a, keeper_phone="13905352222"
    )
    w.factory = f.organisation("山东临清编织袋厂", K.ENTERPRISE, w.county_a)
    w.factory_a = warehouse(
        "山东临清编织袋厂产能储备", ReserveKind.ENTERPRISE_CAPACITY, w.factory, w.county_a
    )
    StockLevel.objects.create(
        warehouse=w.factory_a, item=w.sandbags, agreed_capacity=50000, delivery_hours=24
    )
    w.store_b = warehouse("阳谷县防汛物资储备库", ReserveKind.GOVERNMENT, w.bureau_b, w.county_b)
    w.store_city = warehouse("聊城市应急物资储备库", ReserveKind.GOVERNMENT, w.city_bureau, w.city)
    w.batch_a = stock(w.store_a, w.sandbags, 5000)
    w.jackets_a = stock(w.store_a, w.jackets, 300)
    w.batch_station = stock(w.station_a, w.sandbags, 800)
    w.batch_b = stock(w.store_b, w.sandbags, 4000)
    w.batch_city = stock(w.store_city, w.sandbags, 20000)
    w.keeper_factory = f.user("keeper_factory", w.factory, Role.DEPARTMENT_EDITOR)
    return w


def submitted(w, lines=None, actor=None):
    """A request of county A's duty officer for the flood incident, submitted."""
    actor = actor or w.duty_officer_a
    allocation = services.create_allocation(
        actor=actor,
        data=request_data(w.incident_a),
        lines=lines or [line(w.store_a, w.sandbags, 2000), line(w.store_a, w.jackets, 100)],
    )
    return services.submit_allocation(actor=actor, allocation_id=allocation.pk)


def approved(w, **kwargs):
    allocation = submitted(w, **kwargs)
    return services.approve_allocation(actor=w.approver_a, allocation_id=allocation.pk)
