"""Celery tasks of incidents: they call one service each. The tick is in config/celery.py's
one beat schedule (and ``manage.py run_ticks`` in the embedded mode)."""

from __future__ import annotations

from celery import shared_task

from command import reports


@shared_task(acks_late=True)
def report_tick() -> dict[str, int]:
    """Reports due within 10 minutes remind the duty officers; past due become 迟报."""
    return reports.tick()
