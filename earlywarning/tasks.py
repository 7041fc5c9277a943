"""Celery tasks of warnings: they call one service each. The tick is in config/celery.py's
one beat schedule (and ``manage.py run_ticks`` in the embedded mode); the chase itself
(re-send, call, raise) runs in notify's tick."""

from __future__ import annotations

from celery import shared_task

from earlywarning import services


@shared_task(acks_late=True)
def warning_tick() -> dict[str, int]:
    """Warnings past their expiry become expired and stop being chased."""
    return {"expired": services.expire_due()}
