"""The demo's incidents in 临清市 and 阳谷县 (SPEC §3; issue 13 intake), recorded through
``command.services`` by each county's duty officer (``core.demo``'s accounts), with the
caller and call-back number of each call. Intake as a linkage centre takes calls: the
city's 12345 hotline and its maritime search-and-rescue centre (聊城市水上搜救中心, for the
Yellow River and the 京杭运河) with an account of its own; a non-emergency call
transferred to 12345 and answered; a call on the canal handed to the maritime centre,
which reported back; a case handed over under 首接负责制. An incident is found again by
its title on later runs; nothing is drawn at random."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from command import report_demo
from command import services as command_services
from command.choices import Disposition
from command.models import Incident, IncidentType
from core import services as core_services
from core.choices import OrganisationKind
from core.demo import DemoContext
from core.models import Organisation, User
from core.roles import Role

# The maritime SAR centre's account, listed with the other demo logins.
MARITIME_USERNAME = "city_maritime"
DEMO_USERNAMES = (MARITIME_USERNAME,)
HOTLINE_NAME = "聊城市12345政务服务便民热线"
MARITIME_NAME = "聊城市水上搜救中心"


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
    caller_name: str = ""
    callback_phone: str = ""


# fmt: off
DEMO_INCIDENTS = (
    IncidentRow("linqing", "京杭运河临清段西堤管涌", "11A01", "department", "iii",
                "临清市先锋路街道运河西堤K12+300", "36.852410", "115.698730", 95,
                "运河西堤背水坡发现两处管涌，出水浑浊，上游来水持续增加，堤后300米内有居民区。",
                caller_name="临清市水利局河务科 刘振华", callback_phone="0635-2319876"),
    IncidentRow("linqing", "临清市新华路下穿通道积水车辆被困", "11A02", "119", "iv",
                "临清市新华路铁路下穿通道", "36.842630", "115.716950", 50,
                "短时强降雨致下穿通道积水约1.2米，两辆轿车熄火，4人被困车顶，1人轻微擦伤。",
                injuries=1, caller_name="王女士", callback_phone="13869512837"),
    IncidentRow("yanggu", "阳谷县张秋镇化工园区储罐区异味", "21B01", "public", "unassessed",
                "阳谷县张秋镇化工园区东区", "36.185200", "116.006800", 20,
                "群众反映园区东侧储罐区有刺鼻气味，企业专职消防队已前往核查，暂无人员伤亡。",
                caller_name="赵先生", callback_phone="15806353172"),
)
# Calls that leave the emergency flow (Zhoushan §二.3): one for 12345 (an address, no
# coordinates: the caller did not know them), one on the canal for the maritime centre.
HOTLINE_CALL = IncidentRow(
    "linqing", "临清市青年路小区路灯不亮", "24A01", "public", "unassessed",
    "临清市青年路街道青年路与大众路交叉口北50米", "", "", 70,
    "市民反映小区门口三盏路灯连续两晚不亮，夜间行人不便，无人员受伤，非紧急。",
    caller_name="孙先生", callback_phone="13561278405",
)
MARITIME_CALL = IncidentRow(
    "yanggu", "京杭运河阳谷段货船搁浅", "22B01", "110", "iv",
    "阳谷县阿城镇京杭运河陶城铺段", "36.151600", "116.074300", 40,
    "一艘满载煤炭的货船在运河陶城铺段搁浅，船上3名船员，船体未进水，请求救助。",
    caller_name="船主 李长青", callback_phone="18263508791",
)
# fmt: on
# fmt: on


def missing_reference_data() -> list[str]:
    return [] if IncidentType.objects.exists() else ["incident_types"]


def _row_data(row: IncidentRow, types: dict, jurisdiction) -> dict:
    return {
        "title": row.title,
        "received_at": timezone.now() - timedelta(minutes=row.minutes_ago),
        "source": row.source,
        "incident_type": types[row.type_code],
        "level": row.level,
        "jurisdiction": jurisdiction,
        "address": row.address,
        "latitude": Decimal(row.latitude) if row.latitude else None,
        "longitude": Decimal(row.longitude) if row.longitude else None,
        "injuries": row.injuries,
        "description": row.description,
        "caller_name": row.caller_name,
        "callback_phone": row.callback_phone,
    }


def _record(ctx: DemoContext, row: IncidentRow, types: dict) -> tuple[Incident, bool]:
    place = next(p for p in ctx.places if p.prefix == row.place)
    jurisdiction = ctx.jurisdiction(place.code)
    incident = Incident.objects.filter(jurisdiction=jurisdiction, title=row.title).first()
    ctx.report.count("incidents", incident is None)
    if incident is not None:
        return incident, False
    incident = command_services.create_incident(
        actor=ctx.users[f"{place.prefix}_duty"], data=_row_data(row, types, jurisdiction)
    )
    return incident, True


def _organisation(ctx: DemoContext, name: str, kind: str, duty_phone: str, address: str):
    city = next(p for p in ctx.places if p.is_city)
    jurisdiction = ctx.jurisdiction(city.code)
    org = Organisation.objects.filter(jurisdiction=jurisdiction, name=name).first()
    ctx.report.count("organisations", org is None)
    if org is None:
        org = core_services.create_organisation(
            actor=None,
            name=name,
            kind=kind,
            jurisdiction=jurisdiction,
            linkage_tier=1,
            duty_phone=duty_phone,
            address=address,
        )
    return org


def _maritime_account(ctx: DemoContext, centre: Organisation) -> User:
    user = User.objects.filter(username=MARITIME_USERNAME).first()
    created = user is None
    ctx.report.count("users", created)
    if user is None:
        user = core_services.create_user_account(
            actor=None,
            username=MARITIME_USERNAME,
            organisation=centre,
            roles=[Role.DEPARTMENT_EDITOR],
            display_name="聊城市水上搜救中心值班室",
            phone="13706358426",
        )
    if created or ctx.reset_password:
        user.password = ctx.password_hash()
        user.save(update_fields=["password"])
    ctx.users[MARITIME_USERNAME] = user
    return user


def seed(ctx: DemoContext) -> None:
    report_demo.seed_rules(ctx)
    types = {t.code: t for t in IncidentType.objects.all()}
    for row in DEMO_INCIDENTS:
        _record(ctx, row, types)
    _organisation(
        ctx, HOTLINE_NAME, OrganisationKind.HOTLINE_12345, "12345", "聊城市东昌府区东昌西路2号"
    )
    centre = _organisation(
        ctx,
        MARITIME_NAME,
        OrganisationKind.MARITIME_SAR,
        "0635-8276121",
        "聊城市东昌府区柳园南路交通运输大厦",
    )
    maritime_user = _maritime_account(ctx, centre)

    # A non-emergency call goes to 12345; the hotline answered the next morning.
    incident, created = _record(ctx, HOTLINE_CALL, types)
    if created:
        duty = ctx.users["linqing_duty"]
        command_services.transfer_to_hotline(
            actor=duty,
            incident_id=incident.pk,
            summary="青年路小区门口三盏路灯连续两晚不亮，请城管部门维修。来电人孙先生，请回访。",
            work_order_number="LC2026120400317",
        )
        command_services.record_hotline_reply(
            actor=duty,
            incident_id=incident.pk,
            reply="已转临清市城市管理局，维修人员已更换灯具，路灯恢复照明，来电人满意。",
        )

    # A grounded ship on the canal goes to the maritime SAR centre, which reports back.
    incident, created = _record(ctx, MARITIME_CALL, types)
    if created:
        command_services.hand_to_maritime(
            actor=ctx.users["yanggu_duty"],
            incident_id=incident.pk,
            note="货船搁浅，船员3人暂无危险，请水上搜救中心协调海事、航道部门救助。",
        )
        command_services.add_note(
            actor=maritime_user,
            incident_id=incident.pk,
            text="已协调阳谷海事处巡逻艇赶赴现场，船员3人情况稳定，正组织拖轮脱浅。",
        )

    # 首接负责制: the county bureau received the smell report first and handed it to the
    # environment department's branch when its monitoring team arrived.
    smell = Incident.objects.filter(title="阳谷县张秋镇化工园区储罐区异味").first()
    ecology = ctx.orgs.get(("yanggu", "ecology"))
    if (
        smell is not None
        and ecology is not None
        and smell.disposition == Disposition.EMERGENCY
        and not smell.handovers.exists()
    ):
        command_services.hand_over(
            actor=ctx.users["yanggu_duty"],
            incident_id=smell.pk,
            to_unit_id=ecology.pk,
            note="生态环境分局监测人员到场，现场移交，县应急局继续配合。",
        )
    report_demo.seed_reports(ctx)
