"""Outbound push subscribers (DESIGN11 "Subscriber").

A subscriber is an endpoint of another platform (the province, a neighbouring city) to
which the pusher POSTs, in sequence order, every change its ``client`` account may see.
``cursor`` is the last seq the endpoint acknowledged; ``pending_until`` fixes the batch
in flight, so a retry — after a failure or a crash between the POST and our commit —
resends the same range under the same Idempotency-Key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.querysets import ScopedQuerySet


class Subscriber(models.Model):
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        models.PROTECT,
        related_name="sync_subscribers",
        verbose_name=_("jurisdiction"),
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="sync_subscribers",
        verbose_name=_("sync client account"),
        help_text=_("The subscriber receives what this account may see."),
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("endpoint URL"), max_length=500)
    # Kept as given: the pusher needs it to sign (HMAC). Never shown after creation.
    secret = models.CharField(_("signing secret"), max_length=128, editable=False)
    kinds = models.JSONField(_("subject kinds"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    cursor = models.BigIntegerField(_("cursor"), default=0)
    pending_until = models.BigIntegerField(_("batch in flight up to"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["jurisdiction__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="sync_subscriber_unique_name"
            )
        ]
        indexes = [models.Index(fields=["active", "next_attempt_at"], name="sync_sub_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def failing(self) -> bool:
        return self.attempts > 0
