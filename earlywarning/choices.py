"""The vocabulary of warnings (SPEC §3 预警; DESIGN12). Values never change once in the
API and in CAP exports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WarningLevel(models.TextChoices):
    """预警级别 by colour, red highest (GB/T 35965.1 maps them onto CAP severity)."""

    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


# Higher is more severe: sort and compare levels with this, never by value.
LEVEL_RANK = {
    WarningLevel.BLUE: 1,
    WarningLevel.YELLOW: 2,
    WarningLevel.ORANGE: 3,
    WarningLevel.RED: 4,
}
# Chinese whatever the UI language: SMS texts and CAP <info xml:lang="zh-CN">.
LEVEL_ZH = {
    WarningLevel.BLUE: "蓝色",
    WarningLevel.YELLOW: "黄色",
    WarningLevel.ORANGE: "橙色",
    WarningLevel.RED: "红色",
}
# Orange and red may open a roll-call key period for their area.
KEY_PERIOD_LEVELS = frozenset({WarningLevel.ORANGE, WarningLevel.RED})


class WarningStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    # Replaced by a newer published version (msgType Update references it).
    UPDATED = "updated", _("Updated")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# The statuses of a warning in force (its recipients are chased, its board is live).
ACTIVE_STATUSES = frozenset({WarningStatus.PUBLISHED})


class MessageType(models.TextChoices):
    """CAP msgType of the version: Alert for the first, Update for a revision."""

    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancel")


class WarningSource(models.TextChoices):
    LOCAL = "local", _("Drafted here")
    IMPORTED = "imported", _("Imported CAP message")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediate")
    EXPECTED = "Expected", _("Expected")
    FUTURE = "Future", _("Future")
    PAST = "Past", _("Past")
    UNKNOWN = "Unknown", _("Unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed")
    LIKELY = "Likely", _("Likely")
    POSSIBLE = "Possible", _("Possible")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")


class CapCategory(models.TextChoices):
    GEO = "Geo", _("Geophysical")
    MET = "Met", _("Meteorological")
    SAFETY = "Safety", _("Safety")
    SECURITY = "Security", _("Security")
    RESCUE = "Rescue", _("Rescue")
    FIRE = "Fire", _("Fire")
    HEALTH = "Health", _("Health")
    ENV = "Env", _("Environmental")
    TRANSPORT = "Transport", _("Transport")
    INFRA = "Infra", _("Infrastructure")
    CBRNE = "CBRNE", _("CBRNE")
    OTHER = "Other", _("Other")


class RecipientKind(models.TextChoices):
    """Who a warning reaches (叫应 right down to the grid person, Tieling §三.二.5)."""

    GRID_PERSON = "grid_person", _("Grid person")
    FORCE = "force", _("Force")
    DEPARTMENT = "department", _("Department")
    DUTY_OFFICER = "duty_officer", _("Duty officer")


class RecipientState(models.TextChoices):
    """A recipient on the 叫应 board (computed by earlywarning.selectors, not stored)."""

    ANSWERED = "answered", _("Answered")
    CHASING = "chasing", _("Being chased")
    UNREACHED = "unreached", _("Not reached")
