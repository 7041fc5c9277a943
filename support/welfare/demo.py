"""The demo city's rescuer welfare: health records and accident-insurance policies for the
demo forces' people (a few lapsing within the warning days, a few examinations due),
commendations after the Linqing flood, and one injury under 评残 review. Built once:
a second run finds the records and leaves them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from command.models import Incident
from core.demo import DemoContext
from forces.models import Personnel
from support.models import Commendation, HealthRecord
from support.welfare import services

PEOPLE_PER_PLACE = 8
INSURERS = ("中国人寿保险股份有限公司聊城分公司", "中国人民财产保险股份有限公司聊城市分公司")
HOSPITALS = {
    "371500": "聊城市人民医院体检中心",
    "371581": "临清市人民医院体检中心",
    "371521": "阳谷县人民医院体检中心",
}
FLOOD_TITLE = "京杭运河临清段西堤管涌"


def seed(ctx: DemoContext) -> None:
    if HealthRecord.objects.exists():
        ctx.report.count("welfare records", False)
        return
    today = timezone.localdate()
    for place in ctx.places:
        actor = ctx.users.get(f"{place.prefix}_duty")
        if actor is None:
            continue
        people = list(
            Personnel.objects.filter(force__jurisdiction__code=place.code, is_active=True)
            .select_related("force")
            .order_by("force__name", "pk")[:PEOPLE_PER_PLACE]
        )
        for i, person in enumerate(people):
            _health(ctx, actor, person, today, i, HOSPITALS.get(place.code, "县人民医院体检中心"))
            _insurance(ctx, actor, person, today, i)
    _linqing_flood(ctx, today)


def _health(ctx, actor, person, today, i, hospital) -> None:
    # Every fourth one examined over a year ago: due now.
    days_ago = ctx.rng.randint(380, 420) if i % 4 == 1 else ctx.rng.randint(20, 300)
    examined = today - datetime.timedelta(days=days_ago)
    services.record_health(
        actor=actor,
        personnel_id=person.pk,
        data={
            "kind": "medical_exam" if i % 3 else "occupational",
            "examined_on": examined,
            "institution": hospital,
            "fit_for_duty": True,
            "conclusion": "各项指标未见明显异常，适合从事应急救援工作。",
        },
    )
    ctx.report.count("welfare records", True)


def _insurance(ctx, actor, person, today, i) -> None:
    warning = settings.SUPPORT_INSURANCE_WARNING_DAYS
    # Every fourth one lapsing within the warning days, the others well covered.
    if i % 4 == 0:
        expires = today + datetime.timedelta(days=ctx.rng.randint(3, max(warning - 2, 4)))
    else:
        expires = today + datetime.timedelta(days=ctx.rng.randint(90, 330))
    starts = expires - datetime.timedelta(days=365)
    services.record_insurance(
        actor=actor,
        personnel_id=person.pk,
        data={
            "insurer": INSURERS[i % 2],
            "policy_number": f"YWX{starts:%Y}{person.pk:06d}",
            "sum_insured": "500000.00" if i % 2 else "300000.00",
            "starts_on": starts,
            "expires_on": expires,
        },
    )


def _linqing_flood(ctx: DemoContext, today: datetime.date) -> None:
    """Commendations after the canal piping flood, and an injury under 评残 review."""
    approver = ctx.users.get("linqing_approver")
    duty = ctx.users.get("linqing_duty")
    incident = Incident.objects.filter(title=FLOOD_TITLE).first()
    if approver is None or duty is None:
        return
    people = list(
        Personnel.objects.filter(force__jurisdiction__code="371581", is_active=True)
        .select_related("force")
        .order_by("force__name", "pk")[:3]
    )
    if not people or Commendation.objects.exists():
        return
    awarded = today - datetime.timedelta(days=3)
    common = {
        "incident": incident.pk if incident else None,
        "awarded_by": "临清市人民政府",
        "awarded_on": awarded,
        "document_number": f"临政字〔{awarded:%Y}〕41号",
    }
    services.record_commendation(
        actor=approver,
        data={
            **common,
            "force": people[0].force_id,
            "level": "award",
            "title": "防汛抢险先进集体",
            "reason": "京杭运河临清段西堤管涌抢险中连续奋战，筑反滤围井3处，保住大堤安全。",
        },
    )
    for person, level in zip(people[:2], ("third_class", "commendation"), strict=False):
        services.record_commendation(
            actor=approver,
            data={
                **common,
                "personnel": person.pk,
                "level": level,
                "title": "防汛抢险先进个人",
                "reason": "在管涌抢护中冒雨连续作业，带领队员完成反滤围井砌筑。",
            },
        )
    injured = people[-1]
    case = services.submit_casualty(
        actor=duty,
        personnel_id=injured.pk,
        data={
            "incident": incident.pk if incident else None,
            "kind": "injured",
            "procedure": "disability",
            "occurred_at": timezone.now() - datetime.timedelta(days=5, hours=3),
            "circumstances": (
                "夜间搬运砂袋加固堤防时堤坡湿滑跌落，右腿胫骨骨折，送临清市人民医院救治。"
            ),
        },
    )
    services.review_casualty(
        actor=duty,
        case_id=case.pk,
        opinion="经核实，该同志系在执行防汛抢险任务中受伤，情况属实，同意申报评残，报人社部门认定。",
    )
    ctx.report.count("casualty cases", True)
