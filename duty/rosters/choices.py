"""Vocabularies of duty rosters and duty logs (SPEC §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DutyLogCategory(models.TextChoices):
    CALL_RECEIVED = "call_received", _("Call received")
    INSTRUCTION = "instruction", _("Instruction")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")
