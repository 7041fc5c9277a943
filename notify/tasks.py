"""Celery tasks of notify: they call one service. The periodic sweep and escalation run
from the overdue tick (``notify.services.tick``)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from notify import services


# Backend failures never raise here (send_pending records and schedules them); only a
# lost database connection retries the task, whose rows the sweep would send anyway.
@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def send_deliveries(delivery_ids: list[int]) -> int:
    """Send these deliveries now (queued after the commit that wrote them)."""
    return services.send_pending(delivery_ids=delivery_ids, limit=max(len(delivery_ids), 1))
