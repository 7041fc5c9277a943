"""The demo's warnings and grids (DESIGN12): the grid register of the demo city's counties
(网格责任人, Tieling §三.二.5), built through ``earlywarning.grids`` by each county's
administrator.

Every township and street of the three counties gets two grids — villages (村) in the
towns, communities (社区) in the streets — each with its responsible person and mobile
phone, and the township's leader as supervisor (the person an unanswered warning is
raised to). The values come from a generator of their own, seeded from ``DEMO_SEED``, so
the apps built after this one draw what they drew before grids existed; phones are
checked against every other phone of the demo so no two people share a number.

Then 临清市水利局's editor publishes one orange flood warning (卫运河) for two townships
of 临清市 through ``earlywarning.services``, and a few grid persons have already answered
by SMS, so the 叫应 board has something to show on ``make run``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from core.choices import JurisdictionLevel
from core.demo import DEMO_SEED, mobile, person_name
from core.masking import mask_phone
from core.models import Jurisdiction, Organisation, User
from earlywarning import grids, services
from earlywarning.choices import Certainty, RecipientKind, Urgency, WarningLevel
from earlywarning.models import Grid, HazardType, HazardWarning, WarningRecipient
from forces.models import Expert, Force, Personnel
from notify.choices import ResponderChannel
from notify.types import Responder

if TYPE_CHECKING:
    from core.demo import DemoContext

GRIDS_PER_TOWNSHIP = 2
VILLAGES = (
    "前街村 后街村 东庄村 西庄村 王庄村 李庄村 张集村 刘屯村 马庄村 赵楼村 孙堂村 高庄村 "
    "杨营村 陈官屯村 大辛庄村 小刘庄村 胡家湾村 郭庄村 董堤口村 尚店村"
).split()
COMMUNITIES = (
    "东关社区 西关社区 南关社区 北关社区 幸福社区 和平社区 建设社区 文化社区 光明社区 "
    "胜利社区 运河社区 育新社区 桃园社区 清河社区"
).split()


def missing_reference_data() -> list[str]:
    return [] if HazardType.objects.exists() else ["hazard_types"]


@dataclass(frozen=True)
class GridPlan:
    code: str
    name: str
    person_name: str
    person_phone: str
    supervisor_name: str
    supervisor_phone: str
    households: int


def taken_phones() -> set[str]:
    """Every phone the rest of the demo gives a person or a duty line."""
    taken: set[str] = set()
    for model, fields in (
        (User, ("phone",)),
        (Organisation, ("duty_phone",)),
        (Force, ("duty_phone", "leader_phone")),
        (Personnel, ("phone",)),
        (Expert, ("phone",)),
    ):
        for values in model.objects.values_list(*fields):
            taken.update(v for v in values if v)
    return taken


class GridDemo:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = random.Random(f"{DEMO_SEED}-grids")
        self.taken = taken_phones()

    def phone(self) -> str:
        while (number := mobile(self.rng)) in self.taken:
            continue
        self.taken.add(number)
        return number

    def plans(self, township: Jurisdiction) -> list[GridPlan]:
        """The township's grids; the same for every run on the same demo."""
        is_street = township.name.endswith("街道")
        title = "办事处副主任" if is_street else "副镇长"
        leader = person_name(self.rng, male=self.rng.random() < 0.7)
        supervisor = f"{leader}（{township.name}{title}）"
        supervisor_phone = self.phone()
        places = self.rng.sample(COMMUNITIES if is_street else VILLAGES, GRIDS_PER_TOWNSHIP)
        plans = []
        for index, place in enumerate(places, start=1):
            plans.append(
                GridPlan(
                    code=f"{township.code}{index:03d}-01",
                    name=f"{place}网格",
                    person_name=person_name(self.rng, male=self.rng.random() < 0.6),
                    person_phone=self.phone(),
                    supervisor_name=supervisor,
                    supervisor_phone=supervisor_phone,
                    households=self.rng.randint(180, 960),
                )
            )
        return plans

    def county(self, prefix: str, county: Jurisdiction) -> None:
        admin = self.ctx.users[f"{prefix}_admin"]
        townships = Jurisdiction.objects.filter(
            parent=county, level=JurisdictionLevel.TOWNSHIP
        ).order_by("code")
        for township in townships:
            for plan in self.plans(township):
                created = not Grid.objects.filter(code=plan.code).exists()
                if created:
                    grids.create_grid(
                        actor=admin,
                        data={
                            "jurisdiction": township,
                            "code": plan.code,
                            "name": plan.name,
                            "person_name": plan.person_name,
                            "person_phone": plan.person_phone,
                            "supervisor_name": plan.supervisor_name,
                            "supervisor_phone": plan.supervisor_phone,
                            "households": plan.households,
                        },
                        reason="demo",
                    )
                self.ctx.report.count("grids", created)


# The demo county's flood warning: 魏湾镇 and 康庄镇 along the Wei Canal (卫运河).
FLOOD_TOWNSHIPS = ("371581104", "371581103")
FLOOD_WARNING_ID = "demo:linqing-flood-orange"
ANSWERED_GRID_PERSONS = 2


def seed_warning(ctx: DemoContext) -> None:
    """One published orange flood warning, a few grid persons already answered."""
    created = not HazardWarning.objects.filter(external_id=FLOOD_WARNING_ID).exists()
    ctx.report.count("warnings", created)
    if not created:
        return
    editor = ctx.users["linqing_water_editor"]
    now = timezone.now()
    draft = services.create_draft(
        actor=editor,
        data=services.WarningData(
            hazard_type=HazardType.objects.get(code="flood"),
            level=WarningLevel.ORANGE,
            areas=[ctx.jurisdiction(code) for code in FLOOD_TOWNSHIPS],
            headline="卫运河临清段洪水橙色预警",
            description=(
                "受上游持续强降雨影响，卫运河临清段水位持续上涨，预计未来24小时魏湾镇、"
                "康庄镇沿河段将超过警戒水位0.5至0.8米。"
            ),
            instruction="沿河低洼地带群众及时转移至安全地点，不要在河道、堤坝附近逗留。",
            force_instruction="防汛抢险队伍进入待命状态，重点巡查卫运河魏湾、康庄段堤防。",
            effective_at=now,
            expires_at=now + timedelta(hours=24),
            urgency=Urgency.EXPECTED,
            certainty=Certainty.LIKELY,
            external_id=FLOOD_WARNING_ID,
        ),
    )
    warning = services.publish_warning(actor=editor, warning_id=draft.pk)
    answered = WarningRecipient.objects.filter(
        warning=warning, kind=RecipientKind.GRID_PERSON
    ).order_by("jurisdiction__path", "label", "pk")[:ANSWERED_GRID_PERSONS]
    for recipient in answered:
        services.acknowledge_recipient(
            actor=None,
            recipient_id=recipient.pk,
            responder=Responder(
                channel=ResponderChannel.SMS, label=f"短信回复，{mask_phone(recipient.phone)}"
            ),
        )


def seed(ctx: DemoContext) -> None:
    builder = GridDemo(ctx)
    for place in ctx.places:
        if not place.is_city:
            builder.county(place.prefix, ctx.jurisdiction(place.code))
    seed_warning(ctx)
