"""Alerts of support (low stock, near expiry, lapsing insurance, medical exam due): one row
per kind, subject and period, so a tick that runs every minute raises each once.

The *period* names the occurrence: the expiry date for an expiring batch or policy, the
date the stock first fell below its minimum for a low-stock episode. An alert is resolved
when its condition no longer holds (stock received, policy renewed)."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from support.choices import AlertKind

__all__ = ["SupportAlert"]


class SupportAlert(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    period = models.CharField(_("period"), max_length=40)
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="support_alerts", verbose_name=_("jurisdiction")
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="support_alerts",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    raised_at = models.DateTimeField(_("raised"), db_index=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("support alert")
        verbose_name_plural = _("support alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "period"],
                name="supportalert_once_per_period",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="supportalert_subject"),
        ]

    def __str__(self) -> str:
        return self.title
