"""Fixed vocabularies of SPEC §1. Values are lowercase and never change once in the API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JurisdictionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township or street")
    VILLAGE = "village", _("Village or community")


class OrganisationKind(models.TextChoices):
    EMERGENCY_BUREAU = "emergency_bureau", _("Emergency management bureau")
    FIRE_RESCUE = "fire_rescue", _("Fire and rescue unit")
    INDUSTRY_DEPARTMENT = "industry_department", _("Industry department")
    GOVERNMENT_OFFICE = "government_office", _("Party or government office")
    ENTERPRISE = "enterprise", _("Enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")
    MARITIME_SAR = "maritime_sar", _("Maritime search and rescue centre")


class LinkageTier(models.IntegerChoices):
    """Zhoushan §三.2: tier 1 — 24-hour duty room, 30 min in town; tier 2 — 24-hour
    liaison phone, 60 min in town; tier 3 — answers during working hours."""

    TIER_1 = 1, _("Tier 1")
    TIER_2 = 2, _("Tier 2")
    TIER_3 = 3, _("Tier 3")


class RiskClass(models.TextChoices):
    HIGH = "high", _("High-risk or crowded venue")
    NORMAL = "normal", _("Normal")
