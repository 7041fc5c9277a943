"""The demo's expert database (SPEC §2): experts kept by the bureaus, and the city's
expert groups by hazard."""

from __future__ import annotations

from dataclasses import dataclass

from core.demo import CITY, LIAOCHENG_AREA_CODES, PLACES, DemoContext, mobile
from forces import services as force_services
from forces.choices import DisasterType, ExpertAvailability, Gender
from forces.demo.forces import _id_number, registrar
from forces.models import Expert, ExpertGroup, Specialty


@dataclass(frozen=True)
class ExpertRow:
    place: str
    name: str
    gender: str
    field: str
    title: str
    employer: str
    specialties: tuple[str, ...]


M, W = Gender.MALE, Gender.FEMALE
# fmt: off
EXPERTS = (
    ExpertRow("city", "王立军", M, "危险化学品安全", "正高级工程师",
              "聊城市化工产业安全研究院", ("hazchem",)),
    ExpertRow("city", "刘春梅", W, "水利工程与防汛", "高级工程师",
              "聊城市水利勘测设计院", ("flood", "water")),
    ExpertRow("city", "张海涛", M, "建筑结构安全", "教授", "聊城大学建筑工程学院", ("collapse",)),
    ExpertRow("city", "陈静", W, "急诊医学", "主任医师", "聊城市人民医院", ("medical",)),
    ExpertRow("city", "李国庆", M, "电力系统", "高级工程师", "国网聊城供电公司", ("power",)),
    ExpertRow("city", "赵振华", M, "地质灾害防治", "研究员",
              "聊城市地质环境监测站", ("geological",)),
    ExpertRow("city", "孙雪", W, "环境应急监测", "高级工程师",
              "聊城市生态环境监测中心", ("environment", "hazchem")),
    ExpertRow("linqing", "马建国", M, "消防工程", "高级工程师", "临清市消防救援大队", ("fire",)),
    ExpertRow("linqing", "郭海燕", W, "气象灾害预警", "高级工程师", "临清市气象局", ("flood",)),
    ExpertRow("linqing", "周明", M, "道路桥梁工程", "高级工程师",
              "临清市公路事业发展中心", ("road", "traffic")),
    ExpertRow("yanggu", "吕晓东", M, "化工工艺安全", "高级工程师",
              "阳谷鑫源化工有限公司", ("hazchem", "fire")),
    ExpertRow("yanggu", "韩丽", W, "公共卫生应急", "副主任医师",
              "阳谷县疾病预防控制中心", ("medical",)),
    ExpertRow("yanggu", "徐志强", M, "黄河防汛", "高级工程师",
              "阳谷黄河河务局", ("flood", "water")),
    ExpertRow("dongchangfu", "宋文博", M, "安全工程", "副教授", "聊城大学", ("general", "hazchem")),
    ExpertRow("dongchangfu", "杨帆", M, "通信工程", "高级工程师", "中国移动聊城分公司", ("comms",)),
    ExpertRow("dongchangfu", "胡颖", W, "特种设备安全", "高级工程师",
              "聊城市特种设备检验研究院", ("general", "collapse")),
)

# (name, hazard, specialty codes whose experts join) — managed by the city bureau.
EXPERT_GROUPS = (
    ("聊城市防汛抗旱专家组", DisasterType.FLOOD, ("flood", "water", "geological")),
    ("聊城市危险化学品事故专家组", DisasterType.HAZCHEM_INDUSTRIAL,
     ("hazchem", "environment", "fire")),
    ("聊城市地震和地质灾害专家组", DisasterType.EARTHQUAKE_GEOLOGICAL,
     ("collapse", "geological", "medical")),
)
# fmt: on


def seed_experts(ctx: DemoContext) -> None:
    built = _experts(ctx, {s.code: s for s in Specialty.objects.all()})
    _expert_groups(ctx, built)


def _experts(
    ctx: DemoContext, specialties: dict[str, Specialty]
) -> list[tuple[Expert, tuple[str, ...]]]:
    rng = ctx.rng
    built = []
    places = {p.prefix: p for p in PLACES}
    for row in EXPERTS:
        place = places[row.place]
        bureau = ctx.orgs[(place.prefix, "bureau")]
        area = place.code if not place.is_city else rng.choice(LIAOCHENG_AREA_CODES)
        data = {
            "name": row.name,
            "field": row.field,
            "title": row.title,
            "employer": row.employer,
            "phone": mobile(rng),
            "id_number": _id_number(rng, area, row.gender),
            "availability": (
                ExpertAvailability.BUSY if rng.random() < 0.15 else ExpertAvailability.AVAILABLE
            ),
        }
        expert = Expert.objects.filter(organisation=bureau, name=row.name).first()
        created = expert is None
        if expert is None:
            expert = force_services.create_expert(
                actor=registrar(ctx, place),
                organisation=bureau,
                data=data,
                specialties=[specialties[c] for c in row.specialties],
            )
        ctx.report.count("experts", created)
        built.append((expert, row.specialties))
    return built


def _expert_groups(ctx: DemoContext, experts: list[tuple[Expert, tuple[str, ...]]]) -> None:
    bureau = ctx.orgs[(CITY.prefix, "bureau")]
    actor = registrar(ctx, CITY)
    for name, hazard, codes in EXPERT_GROUPS:
        group = ExpertGroup.objects.filter(organisation=bureau, name=name).first()
        created = group is None
        if group is None:
            force_services.create_expert_group(
                actor=actor,
                organisation=bureau,
                name=name,
                disaster_type=hazard,
                members=[e for e, specialties in experts if set(specialties) & set(codes)],
            )
        ctx.report.count("expert_groups", created)
