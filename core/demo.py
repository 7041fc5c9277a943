"""The demo city (聊城市) for ``manage.py seed_demo``: organisations, accounts for every
role, rescue forces of the four categories with their people, equipment and materials,
the expert database (SPEC §1, §2), and the dispatch chain at work (SPEC §3, §4): the
city's flood season and dispatch policy, open incidents in 临清市 and 阳谷县, a plan
awaiting approval and an approved plan whose orders are under way.

Everything goes through the services (``core.services``, ``forces.services``,
``command.services``, ``dispatch.services``), so the demo carries history rows and
``core.Event`` rows exactly as data entered by users would. All values are drawn from
one ``random.Random(DEMO_SEED)`` in a fixed order, and the draws happen whether or not a
row already exists, so every run describes the same demo and a second run finds
everything in place and creates nothing. The dispatch chain draws nothing: its incidents
are found again by title, and their times are relative to the first run.

Department lists follow the seeds: Liaocheng §二.(一) and Rongcheng attachment 2
(应急、消防、公安、工信、自然资源和规划、住建、城管、交通运输、生态环境、水利、卫健、
发改、气象 …; 供电公司、燃气、移动、联通、高速公路; 蓝天救援队等社会力量).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from command import services as command_services
from command.models import Incident, IncidentType
from core import services as core_services
from core.choices import OrganisationKind as K
from core.models import Jurisdiction, Organisation, User
from core.roles import Role
from dispatch import services as dispatch_services
from dispatch.choices import SpecialPeriodKind
from dispatch.models import CallOutPlan, DispatchPolicy, SpecialPeriod
from forces import services as force_services
from forces.choices import (
    CommMeans,
    DisasterType,
    DutyMode,
    EquipmentCondition,
    ExpertAvailability,
    ForceCategory,
    ForceStatus,
    FundingMode,
    Gender,
)
from forces.models import Expert, ExpertGroup, Force, Formation, Specialty
from forces.validators import id_check_character

DEMO_SEED = 2026
DEFAULT_PASSWORD = "Linkage-demo-2026"
REFERENCE_FIXTURES = ("divisions", "specialties", "formations", "incident_types")

ROLE_LABELS_ZH: dict[str, str] = {
    Role.DUTY_OFFICER: "值班员",
    Role.FIRE_DISPATCHER: "消防调度员",
    Role.BUREAU_APPROVER: "应急局审批人",
    Role.DEPARTMENT_EDITOR: "部门填报员",
    Role.FORCE_ACCOUNT: "队伍账号",
    Role.EXPERT: "专家",
    Role.SCREEN: "指挥大厅大屏",
    Role.SYNC_CLIENT: "省级平台同步",
    Role.ADMINISTRATOR: "管理员",
}


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Place:
    """One level of the demo: the city or one county. ``prefix`` starts usernames."""

    code: str
    prefix: str
    short: str
    streets: tuple[str, ...]
    township: str | None = None  # code of the township that runs a grassroots team
    is_city: bool = False


CITY = Place(
    "371500",
    "city",
    "聊城",
    ("东昌东路", "柳园南路", "兴华西路", "花园北路", "昌润路", "湖南路"),
    is_city=True,
)
COUNTIES = (
    Place(
        "371581",
        "linqing",
        "临清",
        ("青年路", "新华路", "先锋路", "温泉路", "永青路", "元和大街"),
        township="371581104",  # 魏湾镇, on the Grand Canal
    ),
    Place(
        "371521",
        "yanggu",
        "阳谷",
        ("狮子楼路", "博济桥路", "谷山路", "清河路", "侨润路", "金水河路"),
        township="371521112",  # 张秋镇, by the Yellow River
    ),
    Place(
        "371502",
        "dongchangfu",
        "东昌府",
        ("古楼东路", "光岳路", "建设路", "卫育路", "柳园北路", "松桂大街"),
        township="371502102",  # 堂邑镇
    ),
)
PLACES = (CITY, *COUNTIES)
# Places of birth for the ID numbers of people serving at city level (GB/T 2260, 3715xx).
LIAOCHENG_AREA_CODES = ("371502", "371503", "371521", "371522", "371524", "371525", "371526")


# --------------------------------------------------------------------- organisations


@dataclass(frozen=True)
class OrgRow:
    """An organisation template: ``{j}`` is the jurisdiction's name, ``{s}`` its short
    name; ``city_name`` replaces ``name`` at city level when the two differ."""

    key: str
    name: str
    kind: str
    tier: int
    sector: str = ""
    city_name: str | None = None
    at_township: bool = False


# Bureau, fire brigade and the key departments (police, water, health: 24-hour duty rooms)
# are tier 1; the other departments and enterprises tier 2; social teams tier 3
# (Zhoushan §三.2).
# fmt: off
DEPARTMENTS = (
    OrgRow("bureau", "{j}应急管理局", K.EMERGENCY_BUREAU, 1),
    OrgRow("fire", "{j}消防救援大队", K.FIRE_RESCUE, 1, city_name="{j}消防救援支队"),
    OrgRow("police", "{j}公安局", K.INDUSTRY_DEPARTMENT, 1, "公安"),
    OrgRow("water", "{j}水利局", K.INDUSTRY_DEPARTMENT, 1, "水利"),
    OrgRow("health", "{j}卫生健康委员会", K.INDUSTRY_DEPARTMENT, 1, "卫健"),
    OrgRow("transport", "{j}交通运输局", K.INDUSTRY_DEPARTMENT, 2, "交通运输"),
    OrgRow("housing", "{j}住房和城乡建设局", K.INDUSTRY_DEPARTMENT, 2, "住建"),
    OrgRow("resources", "{j}自然资源和规划局", K.INDUSTRY_DEPARTMENT, 2, "自然资源和规划"),
    OrgRow("industry", "{j}工业和信息化局", K.INDUSTRY_DEPARTMENT, 2, "工信"),
    OrgRow("ecology", "聊城市生态环境局{s}分局", K.INDUSTRY_DEPARTMENT, 2, "生态环境",
           city_name="聊城市生态环境局"),
    OrgRow("urban", "{j}城市管理局", K.INDUSTRY_DEPARTMENT, 2, "城管"),
    OrgRow("development", "{j}发展和改革局", K.INDUSTRY_DEPARTMENT, 2, "发改",
           city_name="{j}发展和改革委员会"),
    OrgRow("weather", "{j}气象局", K.INDUSTRY_DEPARTMENT, 2, "气象"),
    OrgRow("power", "国网{j}供电公司", K.ENTERPRISE, 2, city_name="国网聊城供电公司"),
    OrgRow("mobile", "中国移动{s}分公司", K.ENTERPRISE, 2),
    OrgRow("blue_sky", "{j}蓝天救援队", K.SOCIAL_ORGANISATION, 3),
)

EXTRA_ORGANISATIONS: dict[str, tuple[OrgRow, ...]] = {
    "city": (
        OrgRow("unicom", "中国联通聊城分公司", K.ENTERPRISE, 2),
        OrgRow("highway", "山东高速集团聊城运管中心", K.ENTERPRISE, 2),
    ),
    "linqing": (
        OrgRow("gas", "临清市燃气有限公司", K.ENTERPRISE, 2),
        OrgRow("highway", "山东高速集团聊城运管中心临清管理处", K.ENTERPRISE, 2),
        OrgRow("canal", "临清市运河义务救援队", K.SOCIAL_ORGANISATION, 3),
        OrgRow("town", "魏湾镇人民政府", K.GOVERNMENT_OFFICE, 2, at_township=True),
    ),
    "yanggu": (
        OrgRow("unicom", "中国联通阳谷分公司", K.ENTERPRISE, 2),
        OrgRow("chemical", "阳谷鑫源化工有限公司", K.ENTERPRISE, 2),
        OrgRow("red_cross", "阳谷县红十字水上救援队", K.SOCIAL_ORGANISATION, 3),
        OrgRow("town", "张秋镇人民政府", K.GOVERNMENT_OFFICE, 2, at_township=True),
    ),
    "dongchangfu": (
        OrgRow("gas", "聊城东昌燃气有限公司", K.ENTERPRISE, 2),
        OrgRow("chemical", "聊城瑞丰化工有限公司", K.ENTERPRISE, 2),
        OrgRow("volunteers", "东昌府区青年志愿者应急服务队", K.SOCIAL_ORGANISATION, 3),
        OrgRow("town", "堂邑镇人民政府", K.GOVERNMENT_OFFICE, 2, at_township=True),
    ),
}
# fmt: on


# ------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class UserRow:
    """An account template: ``{prefix}_{suffix}`` in organisation ``org``."""

    suffix: str
    role: str
    org: str
    label: str | None = None  # display name of a kiosk/team/API account; people get names


USER_ROWS = (
    UserRow("duty", Role.DUTY_OFFICER, "bureau"),
    UserRow("dispatcher", Role.FIRE_DISPATCHER, "fire"),
    UserRow("approver", Role.BUREAU_APPROVER, "bureau"),
    UserRow("water_editor", Role.DEPARTMENT_EDITOR, "water"),
    UserRow("power_editor", Role.DEPARTMENT_EDITOR, "power"),
    UserRow("force", Role.FORCE_ACCOUNT, "blue_sky", label="{org}值班账号"),
    UserRow("expert", Role.EXPERT, "bureau"),
    UserRow("screen", Role.SCREEN, "bureau", label="{j}指挥大厅大屏"),
    UserRow("sync", Role.SYNC_CLIENT, "bureau", label="山东省应急管理平台（{j}数据同步）"),
    UserRow("admin", Role.ADMINISTRATOR, "bureau"),
)
# The provincial platform's client at city level keeps the name it is configured with.
USERNAME_OVERRIDES = {"city_sync": "province_sync"}


def demo_username(place: Place, row: UserRow) -> str:
    name = f"{place.prefix}_{row.suffix}"
    return USERNAME_OVERRIDES.get(name, name)


def demo_usernames() -> list[str]:
    return [demo_username(place, row) for place in PLACES for row in USER_ROWS]


# --------------------------------------------------------------------------- forces


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


# ------------------------------------------------------- equipment and materials

# specialty code → (name, model, unit, min quantity, max quantity)
EQUIPMENT: dict[str, tuple[tuple[str, str, str, int, int], ...]] = {
    "general": (
        ("多功能抢险救援车", "JDX5150TXFJY", "辆", 1, 3),
        ("移动照明灯组", "SFW6110B", "套", 2, 6),
        ("液压破拆工具组", "GYJK-63", "套", 1, 4),
        ("便携式发电机", "EU30is", "台", 2, 5),
    ),
    "fire": (
        ("水罐消防车", "SG50", "辆", 1, 4),
        ("泡沫消防车", "PM80", "辆", 1, 2),
        ("正压式空气呼吸器", "RHZKF6.8/30", "具", 10, 40),
        ("举高喷射消防车", "JP32", "辆", 1, 1),
    ),
    "water": (
        ("冲锋舟", "GC-470", "艘", 2, 6),
        ("橡皮艇", "HPB-380", "艘", 2, 5),
        ("救生抛投器", "JPQ-Y230", "具", 2, 6),
        ("水下机器人", "FIFISH V6", "台", 1, 2),
    ),
    "flood": (
        ("移动式排涝泵车", "PL-3000", "辆", 1, 3),
        ("大流量潜水泵", "QJ200-30", "台", 4, 12),
        ("柴油发电机组", "GF-50kW", "台", 1, 3),
    ),
    "collapse": (
        ("雷达生命探测仪", "SJ-3000", "台", 1, 2),
        ("音视频生命探测仪", "SJ-3A", "台", 1, 3),
        ("液压顶撑设备", "RZ-60", "套", 1, 3),
    ),
    "hazchem": (
        ("有毒气体检测仪", "MX6", "台", 2, 6),
        ("重型防化服", "DFH-Ⅰ", "套", 4, 12),
        ("堵漏工具组", "LDB-10", "套", 1, 3),
        ("洗消帐篷", "XXZP-30", "顶", 1, 2),
    ),
    "geological": (
        ("地质雷达", "LTD-2600", "台", 1, 1),
        ("GNSS接收机", "银河6", "台", 1, 3),
    ),
    "traffic": (
        ("重型清障车", "QZ5250TQZ", "辆", 1, 3),
        ("液压扩张钳", "GYKZ-40", "把", 1, 3),
    ),
    "medical": (
        ("负压救护车", "JX5048XJH", "辆", 1, 3),
        ("自动体外除颤仪", "AED Plus", "台", 1, 4),
        ("便携式呼吸机", "Oxylog 3000", "台", 1, 2),
    ),
    "power": (
        ("应急发电车", "400kW", "辆", 1, 2),
        ("电力抢修工程车", "DFQ5040", "辆", 1, 4),
        ("移动照明灯塔", "SFW6121", "台", 1, 4),
    ),
    "comms": (
        ("应急通信指挥车", "CZ5040XTX", "辆", 1, 1),
        ("便携式卫星通信站", "Ku-0.6m", "套", 1, 2),
        ("370MHz数字对讲机", "PD780", "部", 6, 20),
    ),
    "machinery": (
        ("履带式挖掘机", "SY215C", "台", 1, 4),
        ("轮式装载机", "LG855", "台", 1, 3),
        ("汽车起重机", "QY25K", "台", 1, 2),
    ),
    "road": (
        ("平板运输车", "LZ9400", "辆", 1, 2),
        ("路面破碎机", "CP-50", "台", 1, 2),
    ),
    "evacuation": (
        ("班组帐篷", "12m²", "顶", 10, 40),
        ("折叠床", "ZC-190", "张", 20, 80),
    ),
    "search_dog": (("搜救犬", "史宾格", "只", 2, 6),),
    "drone": (
        ("多旋翼无人机", "M300 RTK", "架", 1, 3),
        ("系留照明无人机", "XL-1", "架", 1, 1),
    ),
    "environment": (
        ("环境应急监测车", "CHM5040XJC", "辆", 1, 1),
        ("便携式气质联用仪", "HAPSITE ER", "台", 1, 1),
    ),
    "mountain": (("绳索救援装备组", "RT-11", "套", 2, 6),),
}

# specialty code → (name, specification, unit, min quantity, max quantity, shelf life
# in days or None)
MATERIALS: dict[str, tuple[tuple[str, str, str, int, int, int | None], ...]] = {
    "general": (
        ("自热米饭", "350g", "份", 100, 600, 365),
        ("瓶装饮用水", "550ml×24", "箱", 50, 200, 540),
        ("强光手电", "JW7620", "把", 10, 40, None),
    ),
    "fire": (
        ("水成膜泡沫灭火剂", "AFFF 3%", "吨", 1, 8, 1095),
        ("消防水带", "80-20", "盘", 20, 80, None),
    ),
    "water": (
        ("救生衣", "GB 4303", "件", 50, 200, None),
        ("救生圈", "5556", "个", 20, 60, None),
    ),
    "flood": (
        ("编织袋", "50×80cm", "条", 2000, 10000, None),
        ("防汛砂石料", "中粗砂", "立方米", 50, 300, None),
        ("土工布", "300g/m²", "平方米", 500, 3000, None),
    ),
    "hazchem": (
        ("吸附棉", "PP-100", "千克", 100, 500, None),
        ("洗消剂", "LX-1", "千克", 50, 200, 730),
        ("滤毒罐", "P-E-3", "个", 20, 80, 1095),
    ),
    "medical": (
        ("急救药品包", "标准型", "套", 10, 50, 730),
        ("医用防护口罩", "N95", "只", 500, 3000, 1095),
    ),
    "power": (
        ("低压电缆", "YJV22-4×95", "米", 200, 2000, None),
        ("电力金具", "综合", "套", 50, 200, None),
    ),
    "comms": (
        ("通信光缆", "GYTA-24B1", "米", 1000, 5000, None),
        ("备用蓄电池", "48V/100Ah", "组", 4, 20, None),
    ),
    "machinery": (("柴油", "0号", "升", 500, 3000, None),),
    "road": (
        ("交通锥", "70cm", "个", 50, 200, None),
        ("融雪剂", "氯化钙", "吨", 5, 30, None),
    ),
    "traffic": (("警示三角牌", "反光", "个", 20, 60, None),),
    "evacuation": (
        ("棉被", "200×230cm", "床", 100, 500, None),
        ("折叠桌椅", "套装", "套", 20, 80, None),
    ),
    "collapse": (("支撑木方", "10×10×200cm", "根", 50, 200, None),),
    "geological": (("警戒带", "反光型", "卷", 20, 80, None),),
    "environment": (
        ("采样瓶", "500ml", "个", 100, 400, None),
        ("中和剂", "氢氧化钙", "千克", 200, 1000, 730),
    ),
    "drone": (("无人机电池", "TB60", "块", 4, 16, None),),
    "search_dog": (("工作犬粮", "专用型", "千克", 50, 200, 365),),
    "mountain": (("静力绳", "11mm", "米", 200, 1000, None),),
}

# specialty code → certification typical for it (Liaocheng §保障: trained, certified)
CERTIFICATIONS = {
    "fire": "消防员国家职业资格（四级）",
    "water": "潜水员证、救生员证",
    "flood": "防汛抢险技术培训合格证",
    "medical": "执业医师资格证",
    "power": "高压电工作业证",
    "comms": "通信工程师（中级）",
    "machinery": "挖掘机操作证",
    "road": "特种车辆驾驶证",
    "traffic": "清障救援作业证",
    "hazchem": "危险化学品安全作业证",
    "drone": "民用无人机驾驶员执照",
    "search_dog": "搜救犬训导员证",
    "environment": "环境监测上岗证",
    "collapse": "建筑物倒塌搜救培训合格证",
    "geological": "地质灾害防治技术培训合格证",
}
DEFAULT_CERTIFICATION = "应急救援员（四级）"

# ------------------------------------------------------------------------ experts


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


# ------------------------------------------------------------------- dispatch chain

# Liaocheng §三.一.2: 汛期等特殊时期 — the city's flood season, every year. Only the month
# and day matter (``recurs_yearly``); the year anchors the first season.
FLOOD_SEASON = ("聊城市汛期", date(2026, 6, 1), date(2026, 9, 30))


@dataclass(frozen=True)
class IncidentRow:
    """A demo incident, found again by its title on later runs."""

    place: str
    title: str
    type_code: str
    source: str
    level: str
    address: str
    latitude: str
    longitude: str
    minutes_ago: int
    description: str
    injuries: int = 0


@dataclass(frozen=True)
class LineRow:
    """One force of a demo plan (``force`` is a ForceRow name template) and, once the
    plan is approved, the steps its order has reached."""

    force: str
    task: str
    people: int
    equipment: str = ""
    steps: tuple[str, ...] = ()
    by_force: bool = False  # stepped by the force's own account, else by the dispatcher


@dataclass(frozen=True)
class PlanRow:
    incident: str
    task: str
    reason: str
    lines: tuple[LineRow, ...]
    approve: bool


# fmt: off
DEMO_INCIDENTS = (
    IncidentRow("linqing", "京杭运河临清段西堤管涌", "11A01", "department", "iii",
                "临清市先锋路街道运河西堤K12+300", "36.852410", "115.698730", 95,
                "运河西堤背水坡发现两处管涌，出水浑浊，上游来水持续增加，堤后300米内有居民区。"),
    IncidentRow("linqing", "临清市新华路下穿通道积水车辆被困", "11A02", "119", "iv",
                "临清市新华路铁路下穿通道", "36.842630", "115.716950", 50,
                "短时强降雨致下穿通道积水约1.2米，两辆轿车熄火，4人被困车顶，1人轻微擦伤。",
                injuries=1),
    IncidentRow("yanggu", "阳谷县张秋镇化工园区储罐区异味", "21B01", "public", "unassessed",
                "阳谷县张秋镇化工园区东区", "36.185200", "116.006800", 20,
                "群众反映园区东侧储罐区有刺鼻气味，企业专职消防队已前往核查，暂无人员伤亡。"),
)

DEMO_PLANS = {
    "linqing": (
        # Submitted, awaiting the bureau's approval (Liaocheng §三.一.2).
        PlanRow("京杭运河临清段西堤管涌", "封堵管涌、加固堤防，转移堤后群众",
                "管涌两处且水位上涨，需防汛专业力量和消防救援力量协同处置", (
                    LineRow("{j}防汛抢险队", "封堵管涌、加固堤防", 40, "编织袋、土工布"),
                    LineRow("{j}消防救援大队城区消防救援站", "现场照明、排水和人员搜救", 20,
                            "移动照明灯组、排涝泵"),
                    LineRow("{j}综合应急救援队", "堤后群众转移", 25),
                ), approve=False),
        # Approved; the orders are at different steps (Zhoushan §三.2).
        PlanRow("临清市新华路下穿通道积水车辆被困", "排涝并救出被困人员",
                "通道积水深、有人员被困，需排涝和水域救援力量", (
                    LineRow("{j}城市管理排涝抢险队", "通道排涝", 15, "移动式排涝泵车",
                            steps=("acknowledge", "depart", "arrive")),
                    LineRow("{j}蓝天救援队", "涉水救援被困人员", 12, "冲锋舟、救生衣",
                            steps=("acknowledge",), by_force=True),
                    LineRow("{j}紧急医学救援队", "现场医疗救护", 6, "负压救护车"),
                ), approve=True),
    ),
}
# fmt: on


# ----------------------------------------------------------------------- names etc.

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭"
    "吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦"
)
MALE_GIVEN = (
    "建国 建华 建军 志强 志刚 海涛 海军 文博 晓东 国庆 立新 永刚 振华 明亮 宏伟 俊杰 浩然 "
    "宇航 鹏飞 德胜 学军 卫东 红军 新民 庆峰 兆辉 继伟 长青 金山 玉柱 东升 "
    "伟 强 军 磊 勇 杰 涛 明 超 刚 辉 鹏 峰 波 斌 宇 浩 凯 健 帅"
).split()
FEMALE_GIVEN = (
    "秀英 桂英 丽娟 海燕 春梅 晓丽 雪梅 静怡 欣怡 佳琪 婷婷 丽华 玉兰 红霞 艳玲 慧敏 "
    "雅琴 晓燕 美玲 淑芬 凤霞 丽萍 文静 梦瑶 "
    "芳 娜 敏 静 丽 艳 娟 霞 玲 燕 红 梅 莉 萍 雪 琳 丹 颖 倩 婷 洁"
).split()
MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 "
    "176 177 178 180 181 182 183 185 186 187 188 189 199"
).split()
POSITIONS = ("队员", "队员", "队员", "驾驶员", "安全员", "技术员", "通信员")
FIRST_BIRTHDAY, LAST_BIRTHDAY = date(1970, 1, 1), date(2000, 12, 31)
# Fixed dates, not "today", so that every run builds the same demo.
EXAMS_FROM, INSURED_UNTIL, STOCKED_FROM = date(2026, 1, 5), date(2026, 12, 1), date(2025, 10, 1)


def _person_name(rng: random.Random, gender: str) -> str:
    return rng.choice(SURNAMES) + rng.choice(MALE_GIVEN if gender == Gender.MALE else FEMALE_GIVEN)


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _landline(rng: random.Random) -> str:
    # Liaocheng numbers: area code 0635 and seven digits.
    return f"0635-{rng.randint(2, 8)}{rng.randrange(10**6):06d}"


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


# -------------------------------------------------------------------------- build


@dataclass
class DemoReport:
    """What one run found and did, for the command's summary."""

    created: dict[str, int] = field(default_factory=dict)
    passwords_reset: int = 0
    fixtures_loaded: list[str] = field(default_factory=list)

    def count(self, what: str, created: bool) -> None:
        self.created.setdefault(what, 0)
        if created:
            self.created[what] += 1


class DemoBuilder:
    """Builds the demo; ``build()`` is the only entry point."""

    def __init__(self, *, password: str | None) -> None:
        self.rng = random.Random(DEMO_SEED)
        self.reset_password = password
        self.report = DemoReport()
        self._encoded_password: str | None = None
        self.orgs: dict[tuple[str, str], Organisation] = {}
        self.users: dict[str, User] = {}
        self.experts: list[tuple[Expert, tuple[str, ...]]] = []
        self.specialties: dict[str, Specialty] = {}
        self.jurisdictions: dict[str, Jurisdiction] = {}

    # One hash for every demo account: they share the password anyway, and hashing
    # forty times with the production hasher would take most of a minute.
    def _password_hash(self) -> str:
        if self._encoded_password is None:
            password = (
                self.reset_password
                or getattr(settings, "SEED_DEMO_PASSWORD", "")
                or DEFAULT_PASSWORD
            )
            self._encoded_password = make_password(password)
        return self._encoded_password

    def build(self) -> DemoReport:
        self.report.fixtures_loaded = ensure_reference_data()
        self.specialties = {s.code: s for s in Specialty.objects.all()}
        with transaction.atomic():
            for place in PLACES:
                self._organisations(place)
            for place in PLACES:
                self._accounts(place)
            for place in PLACES:
                self._forces(place)
            self._experts()
            self._expert_groups()
            self._dispatch_settings()
            for place in PLACES:
                self._incidents(place)
            # Duty and drills build on the organisations, accounts and forces above.
            from drills.demo import seed as seed_drills
            from duty.demo import seed as seed_duty

            seed_duty(self.report)
            seed_drills(self.report)
        return self.report

    # -- places and organisations

    def _jurisdiction(self, code: str) -> Jurisdiction:
        if code not in self.jurisdictions:
            self.jurisdictions[code] = Jurisdiction.objects.get(code=code)
        return self.jurisdictions[code]

    def _organisations(self, place: Place) -> None:
        jurisdiction = self._jurisdiction(place.code)
        rows = DEPARTMENTS + EXTRA_ORGANISATIONS.get(place.prefix, ())
        for row in rows:
            where = self._jurisdiction(place.township) if row.at_township else jurisdiction
            template = row.city_name if place.is_city and row.city_name else row.name
            name = template.format(j=jurisdiction.name, s=place.short)
            duty_phone = _landline(self.rng)
            address = self._address(place, where)
            org = Organisation.objects.filter(jurisdiction=where, name=name).first()
            created = org is None
            if org is None:
                org = core_services.create_organisation(
                    actor=None,
                    name=name,
                    kind=row.kind,
                    jurisdiction=where,
                    sector=row.sector,
                    linkage_tier=row.tier,
                    duty_phone=duty_phone,
                    address=address,
                )
            self.report.count("organisations", created)
            self.orgs[(place.prefix, row.key)] = org

    def _address(self, place: Place, where: Jurisdiction) -> str:
        street = self.rng.choice(place.streets)
        number = self.rng.randint(1, 399)
        if where.code != place.code:
            # Township seats: the main street of the town, not the county's.
            county = where.parent.name if where.parent else ""
            return f"山东省聊城市{county}{where.name}{where.name[:-1]}大街{number}号"
        return f"山东省聊城市{'' if place.is_city else where.name}{street}{number}号"

    # -- accounts

    def _accounts(self, place: Place) -> None:
        jurisdiction = self._jurisdiction(place.code)
        for row in USER_ROWS:
            org = self.orgs[(place.prefix, row.org)]
            username = demo_username(place, row)
            if row.label:
                display_name = row.label.format(j=jurisdiction.name, org=org.name)
            else:
                display_name = _person_name(self.rng, self.rng.choice(list(Gender)))
            phone = _mobile(self.rng)
            user = User.objects.filter(username=username).first()
            created = user is None
            if user is None:
                user = core_services.create_user_account(
                    actor=None,
                    username=username,
                    organisation=org,
                    roles=[row.role],
                    display_name=display_name,
                    phone=phone,
                )
            if created or self.reset_password:
                user.password = self._password_hash()
                user.save(update_fields=["password"])
                if not created:
                    self.report.passwords_reset += 1
            self.report.count("users", created)
            self.users[username] = user

    def _registrar(self, place: Place) -> User:
        """The place's administrator registers its forces and experts, as the bureau
        does when it enters the census (Liaocheng §三.二.1)."""
        return self.users[f"{place.prefix}_admin"]

    # -- forces

    def _forces(self, place: Place) -> None:
        jurisdiction = self._jurisdiction(place.code)
        actor = self._registrar(place)
        for row in _forces_for(place):
            owner = self.orgs[(place.prefix, row.owner)]
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
                        "industry_authority": self.orgs[(place.prefix, row.authority)],
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
            "address": self._address(place, where),
            "latitude": _coordinate(lat),
            "longitude": _coordinate(lng),
            "headcount": rng.randint(*row.headcount),
            "duty_mode": row.duty_mode,
            "duty_phone": _landline(rng),
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
            "name": _person_name(rng, gender),
            "gender": gender,
            "id_number": _id_number(rng, area, gender),
            "phone": _mobile(rng),
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

    # -- experts

    def _experts(self) -> None:
        places = {p.prefix: p for p in PLACES}
        for row in EXPERTS:
            place = places[row.place]
            bureau = self.orgs[(place.prefix, "bureau")]
            area = place.code if not place.is_city else self.rng.choice(LIAOCHENG_AREA_CODES)
            data = {
                "name": row.name,
                "field": row.field,
                "title": row.title,
                "employer": row.employer,
                "phone": _mobile(self.rng),
                "id_number": _id_number(self.rng, area, row.gender),
                "availability": (
                    ExpertAvailability.BUSY
                    if self.rng.random() < 0.15
                    else ExpertAvailability.AVAILABLE
                ),
            }
            expert = Expert.objects.filter(organisation=bureau, name=row.name).first()
            created = expert is None
            if expert is None:
                expert = force_services.create_expert(
                    actor=self._registrar(place),
                    organisation=bureau,
                    data=data,
                    specialties=[self.specialties[c] for c in row.specialties],
                )
            self.report.count("experts", created)
            self.experts.append((expert, row.specialties))

    def _expert_groups(self) -> None:
        bureau = self.orgs[(CITY.prefix, "bureau")]
        actor = self._registrar(CITY)
        for name, hazard, codes in EXPERT_GROUPS:
            group = ExpertGroup.objects.filter(organisation=bureau, name=name).first()
            created = group is None
            if group is None:
                force_services.create_expert_group(
                    actor=actor,
                    organisation=bureau,
                    name=name,
                    disaster_type=hazard,
                    members=[e for e, specialties in self.experts if set(specialties) & set(codes)],
                )
            self.report.count("expert_groups", created)

    # -- the dispatch chain

    def _dispatch_settings(self) -> None:
        """The city's flood season and dispatch policy. Neither has a service yet (the
        administrator keeps them in the admin), so the demo writes the rows directly, with
        their history user, and records no event for them."""
        city = self._jurisdiction(CITY.code)
        admin = self._registrar(CITY)
        name, starts_on, ends_on = FLOOD_SEASON
        season = SpecialPeriod.objects.filter(
            jurisdiction=city, kind=SpecialPeriodKind.FLOOD_SEASON
        ).first()
        self.report.count("special_periods", season is None)
        if season is None:
            season = SpecialPeriod(
                kind=SpecialPeriodKind.FLOOD_SEASON,
                name=name,
                jurisdiction=city,
                starts_on=starts_on,
                ends_on=ends_on,
                recurs_yearly=True,
                declared_by=admin,
            )
            season._history_user = admin
            season.save()
        has_policy = DispatchPolicy.objects.filter(jurisdiction=city).exists()
        self.report.count("dispatch_policies", not has_policy)
        if not has_policy:
            # Zhoushan §三.2: tier 1 in town within 30 min, tier 2 within 60, rural as
            # fast as possible; the result within 24 hours.
            policy = DispatchPolicy(
                jurisdiction=city,
                ack_minutes=5,
                tier1_urban_minutes=30,
                tier2_urban_minutes=60,
                result_hours=24,
            )
            policy._history_user = admin
            policy.save()

    def _incidents(self, place: Place) -> None:
        """Open incidents, and for 临清市 the plans drafted for them. An incident found by
        its title was built on an earlier run, with its plans: nothing more is done."""
        jurisdiction = self._jurisdiction(place.code)
        types = {t.code: t for t in IncidentType.objects.all()}
        plans = {row.incident: row for row in DEMO_PLANS.get(place.prefix, ())}
        for row in DEMO_INCIDENTS:
            if row.place != place.prefix:
                continue
            incident = Incident.objects.filter(jurisdiction=jurisdiction, title=row.title).first()
            self.report.count("incidents", incident is None)
            if incident is not None:
                if row.title in plans:
                    self.report.count("plans", False)
                continue
            incident = command_services.create_incident(
                actor=self.users[f"{place.prefix}_duty"],
                data={
                    "title": row.title,
                    "received_at": timezone.now() - timedelta(minutes=row.minutes_ago),
                    "source": row.source,
                    "incident_type": types[row.type_code],
                    "level": row.level,
                    "jurisdiction": jurisdiction,
                    "address": row.address,
                    "latitude": Decimal(row.latitude),
                    "longitude": Decimal(row.longitude),
                    "injuries": row.injuries,
                    "description": row.description,
                },
            )
            if row.title in plans:
                self._plan(place, incident, plans[row.title])

    def _plan(self, place: Place, incident: Incident, row: PlanRow) -> None:
        """Drafted and submitted by the brigade's dispatcher; approved by the bureau's
        approver after the departments' consent when a special period requires it
        (Liaocheng §三.一.2); then each order stepped by its force's account or, for a
        force without a demo account, by the dispatcher on its behalf (Zhoushan §三.2)."""
        dispatcher = self.users[f"{place.prefix}_dispatcher"]
        approver = self.users[f"{place.prefix}_approver"]
        jurisdiction = self._jurisdiction(place.code)
        lines = []
        for line in row.lines:
            force = Force.objects.filter(
                jurisdiction__path__startswith=jurisdiction.path,
                name=line.force.format(j=jurisdiction.name, s=place.short),
            ).first()
            # A force drawn as unavailable cannot go out; the plan does without it.
            if force is not None and force.status != ForceStatus.UNAVAILABLE:
                lines.append((line, force))
        plan = dispatch_services.draft_plan(
            actor=dispatcher,
            incident_id=incident.pk,
            task=row.task,
            reason=row.reason,
            lines=[
                dispatch_services.LineInput(
                    force_id=force.pk, task=line.task, people=line.people, equipment=line.equipment
                )
                for line, force in lines
            ],
        )
        plan = dispatch_services.submit_plan(actor=dispatcher, plan_id=plan.pk)
        self.report.count("plans", True)
        if not row.approve:
            return
        if dispatch_services.active_special_periods(plan.jurisdiction, timezone.localdate()):
            self._consents(plan, approver)
        orders = {
            o.force_id: o for o in dispatch_services.approve_plan(actor=approver, plan_id=plan.pk)
        }
        force_account = self.users[f"{place.prefix}_force"]
        for line, force in lines:
            own = line.by_force and dispatch_services.is_force_account_of(force_account, force)
            actor = force_account if own else dispatcher
            for step in line.steps:
                dispatch_services.advance_order(
                    actor=actor, order_id=orders[force.pk].pk, action=step
                )

    def _consents(self, plan: CallOutPlan, approver: User) -> None:
        """A department consents through its own account where the demo has one (its
        roster editor, or the approver when the bureau itself owns the force); otherwise
        the approver records whom it consulted by phone, and when."""
        consulted_at = timezone.now() - timedelta(minutes=5)
        editors = {
            u.organisation_id: u for u in self.users.values() if u.has_role(Role.DEPARTMENT_EDITOR)
        }
        editors[approver.organisation_id] = approver
        for org in dispatch_services.missing_consents(plan):
            member = editors.get(org.pk)
            if member is not None:
                dispatch_services.record_consent(
                    actor=member, plan_id=plan.pk, organisation_id=org.pk, note="同意调用"
                )
            else:
                dispatch_services.record_consent(
                    actor=approver,
                    plan_id=plan.pk,
                    organisation_id=org.pk,
                    consulted_person=f"{org.name}带班领导",
                    consulted_at=consulted_at,
                    note="电话商请，同意调用",
                )


def ensure_reference_data() -> list[str]:
    """Load the reference fixtures that are missing, so ``seed_demo`` also works on a
    freshly migrated database without ``make run``'s ``loaddata`` step."""
    codes = {p.code for p in PLACES} | {p.township for p in PLACES if p.township}
    needed = {
        "divisions": Jurisdiction.objects.filter(code__in=codes).count() < len(codes),
        "specialties": not Specialty.objects.exists(),
        "formations": not Formation.objects.exists(),
        "incident_types": not IncidentType.objects.exists(),
    }
    missing = [name for name in REFERENCE_FIXTURES if needed[name]]
    if missing:
        call_command("loaddata", *missing, verbosity=0)
    return missing


def build_demo(*, password: str | None = None) -> DemoReport:
    """Build (or complete) the demo. With ``password``, every demo account's password is
    reset to it; without, passwords are set only on accounts created now."""
    return DemoBuilder(password=password).build()


# ----------------------------------------------------------------------- listing


def list_demo_users() -> list[dict[str, str]]:
    """The demo accounts that exist, in demo order: username, role value, organisation
    and jurisdiction names."""
    names = demo_usernames()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=names)
        .select_related("organisation__jurisdiction")
        .prefetch_related("groups")
    }
    order = list(Role.values)
    rows = []
    for username in names:
        user = users.get(username)
        if user is None:
            continue
        roles = sorted((g.name for g in user.groups.all() if g.name in order), key=order.index)
        org = user.organisation
        rows.append(
            {
                "username": username,
                "role": roles[0] if roles else "",
                "organisation": org.name if org else "",
                "jurisdiction": org.jurisdiction.name if org else "",
            }
        )
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_user_table(rows: Sequence[dict[str, str]]) -> list[str]:
    """Rows as aligned text lines (CJK characters count double), header first."""
    header = ("用户名", "角色", "单位", "辖区")
    lines: list[Iterable[str]] = [header]
    for row in rows:
        role = ROLE_LABELS_ZH.get(row["role"], row["role"])
        lines.append((row["username"], role, row["organisation"], row["jurisdiction"]))
    cells = [list(line) for line in lines]
    widths = [max(_width(c[i]) for c in cells) for i in range(len(header))]
    return [
        "  ".join(_pad(c, w) for c, w in zip(cell, widths, strict=True)).rstrip() for cell in cells
    ]
