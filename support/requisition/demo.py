"""The demo city's requisitions and compensation claims, on 临清市's flood incident
(京杭运河临清段西堤管涌): an excavator requisitioned from a construction enterprise and
handed over; a truck crane called up from a private owner and returned with a damaged
outrigger, its compensation claimed by the bureau on the owner's behalf and reviewed;
and the 蓝天救援队's claim for its costs, awaiting the department's review. Called by
support/demo.py (after reserves and allocation); idempotent."""

from __future__ import annotations

import datetime

from django.utils import timezone

from command.models import Incident
from core.choices import OrganisationKind
from core.demo import DemoContext
from core.models import Organisation
from forces.models import Force
from support.compensation import services as compensation
from support.models import Requisition
from support.requisition import services

FLOOD = "京杭运河临清段西堤管涌"
BUILDER = "临清市宏达建筑工程有限公司"


def seed(ctx: DemoContext) -> None:
    incident = Incident.objects.filter(title=FLOOD).select_related("jurisdiction").first()
    if incident is None or Requisition.objects.filter(incident=incident).exists():
        ctx.report.count("requisitions", False)
        return
    duty = ctx.users.get("linqing_duty")
    if duty is None:
        return
    builder, _created = Organisation.objects.get_or_create(
        name=BUILDER,
        defaults={
            "kind": OrganisationKind.ENTERPRISE,
            "jurisdiction": incident.jurisdiction,
            "linkage_tier": 3,
            "duty_phone": "0635-2368816",
            "sector": "住房城乡建设",
        },
    )
    now = timezone.now()
    excavator = services.request_requisition(
        actor=duty,
        incident_id=incident.pk,
        data={
            "mode": "requisition",
            "description": "履带式挖掘机（三一SY215C）",
            "quantity": 1,
            "plate_or_serial": "SY215C-LQ-0318",
            "with_operator": True,
            "owner_organisation": builder,
            "owner_phone": "0635-2368816",
            "needed_from": now - datetime.timedelta(hours=6),
            "needed_until": now + datetime.timedelta(days=2),
            "purpose": "西堤管涌处开挖导渗沟、装运砂石料筑反滤围井",
        },
    )
    services.record_handover(
        actor=duty,
        requisition_id=excavator.pk,
        at=now - datetime.timedelta(hours=5),
        condition="设备完好，燃油满箱，随机操作手1名（持证）",
    )
    crane = services.request_requisition(
        actor=duty,
        incident_id=incident.pk,
        data={
            "mode": "call",
            "description": "25吨汽车起重机",
            "quantity": 1,
            "plate_or_serial": "鲁P·3K726",
            "with_operator": True,
            "owner_name": "刘德胜（个体）",
            "owner_phone": "13963578214",
            "needed_from": now - datetime.timedelta(hours=20),
            "needed_until": now - datetime.timedelta(hours=2),
            "purpose": "吊装抢险石笼、编织袋吨包至堤顶",
        },
    )
    services.record_handover(
        actor=duty,
        requisition_id=crane.pk,
        at=now - datetime.timedelta(hours=19),
        condition="车况良好，支腿、吊钩检验合格",
    )
    services.record_return(
        actor=duty,
        requisition_id=crane.pk,
        at=now - datetime.timedelta(hours=3),
        condition="已归还，右后支腿油缸渗漏",
        damage="右后支腿油缸密封件损坏，需更换",
    )
    claim = compensation.create_claim(
        actor=duty,
        data={
            "requisition": crane,
            "basis": "no_liable_party",
            "summary": "应急调用25吨汽车起重机16小时，吊装石笼及吨包，作业中右后支腿油缸受损。",
            "bank_account_name": "刘德胜",
            "bank_account": "6228480258123456789",
        },
        costs=[
            {"category": "rental", "description": "起重机台班 2 个（含操作手）", "amount": "3600"},
            {"category": "fuel", "description": "柴油 180 升", "amount": "1368"},
            {"category": "equipment_wear", "description": "支腿油缸密封件更换", "amount": "2150"},
        ],
    )
    compensation.submit_claim(actor=duty, claim_id=claim.pk)
    compensation.review_claim(
        actor=duty,
        claim_id=claim.pk,
        opinion="经核实，调用时间与作业记录相符，损坏系抢险作业所致，建议按申报金额补偿。",
    )
    _force_claim(ctx, incident)
    ctx.report.count("requisitions", True)


def _force_claim(ctx: DemoContext, incident: Incident) -> None:
    account = ctx.users.get("linqing_force")
    if account is None or account.organisation_id is None:
        return
    force = Force.objects.filter(organisation_id=account.organisation_id).order_by("pk").first()
    if force is None:
        return
    claim = compensation.create_claim(
        actor=account,
        data={
            "force": force,
            "incident": incident,
            "basis": "no_liable_party",
            "summary": "出动队员18人、冲锋舟2艘，参与西堤巡查和群众转移36小时，转移群众210人。",
            "bank_account_name": force.name,
            "bank_account": "37001658010050012345",
        },
        costs=[
            {"category": "personnel", "description": "队员误工补助 18 人×1.5 天", "amount": "5400"},
            {"category": "fuel", "description": "冲锋舟及车辆燃油", "amount": "1860"},
            {"category": "board", "description": "队员餐费", "amount": "1620"},
            {"category": "equipment_wear", "description": "救生衣、抛投器损耗", "amount": "980"},
        ],
    )
    compensation.submit_claim(actor=account, claim_id=claim.pk)
