"""Dispatch policies, special periods and deadlines (Zhoushan §三.2: tiers and arrival
deadlines; Liaocheng §三.一.2: flood season and sensitive periods). Reads only: the services
stamp them on plans and orders, the selectors use them for suggestions and lateness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from command.choices import AreaType
from command.models import Incident
from core.models import Jurisdiction
from dispatch.models import DispatchPolicy, SpecialPeriod
from forces.models import Force


@dataclass(frozen=True)
class Deadlines:
    ack: timedelta
    arrival: timedelta | None
    result: timedelta


SEED_POLICY = DispatchPolicy(
    ack_minutes=5, tier1_urban_minutes=30, tier2_urban_minutes=60, result_hours=24
)


def policy_for(jurisdiction: Jurisdiction) -> DispatchPolicy:
    """The nearest policy up the tree, else the seeds' figures."""
    codes = jurisdiction.ancestors_and_self()
    policies = {
        p.jurisdiction.code: p
        for p in DispatchPolicy.objects.filter(jurisdiction__code__in=codes).select_related(
            "jurisdiction"
        )
    }
    for code in reversed(codes):
        if code in policies:
            return policies[code]
    return SEED_POLICY


def deadlines_for(force: Force, incident: Incident) -> Deadlines:
    """Zhoushan §三.2: tier 1 arrives within 30 min in town, tier 2 within 60 min; rural
    has no fixed deadline unless the jurisdiction configures one."""
    policy = policy_for(incident.jurisdiction)
    area = "urban" if incident.area_type == AreaType.URBAN else "rural"
    minutes = getattr(policy, f"tier{force.linkage_tier}_{area}_minutes", None)
    return Deadlines(
        ack=timedelta(minutes=policy.ack_minutes),
        arrival=timedelta(minutes=minutes) if minutes else None,
        result=timedelta(hours=policy.result_hours),
    )


def _in_range(period: SpecialPeriod, day: date) -> bool:
    if not period.recurs_yearly:
        return period.starts_on <= day <= period.ends_on
    start = (period.starts_on.month, period.starts_on.day)
    end = (period.ends_on.month, period.ends_on.day)
    today = (day.month, day.day)
    return start <= today <= end if start <= end else (today >= start or today <= end)


def active_special_periods(jurisdiction: Jurisdiction, day: date) -> list[SpecialPeriod]:
    """Flood season or sensitive periods covering ``jurisdiction`` on ``day``."""
    candidates = SpecialPeriod.objects.filter(
        jurisdiction__code__in=jurisdiction.ancestors_and_self()
    )
    return [p for p in candidates if _in_range(p, day)]
