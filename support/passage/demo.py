"""The demo city's passage (filled by its owner)."""

from __future__ import annotations

from core.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    return None
