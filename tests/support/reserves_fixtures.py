"""Reserves on top of ``world``: warehouses of county A (the bureau's, the water bureau's
kept by its editor, an enterprise capacity agreement) and county B, and a small catalogue."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from core.choices import OrganisationKind as K
from core.roles import Role
from support.choices import ItemCategory, ReserveKind
from support.models import ReserveItem, Warehouse
from tests import factories as f


def make_warehouse(owner, jurisdiction, name, kind=ReserveKind.GOVERNMENT, **extra) -> Warehouse:
    return Warehouse.objects.create(
        name=name,
        kind=kind,
        owner=owner,
        jurisdiction=jurisdiction,
        keeper_name=extra.pop("keeper_name", "刘保管"),
        keeper_phone=extra.pop("keeper_phone", "13905351234"),
        **extra,
    )


def put(warehouse, item, quantity, batch="B1", expiry=None):
    from support.reserves.stock import put_stock

    with transaction.atomic():
        return put_stock(
            warehouse=warehouse,
            item=item,
            quantity=quantity,
            batch_number=batch,
            expiry_date=expiry,
        )


@pytest.fixture
def reserves_world(world):
    w = world
    w.sandbag = ReserveItem.objects.create(
        code="FL-001", name="编织袋", spec="50×80cm", unit="条", category=ItemCategory.FLOOD
    )
    w.lifejacket = ReserveItem.objects.create(
        code="FL-002", name="救生衣", spec="成人", unit="件", category=ItemCategory.FLOOD
    )
    w.water_bottle = ReserveItem.objects.create(
        code="RL-001",
        name="瓶装饮用水",
        spec="550ml×24",
        unit="箱",
        category=ItemCategory.RELIEF,
        expiry_warning_days=60,
    )
    w.wh_a = make_warehouse(w.bureau_a, w.county_a, "临清市应急物资储备库")
    w.wh_water_a = make_warehouse(w.water_a, w.county_a, "临清市水利局防汛物资仓库")
    w.factory_a = f.organisation("山东临清编织袋厂", K.ENTERPRISE, w.county_a)
    w.editor_factory_a = f.user("editor_factory_a", w.factory_a, Role.DEPARTMENT_EDITOR)
    w.wh_capacity_a = make_warehouse(
        w.factory_a,
        w.county_a,
        "山东临清编织袋厂产能储备",
        kind=ReserveKind.ENTERPRISE_CAPACITY,
        agreement_number="LQ-2026-01",
        agreement_expires=datetime.date(2027, 12, 31),
    )
    w.wh_b = make_warehouse(w.bureau_b, w.county_b, "阳谷县应急物资储备库")
    return w
