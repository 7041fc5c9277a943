"""Celery tasks of sync: the pusher's tick (every 10 s on the beat schedule, and in
``run_ticks`` for the embedded mode)."""

from __future__ import annotations

from celery import shared_task

from core.api.authentication import prune_nonces
from sync import pusher


@shared_task(acks_late=True)
def push_subscribers() -> int:
    """Push what is due to every subscriber, and forget signed requests' old nonces."""
    prune_nonces()
    return pusher.push_due()
