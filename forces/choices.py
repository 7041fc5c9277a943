"""Vocabularies of SPEC §2 (force census fields from Rongcheng §四.二.1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ForceCategory(models.TextChoices):
    GOVERNMENT = "government", _("Government force")
    ENTERPRISE = "enterprise", _("Enterprise force")
    SOCIAL = "social", _("Social force")
    EXPERT = "expert", _("Expert force")


class ForceStatus(models.TextChoices):
    STANDBY = "standby", _("Standby")
    DEPLOYED = "deployed", _("Deployed")
    RESTING = "resting", _("Resting")
    UNAVAILABLE = "unavailable", _("Unavailable")


class DutyMode(models.TextChoices):
    FULL_TIME = "full_time", _("24-hour full-time")
    PART_TIME = "part_time", _("Part-time")
    LIAISON = "liaison", _("Liaison")


class CommMeans(models.TextChoices):
    PHONE = "phone", _("Telephone")
    RADIO_370 = "radio_370", _("370 MHz radio")
    SATELLITE = "satellite", _("Satellite phone")
    BEIDOU = "beidou", _("BeiDou terminal")


class FundingMode(models.TextChoices):
    FISCAL_FULL = "fiscal_full", _("Fully funded by government budget")
    FISCAL_PARTIAL = "fiscal_partial", _("Partly funded by government budget")
    ENTERPRISE = "enterprise", _("Funded by the enterprise")
    PURCHASED = "purchased", _("Government-purchased service")
    SELF_RAISED = "self_raised", _("Self-raised and donations")


class EquipmentCondition(models.TextChoices):
    READY = "ready", _("Ready")
    MAINTENANCE = "maintenance", _("Under maintenance")
    RETIRED = "retired", _("Retired")


class ExpertAvailability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    BUSY = "busy", _("Busy")
    UNAVAILABLE = "unavailable", _("Unavailable")


class DisasterType(models.TextChoices):
    """Rongcheng §四.二.4: the seven disaster types that get a dispatch formation."""

    EARTHQUAKE_GEOLOGICAL = "earthquake_geological", _("Earthquake and geological disaster")
    NON_COAL_MINE = "non_coal_mine", _("Non-coal mine accident")
    HAZCHEM_INDUSTRIAL = "hazchem_industrial", _("Hazardous chemicals and industrial accident")
    FIRE = "fire", _("Fire")
    TRAFFIC = "traffic", _("Traffic accident")
    FLOOD = "flood", _("Flood and waterlogging")
    FOREST_FIRE = "forest_fire", _("Forest fire")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
