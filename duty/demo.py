"""Demo duty data for ``seed_demo`` (built after core.demo's organisations and forces)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from duty.rollcalls.demo import seed_roll_calls
from duty.rosters.demo import seed_rosters

if TYPE_CHECKING:
    from core.demo import DemoReport


def seed(report: DemoReport) -> None:
    seed_rosters(report)
    seed_roll_calls(report)
