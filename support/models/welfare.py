"""Rescuer welfare (人员待遇保障, Liaocheng §四.4): for linked rescuers (``forces.Personnel``)
health records and medical examinations, accident insurance with reminders before it
lapses, commendations, and injuries and deaths with the 评残/评烈 procedure recorded.

``Personnel.medical_exam_date`` and ``Personnel.insurance_expiry`` stay the registry's
summary; the welfare services keep them equal to the newest record here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import ScopedQuerySet
from support.choices import (
    CasualtyKind,
    CasualtyProcedure,
    CasualtyStatus,
    CommendationLevel,
    HealthRecordKind,
)

__all__ = ["CasualtyCase", "Commendation", "HealthRecord", "InsurancePolicy"]

_PERSON_SCOPE = "personnel__force__jurisdiction"


class HealthRecord(models.Model):
    """A health file entry (职业健康档案): an examination and its conclusion."""

    jurisdiction_lookup = _PERSON_SCOPE

    personnel = models.ForeignKey(
        "forces.Personnel", models.PROTECT, related_name="health_records", verbose_name=_("rescuer")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=HealthRecordKind.choices)
    examined_on = models.DateField(_("examined on"))
    institution = models.CharField(_("institution"), max_length=150, blank=True)
    fit_for_duty = models.BooleanField(_("fit for duty"), default=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    next_due = models.DateField(_("next examination due"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("health record")
        verbose_name_plural = _("health records")
        ordering = ["-examined_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.examined_on}"


class InsurancePolicy(models.Model):
    """A personal accident-insurance policy (人身意外伤害保险) covering one rescuer."""

    jurisdiction_lookup = _PERSON_SCOPE

    personnel = models.ForeignKey(
        "forces.Personnel",
        models.PROTECT,
        related_name="insurance_policies",
        verbose_name=_("rescuer"),
    )
    insurer = models.CharField(_("insurer"), max_length=150)
    policy_number = models.CharField(_("policy number"), max_length=60)
    sum_insured = models.DecimalField(
        _("sum insured (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    starts_on = models.DateField(_("starts on"))
    expires_on = models.DateField(_("expires on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")
        ordering = ["-expires_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["insurer", "policy_number", "personnel"], name="insurancepolicy_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("starts_on")),
                name="insurancepolicy_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"


class Commendation(models.Model):
    """表扬和奖励 for a rescuer or a whole force (exactly one)."""

    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        models.PROTECT,
        related_name="commendations",
        verbose_name=_("jurisdiction"),
    )
    personnel = models.ForeignKey(
        "forces.Personnel",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="commendations",
        verbose_name=_("rescuer"),
    )
    force = models.ForeignKey(
        "forces.Force",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="commendations",
        verbose_name=_("force"),
    )
    incident = models.ForeignKey(
        "command.Incident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="commendations",
        verbose_name=_("incident"),
    )
    level = models.CharField(_("level"), max_length=16, choices=CommendationLevel.choices)
    title = models.CharField(_("title"), max_length=150)
    reason = models.TextField(_("reason"))
    awarded_by = models.CharField(_("awarded by"), max_length=150)
    awarded_on = models.DateField(_("awarded on"))
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-awarded_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(personnel__isnull=False, force__isnull=True)
                | models.Q(personnel__isnull=True, force__isnull=False),
                name="commendation_person_or_force",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CasualtyCase(models.Model):
    """A rescuer injured, disabled or killed in training, a drill or a rescue, and the
    评残/评烈 procedure: submitted → reviewed → decided, each step recorded."""

    jurisdiction_lookup = _PERSON_SCOPE

    personnel = models.ForeignKey(
        "forces.Personnel", models.PROTECT, related_name="casualty_cases", verbose_name=_("rescuer")
    )
    incident = models.ForeignKey(
        "command.Incident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="casualty_cases",
        verbose_name=_("incident"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CasualtyKind.choices)
    occurred_at = models.DateTimeField(_("occurred"))
    circumstances = models.TextField(_("circumstances"))
    procedure = models.CharField(
        _("procedure"),
        max_length=12,
        choices=CasualtyProcedure.choices,
        default=CasualtyProcedure.NONE,
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CasualtyStatus.choices,
        default=CasualtyStatus.SUBMITTED,
        db_index=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review opinion"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision recorded by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # e.g. 伤残等级 七级, 批准为烈士, 不予认定.
    decision = models.CharField(_("decision"), max_length=150, blank=True)
    decision_authority = models.CharField(_("deciding authority"), max_length=150, blank=True)
    decision_reference = models.CharField(_("decision document"), max_length=60, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("casualty case")
        verbose_name_plural = _("casualty cases")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"
