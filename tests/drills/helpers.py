"""Builders for drill tests: plan and conduct drills through the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from drills import services
from drills.models import Drill


def plan_drill(actor, organiser, *, forces=(), organisations=(), **data: Any) -> Drill:
    defaults: dict[str, Any] = {
        "title": "防汛抢险演练",
        "drill_type": "comprehensive",
        "hazard": "flood",
        "planned_date": date(2026, 5, 20),
    }
    defaults.update(data)
    return services.create_drill(
        actor=actor,
        organiser=organiser,
        data=defaults,
        forces=forces,
        organisations=organisations,
    )


def conducted(actor, organiser, on: date, **data: Any) -> Drill:
    data.setdefault("planned_date", on)
    drill = plan_drill(actor, organiser, **data)
    return services.conduct_drill(actor=actor, drill_id=drill.pk, conducted_on=on, today=on)
