"""The demo's graded response (DESIGN13; Tieling §三.二.4, 附件1 §13): response manuals with
instruction lists (应急响应手册和指令清单) for flood (防汛) and hazardous-chemicals accidents
(危险化学品事故), levels Ⅳ to Ⅰ, for the demo city and each of its counties, written by
each place's bureau approver through ``response.services.save_manual``.

The lists are cumulative: a higher level keeps the lower level's departments, some with
tighter deadlines or more frequent reports, and brings in more departments. The
departments are the place's own (water, weather, natural resources, housing, urban
management …); the civil-affairs and agriculture bureaus and the party committee's
publicity department, which only instructions need, are added here.

Then 临清市 activates a level Ⅳ flood response for the canal piping incident and raises it
to Ⅲ; its water bureau acknowledges and starts, natural resources answers by SMS, the
weather bureau's instruction is reported done by the duty officer on its behalf, and two
departments take their seats. 阳谷县 activates a level Ⅳ hazardous-chemicals response for
the tank-farm odour. Nothing is drawn from the shared generator: the apps after this one
draw what they drew before it existed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from command.models import Incident
from core import services as core_services
from core.choices import OrganisationKind as K
from core.demo import DEMO_SEED, landline
from earlywarning.demo import taken_phones
from notify.types import Responder
from response import services
from response.choices import LEVEL_RANK, ResponseHazard, ResponseLevel
from response.models import ResponseActivation, ResponseManual

if TYPE_CHECKING:
    from core.demo import DemoContext, Place

LEVELS = (ResponseLevel.IV, ResponseLevel.III, ResponseLevel.II, ResponseLevel.I)
LEVEL_ZH = {
    ResponseLevel.IV: "Ⅳ",
    ResponseLevel.III: "Ⅲ",
    ResponseLevel.II: "Ⅱ",
    ResponseLevel.I: "Ⅰ",
}


@dataclass(frozen=True)
class ExtraDepartment:
    key: str
    name: str  # {j}: the place's name
    kind: str
    sector: str = ""


EXTRA_DEPARTMENTS = (
    ExtraDepartment("civil", "{j}民政局", K.INDUSTRY_DEPARTMENT, "民政"),
    ExtraDepartment("agriculture", "{j}农业农村局", K.INDUSTRY_DEPARTMENT, "农业农村"),
    ExtraDepartment("publicity", "中共{j}委宣传部", K.GOVERNMENT_OFFICE),
)


@dataclass(frozen=True)
class Line:
    """A line from level ``since`` up: ``texts`` and ``minutes`` per level from ``since``
    (one text serves every level)."""

    since: str
    department: str  # the demo's organisation key
    texts: tuple[str, ...]
    minutes: tuple[int, ...]

    def at(self, level: str) -> tuple[str, int] | None:
        offset = LEVEL_RANK[ResponseLevel(level)] - LEVEL_RANK[ResponseLevel(self.since)]
        if offset < 0:
            return None
        text = self.texts[min(offset, len(self.texts) - 1)]
        return text, self.minutes[min(offset, len(self.minutes) - 1)]


IV, III, II, I = LEVELS  # noqa: E741 — the level's name is Ⅰ

# fmt: off
FLOOD = (
    Line(IV, "bureau", ("启动防汛应急值守，领导带班24小时值班，"
                        "汇总各成员单位汛情险情，每日8时、16时报送",),
         (30, 30, 15, 15)),
    Line(IV, "water", ("加强水库、河道、堤防巡查，每2小时报告一次水情",
                       "加强水库、河道、堤防巡查，每1小时报告一次水情",
                       "24小时不间断巡堤查险，每30分钟报告一次水情和险情"),
         (60, 45, 30, 20)),
    Line(IV, "weather", ("加密滚动预报，每3小时报告一次降雨实况和短时临近预报",
                         "加密滚动预报，每1小时报告一次降雨实况和短时临近预报"),
         (60, 30, 30, 20)),
    Line(IV, "resources", ("开展地质灾害隐患点巡查，落实监测人和预警信号",),
         (120, 90, 60, 30)),
    Line(IV, "housing", ("排查城市易涝点、下穿通道和在建工地基坑，落实排涝和防倒塌措施",),
         (90, 60, 45, 30)),
    Line(IV, "urban", ("疏通排水管网，泵站开机预排，备足移动排涝泵车",),
         (60, 45, 30, 20)),
    Line(III, "transport", ("做好抢险物资运输车辆准备，巡查国省道积水路段和漫水桥涵",),
         (60, 45, 30)),
    Line(III, "health", ("医疗救护队伍待命，备足防疫消杀药品",),
         (60, 30, 20)),
    Line(III, "fire", ("水域救援队伍前置备勤，冲锋舟、橡皮艇等装备集结待命",),
         (30, 20, 15)),
    Line(III, "agriculture", ("指导农户抢排农田积水，转移低洼地带畜禽",),
         (120, 90, 60)),
    Line(II, "civil", ("开放避难场所，做好受灾群众转移安置和基本生活保障",),
         (60, 45)),
    Line(II, "police", ("对危险路段和漫水桥实施交通管制，协助转移群众，维护安置点秩序",),
         (45, 30)),
    Line(II, "power", ("保障泵站、医院和指挥部供电，应急发电车到位待命",),
         (60, 30)),
    Line(II, "mobile", ("保障防汛指挥通信畅通，应急通信车到位待命",),
         (60, 30)),
    Line(II, "publicity", ("统一发布汛情和防御信息，做好舆情监测和引导",),
         (60, 30)),
    Line(I, "development", ("调拨储备防汛物资，保障抢险救灾和群众生活物资供应",),
         (60,)),
    Line(I, "industry", ("组织低洼地带重点企业停产避险，协调救灾物资生产调运",),
         (60,)),
    Line(I, "ecology", ("加强饮用水水源地水质监测，防范次生环境污染",),
         (120,)),
)

CHEMICALS = (
    Line(IV, "bureau", ("派出危化专家和工作组赶赴现场，核实泄漏物质、数量和影响范围",),
         (30, 20, 15, 15)),
    Line(IV, "fire", ("调派危化品处置专业队伍，设置警戒区，开展侦检、堵漏和洗消",),
         (15, 10, 10, 10)),
    Line(IV, "ecology", ("开展大气和水体环境应急监测，每1小时报告一次监测数据",
                         "开展大气和水体环境应急监测，每1小时报告一次监测数据",
                         "扩大监测范围，每30分钟报告一次大气和水体监测数据"),
         (60, 30, 30, 20)),
    Line(IV, "police", ("设置警戒区，实施交通管制，疏导周边车辆和人员",),
         (30, 20, 15, 15)),
    Line(IV, "health", ("医疗救护队伍待命，调配中毒救治药品和洗消设备",),
         (60, 30, 20, 20)),
    Line(III, "industry", ("督促涉事企业启动应急预案，核查周边化工企业装置运行情况",),
         (60, 45, 30)),
    Line(III, "weather", ("提供事故现场风向、风速逐时预报",),
         (30, 20, 15)),
    Line(III, "transport", ("组织危化品运输车辆绕行，备好人员疏散运输车辆",),
         (60, 45, 30)),
    Line(II, "civil", ("开放避难场所，做好疏散群众安置和生活保障",),
         (60, 45)),
    Line(II, "water", ("关闭事故下游闸门，防止污染物进入河道",),
         (45, 30)),
    Line(II, "housing", ("排查事故周边燃气管线，必要时关阀停气",),
         (60, 45)),
    Line(II, "publicity", ("统一发布事故信息，做好舆情监测和引导",),
         (60, 30)),
    Line(I, "power", ("按现场指挥部要求切断或保障事故区域供电",),
         (30,)),
    Line(I, "mobile", ("保障现场指挥通信，开通应急通信车",),
         (60,)),
    Line(I, "development", ("调拨应急物资，保障处置和安置物资供应",),
         (60,)),
)
# fmt: on

CONDITIONS = {
    (ResponseHazard.FLOOD, IV): (
        "卫运河、徒骇河、马颊河或京杭运河任一站水位达到警戒水位；或气象部门发布暴雨橙色预警，"
        "预计24小时降雨量100毫米以上；或城区发生较重内涝。"
    ),
    (ResponseHazard.FLOOD, III): (
        "主要河道水位超过警戒水位0.5米以上，或堤防出现较大险情；或发布暴雨红色预警；"
        "或小型水库出现险情。"
    ),
    (ResponseHazard.FLOOD, II): (
        "主要河道水位接近保证水位，或堤防出现重大险情；或中型水库出现险情；或需转移群众1万人以上。"
    ),
    (ResponseHazard.FLOOD, I): (
        "主要河道水位超过保证水位或发生决口；或大中型水库垮坝；或需转移群众5万人以上。"
    ),
    (ResponseHazard.HAZARDOUS_CHEMICALS, IV): (
        "危险化学品泄漏、火灾或爆炸，造成或可能造成3人以下死亡或10人以下重伤，或需疏散周边群众。"
    ),
    (ResponseHazard.HAZARDOUS_CHEMICALS, III): (
        "造成或可能造成3人以上10人以下死亡，或10人以上50人以下重伤，或需疏散500人以上。"
    ),
    (ResponseHazard.HAZARDOUS_CHEMICALS, II): (
        "造成或可能造成10人以上30人以下死亡，或50人以上100人以下重伤，或需疏散5000人以上。"
    ),
    (ResponseHazard.HAZARDOUS_CHEMICALS, I): (
        "造成或可能造成30人以上死亡，或100人以上重伤，或需疏散5万人以上。"
    ),
}
MANUALS = (
    (ResponseHazard.FLOOD, "防汛", FLOOD),
    (ResponseHazard.HAZARDOUS_CHEMICALS, "危险化学品事故", CHEMICALS),
)

CANAL_PIPING = "京杭运河临清段西堤管涌"
TANK_FARM = "阳谷县张秋镇化工园区储罐区异味"


def seed(ctx: DemoContext) -> None:
    rng = random.Random(f"{DEMO_SEED}-response")
    taken = taken_phones()
    for place in ctx.places:
        _departments(ctx, place, rng, taken)
    for place in ctx.places:
        _manuals(ctx, place)
    _linqing_flood(ctx)
    _yanggu_chemicals(ctx)


def _departments(ctx: DemoContext, place: Place, rng: random.Random, taken: set[str]) -> None:
    jurisdiction = ctx.jurisdiction(place.code)
    for row in EXTRA_DEPARTMENTS:
        name = row.name.format(j=jurisdiction.name)
        phone = landline(rng)
        while phone in taken:
            phone = landline(rng)
        taken.add(phone)
        org = jurisdiction.organisations.filter(name=name).first()
        created = org is None
        if org is None:
            org = core_services.create_organisation(
                actor=None,
                name=name,
                kind=row.kind,
                jurisdiction=jurisdiction,
                sector=row.sector,
                linkage_tier=2,
                duty_phone=phone,
            )
        ctx.report.count("organisations", created)
        ctx.orgs[(place.prefix, row.key)] = org


def _manuals(ctx: DemoContext, place: Place) -> None:
    jurisdiction = ctx.jurisdiction(place.code)
    approver = ctx.users[f"{place.prefix}_approver"]
    for hazard, hazard_zh, table in MANUALS:
        for level in LEVELS:
            exists = ResponseManual.objects.filter(
                jurisdiction=jurisdiction, hazard=hazard, level=level
            ).exists()
            if not exists:
                lines = []
                for line in table:
                    found = line.at(level)
                    if found is not None:
                        text, minutes = found
                        department = ctx.orgs[(place.prefix, line.department)]
                        lines.append(services.ManualLine(text, department, minutes))
                services.save_manual(
                    actor=approver,
                    jurisdiction=jurisdiction,
                    hazard=hazard,
                    level=level,
                    title=f"{jurisdiction.name}{hazard_zh}{LEVEL_ZH[level]}级应急响应手册",
                    conditions=CONDITIONS[(hazard, level)],
                    lines=lines,
                )
            ctx.report.count("response manuals", not exists)


def _activation_for(title: str) -> tuple[Incident | None, bool]:
    incident = Incident.objects.filter(title=title).first()
    if incident is None:
        return None, False
    return incident, ResponseActivation.objects.filter(incident=incident).exists()


def _linqing_flood(ctx: DemoContext) -> None:
    incident, done = _activation_for(CANAL_PIPING)
    ctx.report.count("responses", incident is not None and not done)
    if incident is None or done:
        return
    duty = ctx.users["linqing_duty"]
    activation = services.activate_response(
        actor=duty,
        hazard=ResponseHazard.FLOOD,
        level=ResponseLevel.IV,
        incident_id=incident.pk,
        reason="京杭运河临清段西堤出现管涌，卫运河临清站水位达到警戒水位。",
    )
    services.change_level(
        actor=ctx.users["linqing_approver"],
        activation_id=activation.pk,
        level=ResponseLevel.III,
        reason="管涌出水浑浊、上游来水持续增加，经会商研判提升为Ⅲ级响应。",
    )
    orgs = {key: ctx.orgs[("linqing", key)] for key in ("water", "resources", "weather")}
    by_department = {
        i.department_id: i
        for i in activation.instructions.filter(level=ResponseLevel.IV).order_by("pk")
    }
    water_editor = ctx.users["linqing_water_editor"]
    water = by_department[orgs["water"].pk]
    services.acknowledge_instruction(actor=water_editor, instruction_id=water.pk)
    services.start_instruction(actor=water_editor, instruction_id=water.pk)
    resources = by_department[orgs["resources"].pk]
    services.acknowledge_instruction(
        instruction_id=resources.pk,
        responder=Responder(channel="sms", label="短信回复，单位值班电话"),
    )
    weather = by_department[orgs["weather"].pk]
    services.complete_instruction(
        actor=duty,
        instruction_id=weather.pk,
        report="气象局电话报告：已启动加密预报，未来3小时临清东部仍有中到大雨，每3小时滚动报送。",
    )
    services.join_seat(
        actor=duty,
        activation_id=activation.pk,
        organisation_id=orgs["water"].pk,
        person=str(water_editor),
        phone=water_editor.phone,
    )
    services.join_seat(
        actor=duty,
        activation_id=activation.pk,
        organisation_id=ctx.orgs[("linqing", "housing")].pk,
        person="住建局防汛值班员",
    )


def _yanggu_chemicals(ctx: DemoContext) -> None:
    incident, done = _activation_for(TANK_FARM)
    ctx.report.count("responses", incident is not None and not done)
    if incident is None or done:
        return
    services.activate_response(
        actor=ctx.users["yanggu_duty"],
        hazard=ResponseHazard.HAZARDOUS_CHEMICALS,
        level=ResponseLevel.IV,
        incident_id=incident.pk,
        reason="化工园区储罐区有刺鼻气味，不排除泄漏，先期启动Ⅳ级响应。",
    )
