"""The demo city (聊城市) for ``manage.py seed_demo``, built by the apps that own its data.

Each app that has a ``demo`` module with a ``seed(ctx)`` function builds its own part, in
``settings.INSTALLED_APPS`` order, inside one transaction: core the organisations and the
accounts for every role (below); then forces, command, dispatch, duty and drills, each
from its own ``<app>/demo.py``. The builders share one ``DemoContext``: the places, the
organisations and accounts built so far, the password, the report, and one
``random.Random(DEMO_SEED)``. All values are drawn from that generator in a fixed order,
and the draws happen whether or not a row already exists, so every run describes the
same demo and a second run finds everything in place and creates nothing.

Everything goes through the services, so the demo carries history rows and
``core.Event`` rows exactly as data entered by users would.

Department lists follow the seeds: Liaocheng §二.(一) and Rongcheng attachment 2
(应急、消防、公安、工信、自然资源和规划、住建、城管、交通运输、生态环境、水利、卫健、
发改、气象 …; 供电公司、燃气、移动、联通、高速公路; 蓝天救援队等社会力量).
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction

from core import services as core_services
from core.choices import OrganisationKind as K
from core.models import Jurisdiction, Organisation, User
from core.roles import Role

DEMO_SEED = 2026
DEFAULT_PASSWORD = "Linkage-demo-2026"

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


def person_name(rng: random.Random, *, male: bool) -> str:
    return rng.choice(SURNAMES) + rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    # Liaocheng numbers: area code 0635 and seven digits.
    return f"0635-{rng.randint(2, 8)}{rng.randrange(10**6):06d}"


def address(rng: random.Random, place: Place, where: Jurisdiction) -> str:
    street = rng.choice(place.streets)
    number = rng.randint(1, 399)
    if where.code != place.code:
        # Township seats: the main street of the town, not the county's.
        county = where.parent.name if where.parent else ""
        return f"山东省聊城市{county}{where.name}{where.name[:-1]}大街{number}号"
    return f"山东省聊城市{'' if place.is_city else where.name}{street}{number}号"


# ------------------------------------------------------------------------ context


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


@dataclass
class DemoContext:
    """What the apps' builders share: each reads what the earlier ones built (the
    jurisdictions, ``orgs`` by (place prefix, organisation key), ``users`` by username)
    and draws from the one generator, so the order of the draws is the order of the apps."""

    reset_password: str | None = None
    rng: random.Random = field(default_factory=lambda: random.Random(DEMO_SEED))
    report: DemoReport = field(default_factory=DemoReport)
    places: tuple[Place, ...] = PLACES
    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)
    orgs: dict[tuple[str, str], Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    _encoded_password: str | None = None

    def jurisdiction(self, code: str) -> Jurisdiction:
        if code not in self.jurisdictions:
            self.jurisdictions[code] = Jurisdiction.objects.get(code=code)
        return self.jurisdictions[code]

    # One hash for every demo account: they share the password anyway, and hashing
    # forty times with the production hasher would take most of a minute.
    def password_hash(self) -> str:
        if self._encoded_password is None:
            password = (
                self.reset_password
                or getattr(settings, "SEED_DEMO_PASSWORD", "")
                or DEFAULT_PASSWORD
            )
            self._encoded_password = make_password(password)
        return self._encoded_password


# ---------------------------------------------------------------------- the loop


def demo_modules() -> list[ModuleType]:
    """The ``demo`` modules of the installed apps that have one, in INSTALLED_APPS order:
    an app builds on the apps listed before it."""
    modules = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        if callable(getattr(module, "seed", None)):
            modules.append(module)
    return modules


def ensure_reference_data(modules: Sequence[ModuleType]) -> list[str]:
    """Load the reference fixtures that are missing, so ``seed_demo`` also works on a
    freshly migrated database without ``make run``'s ``loaddata`` step. Each app's demo
    names its own fixtures (``missing_reference_data()``); they load in one call."""
    missing = [
        name
        for module in modules
        if hasattr(module, "missing_reference_data")
        for name in module.missing_reference_data()
    ]
    if missing:
        call_command("loaddata", *missing, verbosity=0)
    return missing


def build_demo(*, password: str | None = None) -> DemoReport:
    """Build (or complete) the demo. With ``password``, every demo account's password is
    reset to it; without, passwords are set only on accounts created now."""
    ctx = DemoContext(reset_password=password)
    modules = demo_modules()
    ctx.report.fixtures_loaded = ensure_reference_data(modules)
    with transaction.atomic():
        for module in modules:
            module.seed(ctx)
    return ctx.report


# ------------------------------------------------------------- core's own part


def missing_reference_data() -> list[str]:
    codes = {p.code for p in PLACES} | {p.township for p in PLACES if p.township}
    if Jurisdiction.objects.filter(code__in=codes).count() < len(codes):
        return ["divisions"]
    return []


def seed(ctx: DemoContext) -> None:
    for place in ctx.places:
        _organisations(ctx, place)
    for place in ctx.places:
        _accounts(ctx, place)


def _organisations(ctx: DemoContext, place: Place) -> None:
    jurisdiction = ctx.jurisdiction(place.code)
    rows = DEPARTMENTS + EXTRA_ORGANISATIONS.get(place.prefix, ())
    for row in rows:
        where = ctx.jurisdiction(place.township) if row.at_township else jurisdiction
        template = row.city_name if place.is_city and row.city_name else row.name
        name = template.format(j=jurisdiction.name, s=place.short)
        duty_phone = landline(ctx.rng)
        org_address = address(ctx.rng, place, where)
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
                address=org_address,
            )
        ctx.report.count("organisations", created)
        ctx.orgs[(place.prefix, row.key)] = org


def _accounts(ctx: DemoContext, place: Place) -> None:
    jurisdiction = ctx.jurisdiction(place.code)
    for row in USER_ROWS:
        org = ctx.orgs[(place.prefix, row.org)]
        username = demo_username(place, row)
        if row.label:
            display_name = row.label.format(j=jurisdiction.name, org=org.name)
        else:
            # Drawn like forces.choices.Gender (male, female), which core cannot import.
            display_name = person_name(ctx.rng, male=ctx.rng.choice((True, False)))
        phone = mobile(ctx.rng)
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
        if created or ctx.reset_password:
            user.password = ctx.password_hash()
            user.save(update_fields=["password"])
            if not created:
                ctx.report.passwords_reset += 1
        ctx.report.count("users", created)
        ctx.users[username] = user


# ----------------------------------------------------------------------- listing


def list_demo_users() -> list[dict[str, str]]:
    """The demo accounts that exist, in demo order: username, role value, organisation
    and jurisdiction names. An app's demo that opens accounts of its own lists their
    usernames in its ``DEMO_USERNAMES``; they follow the core accounts."""
    names = demo_usernames() + [
        name for module in demo_modules() for name in getattr(module, "DEMO_USERNAMES", ())
    ]
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
