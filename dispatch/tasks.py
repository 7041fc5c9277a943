"""Celery tasks of the dispatch chain: they load by id and call one service. Periodic
ticks are in the one beat schedule of config/celery.py."""

from __future__ import annotations

from celery import shared_task

from dispatch import services
from notify import services as notify_services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def deliver_orders(order_ids: list[int]) -> int:
    """Deliver orders to forces and notices to departments after the approval commits."""
    return sum(1 for pk in order_ids if services.deliver_order(order_id=pk))


@shared_task(acks_late=True)
def sweep_deliveries() -> int:
    """Re-deliver whatever a lost task left undelivered (the outbox sweep)."""
    return sum(1 for pk in services.undelivered_order_ids() if services.deliver_order(order_id=pk))


@shared_task(acks_late=True)
def mark_overdue_orders() -> int:
    """Raise alerts for overdue order steps, then drive notifications (one beat tick):
    escalate what nobody acknowledged in time, send what is due, retry what failed."""
    raised = len(services.mark_overdue())
    notify_services.tick()
    return raised
