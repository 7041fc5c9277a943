"""Allocation (调拨) of reserve stock for an incident or a risk period: the request with
its lines (item, quantity, from which warehouse), approved by the bureau of the right
level, issued from stock in the same transaction, then delivered and received."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from support.choices import AllocationStatus
from support.models._geo import both_or_none, latitude_field, longitude_field
from support.models.reserves import QUANTITY, ReserveItem, Warehouse

__all__ = ["AllocationLine", "AllocationRequest"]


class AllocationRequest(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    # The jurisdiction whose bureau approves: the lowest that holds the destination and
    # every source warehouse.
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="allocations", verbose_name=_("jurisdiction")
    )
    incident = models.ForeignKey(
        "command.Incident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("incident"),
    )
    # For a risk period (汛期, a warning in force) when there is no incident.
    risk_period = models.CharField(_("risk period"), max_length=150, blank=True)
    purpose = models.TextField(_("purpose"))
    destination = models.CharField(_("deliver to"), max_length=200)
    latitude = latitude_field()
    longitude = longitude_field()
    needed_by = models.DateTimeField(_("needed by"))
    receiver_name = models.CharField(_("receiver"), max_length=50)
    receiver_phone = models.CharField(_("receiver phone"), max_length=20)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AllocationStatus.choices,
        default=AllocationStatus.DRAFT,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requesting_organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="allocation_requests",
        verbose_name=_("requesting unit"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivery recorded by"),
    )
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receipt recorded by"),
    )
    receipt_note = models.TextField(_("receipt note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at", "-id"]
        constraints = [
            both_or_none("allocation"),
            models.CheckConstraint(
                condition=models.Q(incident__isnull=False) | ~models.Q(risk_period=""),
                name="allocation_for_incident_or_risk_period",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class AllocationLine(models.Model):
    jurisdiction_lookup = "request__jurisdiction"

    request = models.ForeignKey(
        AllocationRequest, models.CASCADE, related_name="lines", verbose_name=_("allocation")
    )
    item = models.ForeignKey(
        ReserveItem, models.PROTECT, related_name="allocation_lines", verbose_name=_("item")
    )
    warehouse = models.ForeignKey(
        Warehouse, models.PROTECT, related_name="allocation_lines", verbose_name=_("from")
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY, validators=[MinValueValidator(0.01)])
    received_quantity = models.DecimalField(
        _("quantity received"), **QUANTITY, null=True, blank=True
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")
        ordering = ["request", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="allocationline_qty_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"
