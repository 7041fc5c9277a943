"""Demo duty data for ``seed_demo`` (built after the organisations, accounts and forces of
``core.demo`` and ``forces.demo``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from duty.rollcalls.demo import seed_roll_calls
from duty.rosters.demo import seed_rosters

if TYPE_CHECKING:
    from core.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    seed_rosters(ctx.report)
    seed_roll_calls(ctx.report)
