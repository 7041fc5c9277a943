"""The demo city's material reserves, the "1+4" system (Linqing §二.(一), §四.(三)): in the
city and each county a government central reserve (政府集中储备库) run by the bureau, an
enterprise production-capacity agreement (a woven-bag factory: sandbags 50,000 条 within 24
h), a commercial agreement with a supermarket (water and instant food), a community reserve
station in a township and a household-reserve demonstration point. The catalogue, levels and
batches go through ``support.reserves.services`` as the bureau's administrator; a couple of
items are below their minimum and one batch of water is near expiry, so the alerts page and
the tick have something to say. A second run finds everything and creates nothing."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from core import services as core_services
from core.choices import OrganisationKind as K
from core.demo import DEMO_SEED, DemoContext, Place, landline, mobile, person_name
from core.models import User
from core.roles import Role
from support.choices import ItemCategory, ReserveKind
from support.models import ReserveItem, StockBatch, Warehouse
from support.reserves import services

# code, name, spec, unit, category, expiry warning days
CATALOGUE = (
    ("FX-001", "编织袋", "50×80cm", "条", ItemCategory.FLOOD, 0),
    ("FX-002", "救生衣", "成人款 GB/T 32227", "件", ItemCategory.FLOOD, 0),
    ("FX-003", "冲锋舟", "7.2m 玻璃钢 配40马力挂机", "艘", ItemCategory.RESCUE, 0),
    ("FX-004", "抽水泵", "潜水泵 150QW", "台", ItemCategory.FLOOD, 0),
    ("FX-005", "救生圈", "2.5kg", "个", ItemCategory.FLOOD, 0),
    ("FX-006", "土工布", "300g/m²", "平方米", ItemCategory.FLOOD, 0),
    ("SH-001", "帐篷", "12m² 救灾单帐篷", "顶", ItemCategory.RELIEF, 0),
    ("SH-002", "棉被", "2kg 200×150cm", "床", ItemCategory.RELIEF, 0),
    ("SH-003", "折叠床", "190×70cm", "张", ItemCategory.RELIEF, 0),
    ("SH-004", "瓶装饮用水", "550ml×24瓶", "箱", ItemCategory.RELIEF, 60),
    ("SH-005", "方便面", "24袋/箱", "箱", ItemCategory.RELIEF, 45),
    ("TX-001", "应急照明灯", "移动式 LED 升降", "台", ItemCategory.COMMUNICATION, 0),
    ("TX-002", "发电机", "柴油 30kW", "台", ItemCategory.COMMUNICATION, 0),
)

# Government central reserve: (code, quantity, minimum); the county's quantities scale.
GOVERNMENT_STOCK = (
    ("FX-001", 20000, 15000),
    ("FX-002", 600, 800),  # below minimum: the life jackets went to the flood
    ("FX-003", 6, 4),
    ("FX-004", 12, 10),
    ("FX-005", 300, 200),
    ("FX-006", 5000, 3000),
    ("SH-001", 400, 300),
    ("SH-002", 1500, 1000),
    ("SH-003", 800, 500),
    ("TX-001", 20, 10),
    ("TX-002", 8, 6),
)
COMMUNITY_STOCK = (("FX-001", 2000, 1000), ("FX-002", 50, 80), ("SH-002", 100, 50))
HOUSEHOLD_STOCK = (("SH-004", 10, 5), ("SH-005", 10, 5), ("TX-001", 2, 1))


def _admin(bureau) -> User:
    return (
        User.objects.filter(organisation=bureau, groups__name=Role.ADMINISTRATOR, is_active=True)
        .order_by("pk")
        .first()
    )


def _catalogue(actor) -> dict[str, ReserveItem]:
    items = {}
    for code, name, spec, unit, category, warning in CATALOGUE:
        item = ReserveItem.objects.filter(code=code).first()
        if item is None:
            item = services.save_item(
                actor=actor,
                data={
                    "code": code,
                    "name": name,
                    "spec": spec,
                    "unit": unit,
                    "category": category,
                    "expiry_warning_days": warning or 30,
                },
            )
        items[code] = item
    return items


def _organisation(ctx: DemoContext, place: Place, key: str, name: str, kind, where, rng):
    phone = landline(rng)
    org = where.organisations.filter(name=name).first()
    created = org is None
    if org is None:
        org = core_services.create_organisation(
            actor=None, name=name, kind=kind, jurisdiction=where, linkage_tier=3, duty_phone=phone
        )
    ctx.report.count("organisations", created)
    ctx.orgs[(place.prefix, key)] = org
    return org


def _warehouse(ctx, actor, rng, **data) -> Warehouse:
    keeper, phone = person_name(rng, male=rng.choice((True, False))), mobile(rng)
    found = Warehouse.objects.filter(jurisdiction=data["jurisdiction"], name=data["name"]).first()
    ctx.report.count("warehouses", found is None)
    if found is not None:
        return found
    return services.create_warehouse(
        actor=actor, data={**data, "keeper_name": keeper, "keeper_phone": phone}
    )


def _stock(actor, warehouse, items, rows, *, scale: Decimal, year: int, expiry=None):
    for code, quantity, minimum in rows:
        item = items[code]
        services.set_stock_level(
            actor=actor,
            warehouse_id=warehouse.pk,
            item_id=item.pk,
            minimum=(Decimal(minimum) * scale).quantize(Decimal(1)),
        )
        batch_number = f"{year}-{code}"
        if StockBatch.objects.filter(
            warehouse=warehouse, item=item, batch_number=batch_number
        ).exists():
            continue
        services.receive_stock(
            actor=actor,
            warehouse_id=warehouse.pk,
            item_id=item.pk,
            quantity=(Decimal(quantity) * scale).quantize(Decimal(1)),
            batch_number=batch_number,
            expiry_date=(expiry or {}).get(code),
            reason="年度储备入库",
        )


def _place(ctx: DemoContext, place: Place, actor, items, rng) -> None:
    jurisdiction = ctx.jurisdiction(place.code)
    bureau = ctx.orgs[(place.prefix, "bureau")]
    township = ctx.jurisdiction(place.township) if place.township else jurisdiction
    name = jurisdiction.name
    scale = Decimal(2) if place.is_city else Decimal(1)
    today = timezone.localdate()
    factory = _organisation(
        ctx,
        place,
        "bag_factory",
        f"山东{place.short}塑料编织袋有限公司",
        K.ENTERPRISE,
        jurisdiction,
        rng,
    )
    market = _organisation(
        ctx, place, "supermarket", f"{place.short}银座商城超市", K.ENTERPRISE, jurisdiction, rng
    )
    government = _warehouse(
        ctx,
        actor,
        rng,
        name=f"{name}应急物资储备库",
        kind=ReserveKind.GOVERNMENT,
        owner=bureau,
        jurisdiction=jurisdiction,
        address=f"{name}{place.streets[0]}{rng.randint(100, 399)}号",
    )
    _stock(
        actor,
        government,
        items,
        GOVERNMENT_STOCK,
        scale=scale,
        year=2025,
    )
    # Water near expiry: the tick tells the keeper to use it first.
    _stock(
        actor,
        government,
        items,
        (("SH-004", 300, 100), ("SH-005", 200, 100)),
        scale=scale,
        year=2024,
        expiry={
            "SH-004": today + datetime.timedelta(days=20),
            "SH-005": today + datetime.timedelta(days=200),
        },
    )
    capacity = _warehouse(
        ctx,
        actor,
        rng,
        name=f"{factory.name}（企业产能储备）",
        kind=ReserveKind.ENTERPRISE_CAPACITY,
        owner=factory,
        jurisdiction=jurisdiction,
        agreement_number=f"{place.short}应急储〔2025〕{rng.randint(1, 20)}号",
        agreement_expires=datetime.date(today.year + 2, 12, 31),
    )
    for code, amount, hours in (("FX-001", 50000, 24), ("FX-006", 20000, 48)):
        services.set_stock_level(
            actor=actor,
            warehouse_id=capacity.pk,
            item_id=items[code].pk,
            minimum=0,
            agreed_capacity=amount,
            delivery_hours=hours,
        )
    commercial = _warehouse(
        ctx,
        actor,
        rng,
        name=f"{market.name}（商业协议储存）",
        kind=ReserveKind.COMMERCIAL_AGREEMENT,
        owner=market,
        jurisdiction=jurisdiction,
        agreement_number=f"{place.short}应急储〔2025〕{rng.randint(21, 40)}号",
        agreement_expires=datetime.date(today.year + 1, 6, 30),
    )
    for code, amount, hours in (("SH-004", 5000, 6), ("SH-005", 3000, 6), ("SH-002", 500, 12)):
        services.set_stock_level(
            actor=actor,
            warehouse_id=commercial.pk,
            item_id=items[code].pk,
            minimum=0,
            agreed_capacity=amount,
            delivery_hours=hours,
        )
    community = _warehouse(
        ctx,
        actor,
        rng,
        name=f"{township.name}社区应急物资储备站",
        kind=ReserveKind.COMMUNITY,
        owner=bureau,
        jurisdiction=township,
    )
    _stock(actor, community, items, COMMUNITY_STOCK, scale=Decimal(1), year=2025)
    household = _warehouse(
        ctx,
        actor,
        rng,
        name=f"{township.name}家庭应急储备示范点",
        kind=ReserveKind.HOUSEHOLD,
        owner=bureau,
        jurisdiction=township,
        notes="家庭应急物资储备建议清单宣传示范户",
    )
    _stock(
        actor,
        household,
        items,
        HOUSEHOLD_STOCK,
        scale=Decimal(1),
        year=2025,
        expiry={"SH-004": datetime.date(today.year + 1, 3, 31)},
    )


def seed(ctx: DemoContext) -> None:
    # Own generator: the apps after support draw from ctx.rng what they drew before.
    rng = random.Random(f"{DEMO_SEED}-reserves")
    city_admin = _admin(ctx.orgs[(ctx.places[0].prefix, "bureau")])
    items = _catalogue(city_admin)
    for place in ctx.places:
        actor = _admin(ctx.orgs[(place.prefix, "bureau")]) or city_admin
        _place(ctx, place, actor, items, rng)
