"""``manage.py run_ticks``: the beat schedule of config/celery.py, run in this process.

For the embedded mode (``make run``: no Redis, no Celery worker or beat): every periodic
tick task runs here, eagerly, on its own interval — the same tasks and the same
schedule as ``celery beat`` in production, so roll calls still start by themselves and
overdue orders still raise alerts. Never run it beside a real beat: that would tick
twice (harmless, as every tick is idempotent, but pointless).

Every tick runs once as soon as it starts, before waiting for any interval: the ticks
are also the outbox sweeps, so what a stopped or killed server left undone (queued
notifications, undelivered orders and roll calls, sync pushes) goes out at start, not a
period later.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def _seconds(schedule: Any) -> float:
    if isinstance(schedule, int | float):
        return float(schedule)
    return float(schedule.run_every.total_seconds())  # celery.schedules.schedule


class Command(BaseCommand):
    help = "Run the Celery beat schedule's tick tasks in this process (embedded mode)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every tick once and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        from config.celery import app

        app.loader.import_default_modules()  # autodiscovery: the apps' tasks modules
        entries = {
            name: (entry["task"], _seconds(entry["schedule"]))
            for name, entry in app.conf.beat_schedule.items()
        }
        last_run: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for name, (task, every) in entries.items():
                if name not in last_run or now - last_run[name] >= every:
                    last_run[name] = now
                    self._run(task)
            if options["once"]:
                return
            close_old_connections()
            time.sleep(1)

    def _run(self, task: str) -> None:
        from config.celery import app

        try:
            result = app.tasks[task].apply()
            if result.failed():
                logger.warning("tick %s failed: %s", task, result.result)
            else:
                self.stdout.write(f"{task}: {result.result}")
        except Exception:  # a tick must not stop the ticker
            logger.exception("tick %s failed", task)
