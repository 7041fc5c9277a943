"""The demo's rescue forces of the four categories with their people, equipment and
materials (SPEC §2), each registered by its place's administrator."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.demo import (
    LIAOCHENG_AREA_CODES,
    DemoContext,
    Place,
    address,
    landline,
    mobile,
    person_name,
)
from core.models import Jurisdiction, User
from forces import services as force_services
from forces.choices import (
    CommMeans,
    DutyMode,
    EquipmentCondition,
    ForceCategory,
    ForceStatus,
    FundingMode,
    Gender,
)
from forces.demo.stock import CERTIFICATIONS, DEFAULT_CERTIFICATION, EQUIPMENT, MATERIALS
from forces.models import Force, Specialty
from forces.validators import id_check_character


@dataclass(frozen=True)
class ForceRow:
    """A force template. ``owner`` and ``authority`` are organisation keys of the same
    place; ``authority`` is the industry department notified of every call-out."""

    owner: str
    name: str
    category: str
    specialties: tuple[str, ...]
    authority: str
    headcount: tuple[int, int]
    duty_mode: str
    funding: str
    comm: tuple[str, ...] = (CommMeans.PHONE, CommMeans.RADIO_370)
    tier: int | None = None


_FC = ForceCategory
G, E, S, X = _FC.GOVERNMENT, _FC.ENTERPRISE, _FC.SOCIAL, _FC.EXPERT
FULL, PART, LIAISON = DutyMode.FULL_TIME, DutyMode.PART_TIME, DutyMode.LIAISON
FISCAL, PARTIAL, OWN, PURCHASED, SELF = (
    FundingMode.FISCAL_FULL,
    FundingMode.FISCAL_PARTIAL,
    FundingMode.ENTERPRISE,
    FundingMode.PURCHASED,
    FundingMode.SELF_RAISED,
)
C = CommMeans
PHONE, RADIO, SAT = (C.PHONE,), (C.PHONE, C.RADIO_370), (C.PHONE, C.SATELLITE)
FIELD, ALL = (C.PHONE, C.RADIO_370, C.BEIDOU), (C.PHONE, C.RADIO_370, C.SATELLITE, C.BEIDOU)

# Columns: owner, name, category, specialties, industry authority, headcount range,
# duty mode, funding, communication means, tier override. "{t}" is the township's name.
# fmt: off
COUNTY_FORCES = (
    ForceRow("fire", "{j}消防救援大队城区消防救援站", G, ("fire", "general", "collapse", "water"),
             "bureau", (35, 60), FULL, FISCAL, ALL),
    ForceRow("bureau", "{j}综合应急救援队", G, ("general", "machinery", "evacuation"),
             "bureau", (20, 40), FULL, FISCAL, FIELD),
    ForceRow("water", "{j}防汛抢险队", G, ("flood", "water"),
             "water", (30, 80), PART, FISCAL, RADIO),
    ForceRow("police", "{j}公安局特警应急处突队", G, ("general", "evacuation", "drone"),
             "police", (20, 45), FULL, FISCAL, ALL),
    ForceRow("health", "{j}紧急医学救援队", G, ("medical",),
             "health", (15, 30), FULL, FISCAL, RADIO),
    ForceRow("transport", "{j}公路应急抢通队", G, ("road", "machinery", "traffic"),
             "transport", (15, 35), PART, FISCAL, RADIO),
    ForceRow("housing", "{j}建设工程抢险队", G, ("collapse", "machinery"),
             "housing", (15, 40), PART, PARTIAL, RADIO),
    ForceRow("resources", "{j}地质灾害应急队", G, ("geological", "drone"),
             "resources", (8, 15), LIAISON, FISCAL, PHONE),
    ForceRow("ecology", "{s}环境应急监测队", G, ("environment", "hazchem"),
             "ecology", (8, 15), PART, FISCAL, RADIO),
    ForceRow("urban", "{j}城市管理排涝抢险队", G, ("flood", "machinery"),
             "urban", (20, 40), PART, FISCAL, RADIO),
    ForceRow("town", "{t}应急救援队", G, ("general", "flood", "evacuation"),
             "bureau", (15, 30), PART, PARTIAL, PHONE),
    ForceRow("power", "国网{j}供电公司电力抢修队", E, ("power",),
             "development", (20, 45), FULL, OWN, (C.PHONE, C.RADIO_370, C.SATELLITE)),
    ForceRow("mobile", "中国移动{s}分公司通信保障队", E, ("comms",),
             "industry", (10, 25), FULL, OWN, SAT),
    ForceRow("blue_sky", "{j}蓝天救援队", S, ("water", "search_dog", "drone", "general"),
             "bureau", (25, 60), PART, SELF, FIELD),
    ForceRow("bureau", "{j}应急救援专家服务队", X, ("general", "hazchem", "flood"),
             "bureau", (8, 15), LIAISON, PARTIAL, PHONE),
)

EXTRA_FORCES: dict[str, tuple[ForceRow, ...]] = {
    "linqing": (
        ForceRow("gas", "临清市燃气有限公司燃气抢险队", E, ("hazchem", "fire"),
                 "housing", (10, 20), FULL, OWN, RADIO),
        ForceRow("highway", "临清管理处高速公路清障救援队", E, ("traffic", "road"),
                 "transport", (12, 25), FULL, OWN, RADIO),
        ForceRow("canal", "临清市运河义务救援队", S, ("water", "medical"),
                 "bureau", (20, 40), PART, SELF, PHONE),
    ),
    "yanggu": (
        # A major hazard installation keeps a tier-1 duty room (Zhoushan §三.2).
        ForceRow("chemical", "阳谷鑫源化工有限公司专职消防队", E, ("fire", "hazchem"),
                 "bureau", (15, 30), FULL, OWN, ALL, 1),
        ForceRow("unicom", "中国联通阳谷分公司通信保障队", E, ("comms",),
                 "industry", (8, 20), FULL, OWN, RADIO),
        ForceRow("red_cross", "阳谷县红十字水上救援队", S, ("water", "medical"),
                 "bureau", (20, 40), PART, PURCHASED, RADIO),
    ),
    "dongchangfu": (
        ForceRow("chemical", "聊城瑞丰化工有限公司危化品应急救援队", E, ("hazchem", "environment"),
                 "bureau", (12, 25), FULL, OWN, ALL, 1),
        ForceRow("gas", "聊城东昌燃气有限公司燃气抢险队", E, ("hazchem",),
                 "housing", (10, 20), FULL, OWN, RADIO),
        ForceRow("volunteers", "东昌府区青年志愿者应急服务队", S, ("evacuation", "general"),
                 "bureau", (30, 80), LIAISON, SELF, PHONE),
    ),
}

CITY_FORCES = (
    ForceRow("fire", "聊城市消防救援支队特勤大队", G,
             ("fire", "collapse", "hazchem", "water", "search_dog"),
             "bureau", (60, 90), FULL, FISCAL, ALL),
    ForceRow("fire", "聊城市消防救援支队危化品处置专业队", G, ("hazchem", "environment", "fire"),
             "bureau", (30, 50), FULL, FISCAL, ALL),
    ForceRow("bureau", "聊城市综合应急救援队", G, ("general", "machinery", "drone"),
             "bureau", (30, 60), FULL, FISCAL, ALL),
    ForceRow("water", "聊城市黄河防汛机动抢险队", G, ("flood", "water", "machinery"),
             "water", (40, 90), PART, FISCAL, (C.PHONE, C.RADIO_370, C.SATELLITE)),
    ForceRow("health", "聊城市紧急医学救援队", G, ("medical",),
             "health", (25, 45), FULL, FISCAL, RADIO),
    ForceRow("transport", "聊城市公路应急保障中心抢通队", G, ("road", "machinery"),
             "transport", (20, 40), PART, FISCAL, RADIO),
    ForceRow("power", "国网聊城供电公司应急救援基干分队", E, ("power", "comms"),
             "development", (30, 50), FULL, OWN, ALL),
    ForceRow("mobile", "中国移动聊城分公司应急通信保障队", E, ("comms",),
             "industry", (15, 30), FULL, OWN, (C.PHONE, C.SATELLITE, C.BEIDOU)),
    ForceRow("unicom", "中国联通聊城分公司通信应急保障队", E, ("comms",),
             "industry", (12, 25), FULL, OWN, SAT),
    ForceRow("highway", "山东高速聊城运管中心清障救援大队", E, ("traffic", "road"),
             "transport", (20, 40), FULL, OWN, RADIO),
    ForceRow("blue_sky", "聊城市蓝天救援队", S, ("water", "mountain", "search_dog", "drone"),
             "bureau", (40, 90), PART, SELF, FIELD),
    ForceRow("bureau", "聊城市应急管理专家服务团", X, ("general", "hazchem", "flood", "geological"),
             "bureau", (15, 30), LIAISON, PARTIAL, PHONE),
)
# fmt: on


def _forces_for(place: Place) -> tuple[ForceRow, ...]:
    if place.is_city:
        return CITY_FORCES
    return COUNTY_FORCES + EXTRA_FORCES.get(place.prefix, ())


POSITIONS = ("队员", "队员", "队员", "驾驶员", "安全员", "技术员", "通信员")
FIRST_BIRTHDAY, LAST_BIRTHDAY = date(1970, 1, 1), date(2000, 12, 31)
# Fixed dates, not "today", so that every run builds the same demo.
EXAMS_FROM, INSURED_UNTIL, STOCKED_FROM = date(2026, 1, 5), date(2026, 12, 1), date(2025, 10, 1)


def _id_number(rng: random.Random, area_code: str, gender: str) -> str:
    """A resident ID number (GB 11643): area, birth date, sequence whose last digit is
    odd for men and even for women, then the ISO 7064 check character."""
    span = (LAST_BIRTHDAY - FIRST_BIRTHDAY).days
    born = FIRST_BIRTHDAY + timedelta(days=rng.randrange(span + 1))
    sex_digit = rng.choice((1, 3, 5, 7, 9) if gender == Gender.MALE else (0, 2, 4, 6, 8))
    body = f"{area_code}{born:%Y%m%d}{rng.randrange(100):02d}{sex_digit}"
    return body + id_check_character(body)


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def registrar(ctx: DemoContext, place: Place) -> User:
    """The place's administrator registers its forces and experts, as the bureau does
    when it enters the census (Liaocheng §三.二.1)."""
    return ctx.users[f"{place.prefix}_admin"]


class ForceDemo:
    """Builds the forces of the demo from ``ctx``."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.report = ctx.report
        self.specialties = {s.code: s for s in Specialty.objects.all()}

    def forces(self, place: Place) -> None:
        jurisdiction = self.ctx.jurisdiction(place.code)
        actor = registrar(self.ctx, place)
        for row in _forces_for(place):
            owner = self.ctx.orgs[(place.prefix, row.owner)]
            where = owner.jurisdiction
            name = row.name.format(j=jurisdiction.name, s=place.short, t=where.name)
            plan = self._force_plan(place, row, where, jurisdiction)
            force = Force.objects.filter(organisation=owner, name=name).first()
            created = force is None
            if force is None:
                force = force_services.create_force(
                    actor=actor,
                    organisation=owner,
                    data={
                        "name": name,
                        "industry_authority": self.ctx.orgs[(place.prefix, row.authority)],
                        **plan["data"],
                    },
                    specialties=[self.specialties[c] for c in row.specialties],
                    reason="demo data",
                )
                for kind in ("personnel", "equipment", "material"):
                    for item in plan[kind]:
                        force_services.add_force_item(
                            actor=actor, force_id=force.pk, kind=kind, data=item
                        )
            self.report.count("forces", created)

    def _force_plan(
        self, place: Place, row: ForceRow, where: Jurisdiction, seat: Jurisdiction
    ) -> dict[str, Any]:
        rng = self.rng
        people = [self._person(place, row, i) for i in range(rng.randint(3, 8))]
        leader = people[0]
        spread = 0.06 if where.pk == seat.pk else 0.15
        lat = float(where.latitude or seat.latitude or 0) + rng.uniform(-spread, spread)
        lng = float(where.longitude or seat.longitude or 0) + rng.uniform(-spread, spread)
        status = rng.choices(
            # "deployed" is left to the dispatch chain: a force only goes out on an order.
            (ForceStatus.STANDBY, ForceStatus.RESTING, ForceStatus.UNAVAILABLE),
            weights=(88, 9, 3),
        )[0]
        data = {
            "category": row.category,
            "jurisdiction": where,
            "address": address(rng, place, where),
            "latitude": _coordinate(lat),
            "longitude": _coordinate(lng),
            "headcount": rng.randint(*row.headcount),
            "duty_mode": row.duty_mode,
            "duty_phone": landline(rng),
            "leader_name": leader["name"],
            "leader_phone": leader["phone"],
            "comm_means": [str(c) for c in row.comm],
            "funding_mode": row.funding,
            "status": status,
            "linkage_tier_override": row.tier,
        }
        return {
            "data": data,
            "personnel": people,
            "equipment": self._equipment(row),
            "material": self._materials(row),
        }

    def _person(self, place: Place, row: ForceRow, index: int) -> dict[str, Any]:
        rng = self.rng
        gender = Gender.MALE if rng.random() < 0.8 else Gender.FEMALE
        area = place.code if not place.is_city else rng.choice(LIAOCHENG_AREA_CODES)
        specialty_code = rng.choice(row.specialties)
        position = {0: "队长", 1: "副队长"}.get(index, rng.choice(POSITIONS))
        if row.category == ForceCategory.EXPERT:
            position = "专家" if index else "专家组组长"
        return {
            "name": person_name(rng, male=gender == Gender.MALE),
            "gender": gender,
            "id_number": _id_number(rng, area, gender),
            "phone": mobile(rng),
            "position": position,
            "specialty": self.specialties[specialty_code],
            "certifications": CERTIFICATIONS.get(specialty_code, DEFAULT_CERTIFICATION),
            # This year's exams; policies renewed through 2027, a few due soon (SPEC §2).
            "medical_exam_date": EXAMS_FROM + timedelta(days=rng.randrange(240)),
            "insurance_expiry": INSURED_UNTIL + timedelta(days=rng.randrange(400)),
        }

    def _pool(self, table: dict[str, tuple[Any, ...]], row: ForceRow) -> list[Any]:
        seen: dict[str, Any] = {}
        for code in (*row.specialties, "general"):
            for entry in table.get(code, ()):
                seen.setdefault(entry[0], entry)
        return list(seen.values())

    def _equipment(self, row: ForceRow) -> list[dict[str, Any]]:
        rng = self.rng
        pool = self._pool(EQUIPMENT, row)
        chosen = rng.sample(pool, min(len(pool), rng.randint(2, 5)))
        return [
            {
                "name": name,
                "model": model,
                "unit": unit,
                "quantity": rng.randint(low, high),
                "condition": (
                    EquipmentCondition.MAINTENANCE
                    if rng.random() < 0.08
                    else EquipmentCondition.READY
                ),
            }
            for name, model, unit, low, high in chosen
        ]

    def _materials(self, row: ForceRow) -> list[dict[str, Any]]:
        rng = self.rng
        pool = self._pool(MATERIALS, row)
        chosen = rng.sample(pool, min(len(pool), rng.randint(1, 4)))
        items = []
        for name, spec, unit, low, high, shelf_life in chosen:
            # Stocks bought over one year, so some perishables are near or past expiry.
            bought = STOCKED_FROM + timedelta(days=rng.randrange(365))
            items.append(
                {
                    "name": name,
                    "spec": spec,
                    "unit": unit,
                    "quantity": Decimal(rng.randint(low, high)),
                    "expiry_date": bought + timedelta(days=shelf_life) if shelf_life else None,
                }
            )
        return items
