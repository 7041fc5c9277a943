"""Requisition of equipment and machinery (紧急调用/征用, Liaocheng §四.3) from enterprises
and social owners for an incident: what, from whom, for how long, the recorded hand-over
and return, and the compensation claim at the end (``CompensationClaim.requisition``)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from support.choices import RequisitionMode, RequisitionStatus

__all__ = ["Requisition"]


class Requisition(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="requisitions", verbose_name=_("jurisdiction")
    )
    incident = models.ForeignKey(
        "command.Incident", models.PROTECT, related_name="requisitions", verbose_name=_("incident")
    )
    mode = models.CharField(
        _("mode"), max_length=12, choices=RequisitionMode.choices, default=RequisitionMode.CALL
    )
    # What: a registry equipment row when the owner is in the registry, else described.
    equipment = models.ForeignKey(
        "forces.Equipment",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="requisitions",
        verbose_name=_("registry equipment"),
    )
    description = models.CharField(_("equipment or machinery"), max_length=200)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    plate_or_serial = models.CharField(_("plate or serial number"), max_length=60, blank=True)
    with_operator = models.BooleanField(_("with operator"), default=False)
    # From whom: an organisation of the registry, or a private owner by name.
    owner_organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="requisitions",
        verbose_name=_("owner unit"),
    )
    owner_name = models.CharField(_("owner"), max_length=150)
    owner_phone = models.CharField(_("owner phone"), max_length=20)
    # For how long.
    needed_from = models.DateTimeField(_("needed from"))
    needed_until = models.DateTimeField(_("needed until"))
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RequisitionStatus.choices,
        default=RequisitionStatus.REQUESTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    handover_condition = models.TextField(_("condition at hand-over"), blank=True)
    handover_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hand-over recorded by"),
    )
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_condition = models.TextField(_("condition at return"), blank=True)
    damage = models.TextField(_("damage or loss"), blank=True)
    return_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("return recorded by"),
    )
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(needed_until__gt=models.F("needed_from")),
                name="requisition_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"
