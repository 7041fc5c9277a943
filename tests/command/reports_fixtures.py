"""Fixtures of the 30-minute reporting tests: a city rule (level III and above, or any
death, or three injured or missing) and a county rule for hazardous chemicals (any)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from command import reports
from command.models import ReportRule
from tests import factories as f

NOW = datetime(2026, 7, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def rule(jurisdiction, name="较大及以上或有人员伤亡", types=(), **data) -> ReportRule:
    obj = ReportRule.objects.create(jurisdiction=jurisdiction, name=name, **data)
    obj.incident_types.set(types)
    return obj


def record(actor, **extra):
    values = {
        "title": "临清市先锋路商铺火灾",
        "source": "119",
        "latitude": Decimal("36.840100"),
        "longitude": Decimal("115.711200"),
        "level": "iv",
    }
    values.update(extra)
    return f.incident(actor, **values)


@pytest.fixture
def report_world(incident_world):
    w = incident_world
    w.chem_type = f.incident_type("21B01", "危险化学品事故", "accident", "hazchem_industrial")
    w.city_rule = rule(
        w.city,
        min_level="iii",
        min_deaths=1,
        min_injuries=3,
        min_missing=3,
        initial_minutes=30,
        follow_up_minutes=120,
        final_hours=24,
    )
    w.chem_rule = rule(
        w.county_a, name="危化品事故一律报告", types=[w.chem_type], initial_minutes=20
    )
    return w


def reportable(w, **extra):
    """A level III fire in county A recorded by its duty officer: reportable."""
    extra.setdefault("incident_type", w.fire_type)
    extra.setdefault("level", "iii")
    incident = record(w.duty_officer_a, **extra)
    return incident, list(incident.reports.order_by("kind", "addressee", "sequence"))


__all__ = ["NOW", "record", "report_world", "reportable", "reports", "rule"]
