"""Celery tasks of graded response: they call one service each. The tick is in
config/celery.py's one beat schedule (and ``manage.py run_ticks`` in the embedded mode,
which ``make run`` starts beside the server); the chase of silent departments (re-send,
call, raise) runs in notify's tick."""

from __future__ import annotations

from celery import shared_task

from response import services


@shared_task(acks_late=True)
def response_tick() -> dict[str, int]:
    """Open instructions past their due time are flagged overdue, once."""
    return {"overdue": services.flag_overdue()}
