"""The demo's forces and experts (SPEC §1, §2), built through ``forces.services`` on
core's organisations and accounts (``core.demo``). Values are drawn from the demo's one
generator, right after core's draws, whether or not a row exists: the forces place by
place, then the experts."""

from __future__ import annotations

from core.demo import DemoContext
from forces.demo.experts import seed_experts
from forces.demo.forces import COUNTY_FORCES, ForceDemo
from forces.models import Formation, Specialty

__all__ = ["COUNTY_FORCES", "ForceDemo", "missing_reference_data", "seed"]


def missing_reference_data() -> list[str]:
    missing = []
    if not Specialty.objects.exists():
        missing.append("specialties")
    if not Formation.objects.exists():
        missing.append("formations")
    return missing


def seed(ctx: DemoContext) -> None:
    builder = ForceDemo(ctx)
    for place in ctx.places:
        builder.forces(place)
    seed_experts(ctx)
