from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.demo import DemoReport


def seed_roll_calls(report: DemoReport) -> None:
    """Idempotent: rows that exist are left alone; report.count(what, created) per row."""
