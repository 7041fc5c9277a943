"""Vocabularies of drills (SPEC §6). Values are lowercase and never change once in the API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DrillType(models.TextChoices):
    """Rongcheng §四.二.4: tabletop exercises, special drills, comprehensive drills, joint
    drills and competitions."""

    TABLETOP = "tabletop", _("Tabletop exercise")
    SPECIAL = "special", _("Special drill")
    COMPREHENSIVE = "comprehensive", _("Comprehensive drill")
    JOINT = "joint", _("Joint drill")
    COMPETITION = "competition", _("Competition")


class DrillStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONDUCTED = "conducted", _("Conducted")
    EVALUATED = "evaluated", _("Evaluated")


# The only moves a drill makes: planned → conducted → evaluated.
DRILL_TRANSITIONS: dict[str, frozenset[str]] = {
    DrillStatus.PLANNED: frozenset({DrillStatus.CONDUCTED}),
    DrillStatus.CONDUCTED: frozenset({DrillStatus.EVALUATED}),
    DrillStatus.EVALUATED: frozenset(),
}


class PlanKind(models.TextChoices):
    """Linqing §四.(二): overall, special and department contingency plans."""

    OVERALL = "overall", _("Overall plan")
    SPECIAL = "special", _("Special plan")
    DEPARTMENT = "department", _("Department plan")


class RuleScope(models.TextChoices):
    """What a frequency rule counts: any qualifying drill of the organisation, or a drill
    of each of its special contingency plans."""

    ORGANISATION = "organisation", _("Any qualifying drill")
    SPECIAL_PLAN = "special_plan", _("Each special contingency plan")


class ComplianceStatus(models.TextChoices):
    OK = "ok", _("Up to date")
    DUE = "due", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class AfterActionStatus(models.TextChoices):
    """An after-action report (总结, Liaocheng §三.三.3): the fire brigade drafts and submits,
    the bureau accepts or returns it for rework."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
