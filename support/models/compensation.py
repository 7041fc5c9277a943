"""Compensation (应急救援补偿, Liaocheng §四.1, Rongcheng §四): where no party is liable or
the liable party cannot pay, a force's claim for an incident — or the owner's claim for a
requisition — with its costs by category and attachments: submitted → reviewed by the
department → approved by the government → paid."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from support.choices import CompensationStatus, CostCategory, LiabilityBasis

__all__ = ["CompensationAttachment", "CompensationClaim", "CompensationCost"]

MONEY = {"max_digits": 12, "decimal_places": 2}


class CompensationClaim(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        models.PROTECT,
        related_name="compensation_claims",
        verbose_name=_("jurisdiction"),
    )
    incident = models.ForeignKey(
        "command.Incident",
        models.PROTECT,
        related_name="compensation_claims",
        verbose_name=_("incident"),
    )
    # The claimant: a rescue force, or the owner of requisitioned equipment.
    force = models.ForeignKey(
        "forces.Force",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="compensation_claims",
        verbose_name=_("force"),
    )
    requisition = models.OneToOneField(
        "support.Requisition",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="compensation_claim",
        verbose_name=_("requisition"),
    )
    claimant_name = models.CharField(_("claimant"), max_length=150)
    # The department that reviews (the force's industry authority, or the one that
    # requisitioned).
    reviewing_department = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="compensation_reviews",
        verbose_name=_("reviewing department"),
    )
    basis = models.CharField(_("basis"), max_length=20, choices=LiabilityBasis.choices)
    liable_party = models.CharField(_("liable party"), max_length=150, blank=True)
    summary = models.TextField(_("what was done"))
    bank_account_name = models.CharField(_("account name"), max_length=150, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CompensationStatus.choices,
        default=CompensationStatus.DRAFT,
        db_index=True,
    )
    claimed_amount = models.DecimalField(_("amount claimed"), **MONEY, default=0)
    approved_amount = models.DecimalField(_("amount approved"), **MONEY, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_opinion = models.TextField(_("review opinion"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval recorded by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approval_reference = models.CharField(_("approval document"), max_length=60, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    # Why it was returned or rejected, last time.
    return_reason = models.TextField(_("reason returned or rejected"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("compensation claim")
        verbose_name_plural = _("compensation claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(force__isnull=False, requisition__isnull=True)
                | models.Q(force__isnull=True, requisition__isnull=False),
                name="compensation_force_or_requisition",
            ),
            models.CheckConstraint(
                condition=models.Q(claimed_amount__gte=0), name="compensation_claimed_ge_0"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CompensationCost(models.Model):
    jurisdiction_lookup = "claim__jurisdiction"

    claim = models.ForeignKey(
        CompensationClaim, models.CASCADE, related_name="costs", verbose_name=_("claim")
    )
    category = models.CharField(_("category"), max_length=16, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[MinValueValidator(0.01)])

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("compensation cost")
        verbose_name_plural = _("compensation costs")
        ordering = ["claim", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="compensationcost_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"


class CompensationAttachment(models.Model):
    jurisdiction_lookup = "claim__jurisdiction"

    claim = models.ForeignKey(
        CompensationClaim, models.CASCADE, related_name="attachments", verbose_name=_("claim")
    )
    file = models.FileField(_("file"), upload_to="compensation/%Y/%m/")
    name = models.CharField(_("name"), max_length=150)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("compensation attachment")
        verbose_name_plural = _("compensation attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
