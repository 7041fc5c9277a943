"""The support part of the demo city (``core.demo``): each part seeds its own, in an
order where each builds on the ones before (stock before allocations)."""

from __future__ import annotations

from core.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    from support.allocation import demo as allocation
    from support.passage import demo as passage
    from support.requisition import demo as requisition
    from support.reserves import demo as reserves
    from support.shelters import demo as shelters
    from support.welfare import demo as welfare

    for part in (reserves, shelters, welfare, allocation, requisition, passage):
        part.seed(ctx)
