"""The demo city's allocation (filled by its owner)."""

from __future__ import annotations

from core.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    return None
