"""Celery tasks of support: they call one service each. The tick is in config/celery.py's
one beat schedule."""

from __future__ import annotations

from celery import shared_task

from support.reserves.alerts import check_stock_alerts
from support.welfare.alerts import check_welfare_alerts


@shared_task(acks_late=True)
def support_tick() -> dict[str, int]:
    """Raise the alerts due: low stock, near expiry, lapsing insurance, medical exams."""
    return {"stock": check_stock_alerts(), "welfare": check_welfare_alerts()}
