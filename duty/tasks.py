"""Celery tasks of duty: they call one service each. The tick is in config/celery.py's
one beat schedule."""

from __future__ import annotations

from celery import shared_task

from duty.rollcalls import services as rollcall_services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def deliver_roll_call(roll_call_id: int) -> int:
    """Notify the forces of a roll call after it commits."""
    return rollcall_services.deliver_roll_call(roll_call_id=roll_call_id)


@shared_task(acks_late=True)
def roll_call_tick() -> dict[str, int]:
    """Start the roll calls due, close the expired ones, re-deliver what a lost task left."""
    return rollcall_services.tick()
