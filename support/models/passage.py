"""Passage (交通运输保障, Liaocheng §四.2): traffic-control and emergency-channel requests
to police and transport for an incident, and free-passage passes for rescue vehicles
(应急救援车辆免费通行) that a checkpoint verifies on a phone page without logging in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from support.choices import PassageKind, PassageStatus

__all__ = ["PassageRequest", "VehiclePass"]


class PassageRequest(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        models.PROTECT,
        related_name="passage_requests",
        verbose_name=_("jurisdiction"),
    )
    incident = models.ForeignKey(
        "command.Incident",
        models.PROTECT,
        related_name="passage_requests",
        verbose_name=_("incident"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PassageKind.choices)
    # The public-security traffic police or the transport bureau asked.
    addressee = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="passage_requests",
        verbose_name=_("addressed to"),
    )
    area = models.CharField(_("roads or area"), max_length=300)
    reason = models.TextField(_("reason"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PassageStatus.choices,
        default=PassageStatus.SENT,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("passage request")
        verbose_name_plural = _("passage requests")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class VehiclePass(models.Model):
    """A free-passage pass (应急救援车辆通行证) for one vehicle: plate, force, route and
    validity. Its QR code carries a signed token (``support.passage.signing``); the public
    page checks the signature, the validity and that it was not revoked."""

    number = models.CharField(_("pass number"), max_length=32, unique=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="vehicle_passes", verbose_name=_("jurisdiction")
    )
    incident = models.ForeignKey(
        "command.Incident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="vehicle_passes",
        verbose_name=_("incident"),
    )
    force = models.ForeignKey(
        "forces.Force", models.PROTECT, related_name="vehicle_passes", verbose_name=_("force")
    )
    plate = models.CharField(_("plate"), max_length=12, db_index=True)
    vehicle = models.CharField(_("vehicle"), max_length=100, blank=True)
    route = models.CharField(_("route"), max_length=300)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.CharField(_("revocation reason"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle pass")
        verbose_name_plural = _("vehicle passes")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="vehiclepass_validity_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.plate}"
