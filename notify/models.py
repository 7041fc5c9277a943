"""The outbox of notifications (issue 10, DESIGN10).

A ``Notification`` is one "what, about which object, why" with its escalation state; a
``Delivery`` is one message to one recipient on one channel, the durable unit the
senders claim, retry and count. Both are written in the caller's transaction, so a
rolled-back change sends nothing and a committed one loses nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.masking import mask_phone
from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from notify.choices import Audience, Channel, DeliveryStatus, InboundCode, Purpose

CHANNEL_CHOICES = Channel.choices


def shown_address(channel: str, address: str) -> str:
    """Phones leave the model masked (138****5678); e-mail addresses keep their domain."""
    if channel == Channel.EMAIL:
        local, _sep, domain = (address or "").partition("@")
        return f"{local[:1]}***@{domain}" if domain else ""
    return mask_phone(address)


class RecipientRule(models.Model):
    """Who gets what per purpose: a row with an organisation overrides the default row
    (organisation empty) of the same purpose and audience for that organisation."""

    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    audience = models.CharField(_("audience"), max_length=32, choices=Audience.choices)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("recipient rule")
        verbose_name_plural = _("recipient rules")
        ordering = ["purpose", "audience", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "audience", "organisation"],
                name="notify_rule_unique_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["purpose", "audience"],
                condition=Q(organisation__isnull=True),
                name="notify_rule_unique_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.get_audience_display()}"

    def clean(self) -> None:
        channels = self.channels if isinstance(self.channels, list) else None
        if channels is None or not set(channels) <= set(Channel.values):
            raise ValidationError(
                {"channels": _("A list of channels: %s.") % ", ".join(Channel.values)}
            )


class EscalationStep(models.Model):
    """No acknowledgement ``after_minutes`` after the notification → send ``channel`` to
    ``audience``. Steps with the same minutes form one level. An organisation's steps for
    a purpose replace the default policy (organisation empty) for that organisation."""

    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    after_minutes = models.PositiveIntegerField(_("after minutes"))
    audience = models.CharField(_("audience"), max_length=32, choices=Audience.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=CHANNEL_CHOICES)
    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["purpose", "after_minutes", "audience", "channel"]
        constraints = [
            models.CheckConstraint(
                condition=Q(after_minutes__gt=0), name="notify_step_after_positive"
            ),
            models.UniqueConstraint(
                fields=["purpose", "after_minutes", "audience", "channel", "organisation"],
                name="notify_step_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} +{self.after_minutes}′ {self.get_channel_display()}"


class Notification(models.Model):
    """One notification about one subject for one purpose, with its chase."""

    jurisdiction_lookup = "jurisdiction"

    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    # The how-many-th notification of this (purpose, subject): a new one is written only
    # after the previous one ended; part of the idempotency keys.
    serial = models.PositiveIntegerField(default=0, editable=False)
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    reply_code = models.CharField(_("reply code"), max_length=6)
    audiences = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    escalated_through = models.PositiveIntegerField(_("escalated through (minutes)"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_channel = models.CharField(_("acknowledged by channel"), max_length=16, blank=True)
    acknowledged_label = models.CharField(_("acknowledged by"), max_length=100, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "content_type", "object_id", "serial"],
                name="notify_notification_unique_serial",
            ),
            # A reply code names one open notification, so "回复1234" finds it.
            models.UniqueConstraint(
                fields=["reply_code"],
                condition=Q(acknowledged_at__isnull=True, closed_at__isnull=True),
                name="notify_notification_open_reply_code",
            ),
        ]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "purpose"], name="notify_notif_subject"
            ),
            models.Index(
                fields=["purpose", "created_at"],
                condition=Q(acknowledged_at__isnull=True, closed_at__isnull=True),
                name="notify_notif_open",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None and self.closed_at is None

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class Delivery(models.Model):
    """One message to one recipient on one channel: the unit that is claimed, sent,
    retried and acknowledged. ``key`` is the idempotency key the gateways receive."""

    jurisdiction_lookup = "notification__jurisdiction"

    # Empty only on the answer to a reply from a number that was sent nothing.
    notification = models.ForeignKey(
        Notification,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    # Set on the answer to an inbound reply: its text is the InboundMessage's answer.
    inbound = models.ForeignKey(
        "InboundMessage",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("in answer to"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=CHANNEL_CHOICES)
    audience = models.CharField(_("audience"), max_length=32, blank=True)
    step = models.PositiveIntegerField(_("escalation step (minutes)"), default=0)
    recipient_label = models.CharField(_("recipient"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    key = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    gateway_id = models.CharField(_("gateway id"), max_length=100, blank=True)
    backend = models.CharField(_("backend"), max_length=200, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # sha256 of the one-time link's token (SMS only); the token itself is never stored.
    link_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    link_used_at = models.DateTimeField(_("link used"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["notification_id", "step", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued"),
                name="notify_delivery_due",
            ),
            models.Index(fields=["address", "channel"], name="notify_delivery_address"),
            models.Index(fields=["user", "channel", "read_at"], name="notify_delivery_inbox"),
            models.Index(fields=["gateway_id"], name="notify_delivery_gateway_id"),
            models.Index(fields=["link_token_hash"], name="notify_delivery_link"),
            models.Index(fields=["status", "channel"], name="notify_delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_label}"

    @property
    def shown_address(self) -> str:
        """The address as pages, the API and logs show it: phones masked."""
        return shown_address(self.channel, self.address)


class InboundMessage(models.Model):
    """Every reply, key press and link use, matched or not, with what we answered."""

    jurisdiction_lookup = "notification__jurisdiction"

    channel = models.CharField(_("channel"), max_length=16)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    body = models.CharField(_("text"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    backend = models.CharField(_("backend"), max_length=200, blank=True)
    gateway_event_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    delivery = models.ForeignKey(Delivery, models.SET_NULL, null=True, blank=True, related_name="+")
    notification = models.ForeignKey(
        Notification, models.SET_NULL, null=True, blank=True, related_name="inbound"
    )
    outcome = models.CharField(_("outcome"), max_length=32, choices=InboundCode.choices)
    answer = models.CharField(_("answer"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["phone", "received_at"], name="notify_inbound_phone")]

    def __str__(self) -> str:
        return f"{self.channel} {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def shown_phone(self) -> str:
        return mask_phone(self.phone)


class GatewayStatus(models.Model):
    """The health of one channel's backend, as the senders last saw it."""

    channel = models.CharField(_("channel"), max_length=16, choices=CHANNEL_CHOICES)
    backend = models.CharField(_("backend"), max_length=200)
    last_ok_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)

    class Meta:
        verbose_name = _("gateway status")
        verbose_name_plural = _("gateway statuses")
        ordering = ["channel", "backend"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "backend"], name="notify_gateway_unique")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.backend}"


class SimulatedMessage(models.Model):
    """The simulator's outbox: exactly what a real gateway would have been handed."""

    jurisdiction_lookup = "jurisdiction"

    channel = models.CharField(_("channel"), max_length=16, choices=CHANNEL_CHOICES)
    to = models.CharField(_("to"), max_length=254)
    body = models.TextField(_("text"))
    key = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    # Copied from the delivery, so the outbox page scopes like every other list; empty
    # for answers to unknown numbers (superusers only).
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivery = models.ForeignKey(Delivery, models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("simulated message")
        verbose_name_plural = _("simulated messages")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["to", "sent_at"], name="notify_simulated_to")]

    def __str__(self) -> str:
        return f"{self.channel} {self.sent_at:%H:%M}"

    @property
    def shown_to(self) -> str:
        return shown_address(self.channel, self.to)
