"""Celery application. Every periodic job is a tick task in the one beat schedule below."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("linkage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One static schedule of tick tasks; each reads what is due from our own tables.
app.conf.beat_schedule = {
    "dispatch-mark-overdue": {"task": "dispatch.tasks.mark_overdue_orders", "schedule": 30.0},
    "dispatch-sweep-deliveries": {"task": "dispatch.tasks.sweep_deliveries", "schedule": 60.0},
    "duty-roll-call-tick": {"task": "duty.tasks.roll_call_tick", "schedule": 60.0},
    "sync-push-subscribers": {"task": "sync.tasks.push_subscribers", "schedule": 10.0},
    "earlywarning-expiry-tick": {"task": "earlywarning.tasks.warning_tick", "schedule": 60.0},
    "command-report-tick": {"task": "command.tasks.report_tick", "schedule": 60.0},
    "response-overdue-tick": {"task": "response.tasks.response_tick", "schedule": 30.0},
    "support-alert-tick": {"task": "support.tasks.support_tick", "schedule": 300.0},
}
