"""The demo city's shelters (Linqing §四.(四): parks, squares, schools, stadiums and
civil-defence works) and each place's per-capita indicator, through the services.

Areas are effective shelter areas of believable sites; capacity ≈ 1 person per 1.8 m².
Populations are the urban resident populations (城区常住人口, round figures) the
indicator is held to, so that 阳谷 meets its 2 m² and 临清 and 东昌府 fall short of
2.5 m² (the plan's indicator table), as plans that set the target "by 2025" expect.
Re-running changes nothing: shelters carry a ``demo:`` external id."""

from __future__ import annotations

from decimal import Decimal

from core.demo import DemoContext
from core.models import Jurisdiction
from support.choices import ShelterKind as K
from support.choices import ShelterLevel as L
from support.models import Shelter
from support.shelters import services

ALL = ["water", "power", "toilets", "medical", "broadcast", "lighting", "communication"]
BASIC = ["water", "toilets", "lighting", "signage"]
STORE = ["water", "power", "toilets", "medical", "supplies", "lighting", "fire", "signage"]

# place code → (centre, [(name, kind, grade, area m², facilities, township?)])
SHELTERS: dict[str, tuple[tuple[float, float], list[tuple]]] = {
    "371500": (
        (36.456, 115.985),
        [
            ("聊城市体育中心", K.STADIUM, L.LONG_TERM, 150000, STORE, False),
            ("聊城市人民广场", K.SQUARE, L.SHORT_TERM, 60000, ALL, False),
            ("徒骇河公园", K.PARK, L.LONG_TERM, 400000, ALL, False),
            ("聊城市人防指挥所地下工程", K.CIVIL_DEFENCE, L.SHORT_TERM, 15000, STORE, False),
        ],
    ),
    "371581": (
        (36.838, 115.706),
        [
            ("京杭运河湿地公园", K.PARK, L.LONG_TERM, 320000, ALL, False),
            ("运河文化公园", K.PARK, L.LONG_TERM, 180000, ALL, False),
            ("大众公园", K.PARK, L.SHORT_TERM, 95000, BASIC, False),
            ("临清市体育中心", K.STADIUM, L.SHORT_TERM, 60000, STORE, False),
            ("临清市人民广场", K.SQUARE, L.IMMEDIATE, 45000, BASIC, False),
            ("临清市第一中学操场", K.SCHOOL, L.IMMEDIATE, 22000, BASIC, False),
            ("临清实验高中操场", K.SCHOOL, L.IMMEDIATE, 12000, BASIC, False),
            ("先锋路地下人防工程", K.CIVIL_DEFENCE, L.SHORT_TERM, 8000, STORE, False),
            ("魏湾镇文化广场", K.SQUARE, L.IMMEDIATE, 15000, BASIC, True),
            ("魏湾镇中学操场", K.SCHOOL, L.IMMEDIATE, 9000, BASIC, True),
        ],
    ),
    "371521": (
        (36.114, 115.791),
        [
            ("金水河公园", K.PARK, L.LONG_TERM, 160000, ALL, False),
            ("侨润公园", K.PARK, L.SHORT_TERM, 120000, ALL, False),
            ("博济桥公园", K.PARK, L.SHORT_TERM, 90000, BASIC, False),
            ("阳谷县体育场", K.STADIUM, L.SHORT_TERM, 55000, STORE, False),
            ("狮子楼广场", K.SQUARE, L.IMMEDIATE, 35000, BASIC, False),
            ("阳谷县第一中学操场", K.SCHOOL, L.IMMEDIATE, 25000, BASIC, False),
            ("谷山路地下人防工程", K.CIVIL_DEFENCE, L.SHORT_TERM, 6000, STORE, False),
            ("张秋镇文化广场", K.SQUARE, L.IMMEDIATE, 18000, BASIC, True),
            ("张秋镇中学操场", K.SCHOOL, L.IMMEDIATE, 10000, BASIC, True),
        ],
    ),
    "371502": (
        (36.434, 115.988),
        [
            ("东昌湖环湖公园", K.PARK, L.LONG_TERM, 700000, ALL, False),
            ("湖南路公园", K.PARK, L.SHORT_TERM, 120000, BASIC, False),
            ("聊城大学东校区运动场", K.SCHOOL, L.SHORT_TERM, 80000, ALL, False),
            ("东昌府区体育场", K.STADIUM, L.SHORT_TERM, 50000, STORE, False),
            ("光岳楼广场", K.SQUARE, L.IMMEDIATE, 40000, BASIC, False),
            ("柳园北路地下人防工程", K.CIVIL_DEFENCE, L.SHORT_TERM, 10000, STORE, False),
            ("堂邑镇文化广场", K.SQUARE, L.IMMEDIATE, 12000, BASIC, True),
        ],
    ),
}

# place code → (urban resident population, target m² per resident, source)
INDICATORS = {
    "371500": (1500000, "2.0", "中心城区及所辖县城常住人口（演示取整）；规划正文 2 平方米"),
    "371581": (320000, "2.5", "临清市城区常住人口（演示取整）；总体预案主要指标 7"),
    "371521": (250000, "2.0", "阳谷县城区常住人口（演示取整）；规划正文 2 平方米"),
    "371502": (600000, "2.5", "东昌府区城区常住人口（演示取整）；主要指标 2.5 平方米"),
}
KEEPERS = ("王建军", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "孙丽", "周强", "吴敏")
# Offsets (degrees) of the sites around the place's centre: inside the urban area.
OFFSETS = (
    (0.012, -0.008),
    (-0.010, 0.011),
    (0.004, 0.016),
    (-0.015, -0.006),
    (0.009, 0.003),
    (-0.003, -0.013),
    (0.017, 0.009),
    (-0.007, 0.004),
)


def seed(ctx: DemoContext) -> None:
    for place in ctx.places:
        code = place.code
        if code not in SHELTERS:
            continue
        actor = ctx.users.get(f"{place.prefix}_admin")
        if actor is None:
            continue
        jurisdiction = ctx.jurisdiction(code)
        township = (
            Jurisdiction.objects.filter(code=place.township).first() if place.township else None
        )
        (lat, lng), sites = SHELTERS[code]
        street = place.streets
        for n, (name, kind, grade, area, facilities, in_township) in enumerate(sites):
            external_id = f"demo:shelter-{code}-{n + 1}"
            if Shelter.objects.filter(external_id=external_id).exists():
                ctx.report.count("shelters", False)
                continue
            where = township if in_township and township else jurisdiction
            d_lat, d_lng = OFFSETS[n % len(OFFSETS)]
            if in_township:
                # Township sites sit some 15 km out of town.
                d_lat, d_lng = d_lat + 0.11, d_lng - 0.09
            services.create_shelter(
                actor=actor,
                data={
                    "name": name,
                    "kind": kind,
                    "level": grade,
                    "jurisdiction": where,
                    "address": f"{where.name}{street[n % len(street)]}{10 + n * 7}号",
                    "latitude": Decimal(f"{lat + d_lat:.6f}"),
                    "longitude": Decimal(f"{lng + d_lng:.6f}"),
                    "area_m2": Decimal(area),
                    "capacity": round(area / 1.8 / 100) * 100,
                    "facilities": facilities,
                    "keeper_name": KEEPERS[n % len(KEEPERS)],
                    "keeper_phone": f"1356{code[-3:]}{n + 1:04d}",
                    "external_id": external_id,
                },
            )
            ctx.report.count("shelters", True)
        population, target, source = INDICATORS[code]
        services.set_indicator(
            actor=actor,
            jurisdiction_id=jurisdiction.pk,
            resident_population=population,
            area_per_resident=target,
            population_year=2024,
            source=source,
        )
