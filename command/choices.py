"""Vocabularies of SPEC §3 (incidents)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class Disposition(models.TextChoices):
    """Emergency or not (Zhoushan §二.3, §三.2): a non-emergency call becomes a 12345 work
    order; a sea incident goes to the maritime search-and-rescue centre."""

    EMERGENCY = "emergency", _("Emergency")
    HOTLINE = "hotline", _("Transferred to 12345")
    MARITIME = "maritime", _("Handed to maritime SAR")


class CoordinateSystem(models.TextChoices):
    """The datum of typed or picked coordinates; stored coordinates are always WGS-84
    (ECOSYSTEM.md: Gaode/Tencent maps use GCJ-02, Baidu BD-09)."""

    WGS84 = "wgs84", _("WGS-84 (GPS, Tianditu)")
    GCJ02 = "gcj02", _("GCJ-02 (Gaode, Tencent)")
    BD09 = "bd09", _("BD-09 (Baidu)")


class HandoverKind(models.TextChoices):
    """首接负责制: the first receiver hands the case to the responsible unit when it
    arrives; a sea incident is handed to the maritime SAR centre."""

    RESPONSIBLE_UNIT = "responsible_unit", _("To the responsible unit")
    MARITIME = "maritime", _("To the maritime SAR centre")


class CommandAuthority(models.TextChoices):
    """Who commands (Liaocheng §三.一.3, Zhoushan §三.1), in the order command passes."""

    FIRE_BRIGADE = "fire_brigade", _("Fire brigade on scene")
    ONSITE_HQ = "onsite_hq", _("On-site command HQ")
    SPECIAL_HQ = "special_hq", _("Government special HQ")


class ReportKind(models.TextChoices):
    """The reports of an incident that meets the reporting criteria (Tieling §三.二.2,
    Liaocheng §三.三.1): 初报 within 30 minutes, 抄报 copies, 续报, 终报."""

    INITIAL = "initial", _("Initial report")
    COPY = "copy", _("Copy")
    FOLLOW_UP = "follow_up", _("Follow-up report")
    FINAL = "final", _("Final report")


class ReportAddressee(models.TextChoices):
    PARTY_GOVERNMENT = "party_government", _("Party committee and government")
    BUREAU = "bureau", _("Emergency management bureau")
    FIRE_BRIGADE = "fire_brigade", _("Fire and rescue brigade")


class ReportStatus(models.TextChoices):
    DUE = "due", pgettext_lazy("report status", "Due")
    SUBMITTED = "submitted", _("Submitted")
    RECEIVED = "received", pgettext_lazy("report status", "Received")


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONCLUDED = "concluded", _("Concluded")
