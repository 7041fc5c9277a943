"""Vocabularies of SPEC §3 (incidents)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentCategory(models.TextChoices):
    """GB/T 35561 top-level categories."""

    NATURAL = "natural", _("Natural disaster")
    ACCIDENT = "accident", _("Accident")
    PUBLIC_HEALTH = "public_health", _("Public health event")
    SOCIAL_SECURITY = "social_security", _("Social security event")


class IncidentSource(models.TextChoices):
    CALL_110 = "110", _("110 police")
    CALL_119 = "119", _("119 fire")
    CALL_120 = "120", _("120 ambulance")
    CALL_122 = "122", _("122 traffic")
    CALL_12345 = "12345", _("12345 hotline")
    DEPARTMENT = "department", _("Department report")
    PUBLIC = "public", _("Public report")
    WARNING = "warning", _("Warning")


class IncidentLevel(models.TextChoices):
    UNASSESSED = "unassessed", _("Unassessed")
    IV = "iv", _("Level IV (general)")
    III = "iii", _("Level III (large)")
    II = "ii", _("Level II (major)")
    I = "i", _("Level I (especially major)")  # noqa: E741 — the level's name is Ⅰ


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AreaType(models.TextChoices):
    """Zhoushan §三.2: arrival deadlines apply in town; rural is "as fast as possible"."""

    URBAN = "urban", _("Town")
    RURAL = "rural", _("Rural")
