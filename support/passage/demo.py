"""The demo city's passage (Liaocheng §四.2): on the Linqing flood incident (the Grand
Canal's west bank piping), a traffic-control request to 临清市公安局 accepted (recorded by
the bureau's duty officer after the police's phone confirmation), an emergency channel
asked of 临清市交通运输局 and still awaiting an answer, and two vehicle passes for rescue
vehicles — one of them revoked. Found again by the incident on later runs."""

from __future__ import annotations

import datetime

from django.utils import timezone

from command.models import Incident
from core.demo import DemoContext
from forces.models import Force
from support.choices import PassageKind
from support.models import PassageRequest
from support.passage import services

# The Linqing flood incident of the command demo (response/demo.py CANAL_PIPING).
CANAL_PIPING = "京杭运河临清段西堤管涌"


def seed(ctx: DemoContext) -> None:
    incident = Incident.objects.filter(title=CANAL_PIPING, status="open").first()
    duty = ctx.users.get("linqing_duty")
    dispatcher = ctx.users.get("linqing_dispatcher")
    done = incident is not None and PassageRequest.objects.filter(incident=incident).exists()
    ctx.report.count("passage requests", incident is not None and not done)
    if incident is None or done or duty is None or dispatcher is None:
        return
    police = ctx.orgs.get(("linqing", "police"))
    transport = ctx.orgs.get(("linqing", "transport"))
    now = timezone.now().replace(second=0, microsecond=0)
    if police is not None:
        control = services.request_passage(
            actor=duty,
            incident_id=incident.pk,
            data={
                "kind": PassageKind.TRAFFIC_CONTROL,
                "addressee": police.pk,
                "area": "G308国道魏湾镇运河大桥至临清市区段、运河西堤巡堤路",
                "reason": "京杭运河临清段西堤管涌抢险，需管制社会车辆，保障抢险车辆和物资运输。",
                "starts_at": now - datetime.timedelta(hours=2),
                "ends_at": now + datetime.timedelta(days=2),
            },
        )
        services.answer_passage(
            actor=duty,
            request_id=control.pk,
            accepted=True,
            answer="临清市公安局交警大队电话确认：已在运河大桥两端设卡，社会车辆绕行S254。",
        )
    if transport is not None:
        services.request_passage(
            actor=dispatcher,
            incident_id=incident.pk,
            data={
                "kind": PassageKind.EMERGENCY_CHANNEL,
                "addressee": transport.pk,
                "area": "魏湾镇至西堤抢险点乡道，约6公里",
                "reason": "大型排涝设备和编织袋运输车辆进场，需开辟应急通道并清障。",
                "starts_at": now,
            },
        )
    forces = list(
        Force.objects.filter(jurisdiction=incident.jurisdiction, is_active=True).order_by(
            "name", "pk"
        )[:2]
    )
    plates = ("鲁P3A128", "鲁PD61820")
    vehicles = ("抢险运输车", "排涝抢险车")
    for n, force in enumerate(forces):
        vehicle_pass = services.issue_pass(
            actor=dispatcher,
            data={
                "incident": incident.pk,
                "force": force.pk,
                "plate": plates[n],
                "vehicle": vehicles[n],
                "route": "临清市区—G308国道—魏湾镇运河大桥—西堤抢险点",
                "valid_from": now - datetime.timedelta(hours=1),
                "valid_until": now + datetime.timedelta(days=3),
            },
        )
        ctx.report.count("vehicle passes", True)
        if n == 1:
            services.revoke_pass(
                actor=dispatcher, pass_id=vehicle_pass.pk, reason="车辆故障，改派他车"
            )
