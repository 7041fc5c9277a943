"""Vocabularies of roll calls (SPEC §5): how often a schedule runs, a roll call's status
and each target's outcome."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RollCallFrequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    WEEKLY = "weekly", _("Weekly")
    DAILY = "daily", _("Daily")


# More frequent wins when a schedule and an intensification overlap.
FREQUENCY_RANK = {
    RollCallFrequency.MONTHLY: 0,
    RollCallFrequency.WEEKLY: 1,
    RollCallFrequency.DAILY: 2,
}


class RollCallStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class RollCallOutcome(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("roll call", "Waiting")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    NO_ANSWER = "no_answer", _("No answer")
