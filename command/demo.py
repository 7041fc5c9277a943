"""The demo's open incidents in 临清市 and 阳谷县 (SPEC §3), recorded through
``command.services`` by each county's duty officer (``core.demo``'s accounts). An
incident is found again by its title on later runs; nothing is drawn at random."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from command import report_demo
from command import services as command_services
from command.models import Incident, IncidentType
from core.demo import DemoContext


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
# fmt: on


def missing_reference_data() -> list[str]:
    return [] if IncidentType.objects.exists() else ["incident_types"]


def seed(ctx: DemoContext) -> None:
    report_demo.seed_rules(ctx)
    types = {t.code: t for t in IncidentType.objects.all()}
    for place in ctx.places:
        jurisdiction = ctx.jurisdiction(place.code)
        for row in DEMO_INCIDENTS:
            if row.place != place.prefix:
                continue
            incident = Incident.objects.filter(jurisdiction=jurisdiction, title=row.title).first()
            ctx.report.count("incidents", incident is None)
            if incident is not None:
                continue
            command_services.create_incident(
                actor=ctx.users[f"{place.prefix}_duty"],
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
    report_demo.seed_reports(ctx)
