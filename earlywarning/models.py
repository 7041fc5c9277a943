"""Warnings (预警) and the grid registry (网格) — SPEC §3, Tieling §三.二.5; DESIGN12.

A ``HazardWarning`` row is one version of a warning: the first is a CAP Alert, each
update a new row whose ``previous`` is the version it replaces (CAP Update with
<references>). A ``WarningRecipient`` is one person or unit asked to answer (叫应) one
version; notify chases it (purpose ``warning``) until it answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import external_id_field, unique_external_id
from core.masking import mask_phone
from core.models import Jurisdiction, Organisation
from core.phones import validate_phone
from core.querysets import ScopedQuerySet
from earlywarning.choices import (
    LEVEL_RANK,
    CapCategory,
    Certainty,
    MessageType,
    RecipientKind,
    Urgency,
    WarningLevel,
    WarningSource,
    WarningStatus,
)


class HazardType(models.Model):
    """A kind of warning (暴雨, 洪水, 地质灾害 …) and who issues it: the industry
    department of ``sector`` (Liaocheng §三.三.1: 自然资源和规划、生态环境、水利、城市管理、
    气象、地震). Reference data, seeded by a migration, edited by superusers."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    sector = models.CharField(
        _("issuing sector"),
        max_length=50,
        help_text=_("The industry department that issues it: 水利, 气象, 自然资源和规划 …"),
    )
    cap_category = models.CharField(
        _("CAP category"), max_length=16, choices=CapCategory.choices, default=CapCategory.MET
    )
    specialties = models.ManyToManyField(
        "forces.Specialty",
        blank=True,
        related_name="+",
        verbose_name=_("specialties to warn"),
        help_text=_("Forces of these specialties in the area receive the warning."),
    )
    concerned_sectors = models.JSONField(
        _("departments concerned"),
        default=list,
        blank=True,
        help_text=_("Sectors of the industry departments in the area that receive it."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hazard type")
        verbose_name_plural = _("hazard types")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    """A village or community grid (网格) and its responsible person (网格责任人), with the
    supervisor an unanswered warning is raised to (the township's leader on duty)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="grids", verbose_name=_("jurisdiction")
    )
    code = models.CharField(
        _("grid code"),
        max_length=32,
        unique=True,
        help_text=_("The grid's code in the county's grid register."),
    )
    name = models.CharField(_("name"), max_length=100)
    person_name = models.CharField(_("responsible person"), max_length=50)
    person_phone = models.CharField(
        _("responsible person's phone"), max_length=20, validators=[validate_phone]
    )
    supervisor_name = models.CharField(_("supervisor"), max_length=50, blank=True)
    supervisor_phone = models.CharField(
        _("supervisor's phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    external_id = external_id_field()
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    jurisdiction_lookup = "jurisdiction"

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["jurisdiction__path", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="grid_unique_name_in_jurisdiction"
            ),
            unique_external_id("grid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.person_name}）"

    @property
    def shown_person_phone(self) -> str:
        return mask_phone(self.person_phone)

    @property
    def shown_supervisor_phone(self) -> str:
        return mask_phone(self.supervisor_phone)


class HazardWarning(models.Model):
    """One version of a warning. ``jurisdiction`` is the lowest jurisdiction that holds
    every area (so each level that commands the area sees it); ``issuer`` the department
    that publishes it."""

    identifier = models.CharField(_("CAP identifier"), max_length=100, unique=True, editable=False)
    sender = models.CharField(_("CAP sender"), max_length=100, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    previous = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("updates"),
        editable=False,
    )
    msg_type = models.CharField(
        _("message type"), max_length=8, choices=MessageType.choices, default=MessageType.ALERT
    )
    status = models.CharField(
        _("status"), max_length=16, choices=WarningStatus.choices, default=WarningStatus.DRAFT
    )
    hazard_type = models.ForeignKey(
        HazardType, models.PROTECT, related_name="+", verbose_name=_("hazard type")
    )
    level = models.CharField(_("level"), max_length=8, choices=WarningLevel.choices)
    issuer = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("issuing department")
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    areas = models.ManyToManyField(Jurisdiction, related_name="+", verbose_name=_("area"))
    area_description = models.CharField(_("area description"), max_length=300, blank=True)
    # CAP <polygon>: "lat,lon lat,lon …" (WGS-84), the first pair repeated last; empty
    # when the area is the jurisdictions only.
    polygon = models.TextField(_("polygon"), blank=True)
    headline = models.CharField(_("headline"), max_length=160)
    description = models.TextField(_("text"))
    instruction = models.TextField(_("instructions to the public"), blank=True)
    force_instruction = models.TextField(_("instructions to forces"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.EXPECTED
    )
    certainty = models.CharField(
        _("certainty"), max_length=10, choices=Certainty.choices, default=Certainty.LIKELY
    )
    effective_at = models.DateTimeField(_("effective"))
    expires_at = models.DateTimeField(_("expires"))
    opens_key_period = models.BooleanField(
        _("opens a roll-call key period"),
        default=False,
        help_text=_("Orange and red only: roll calls of the area run daily while it is in force."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=WarningSource.choices, default=WarningSource.LOCAL
    )
    # The upstream CAP message a draft was imported from (idempotency: one draft per
    # sender and identifier).
    source_sender = models.CharField(_("source sender"), max_length=100, blank=True)
    source_identifier = models.CharField(_("source identifier"), max_length=100, blank=True)
    source_sent = models.DateTimeField(_("source sent"), null=True, blank=True)
    external_id = external_id_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When it stopped being in force: updated, cancelled or expired.
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    jurisdiction_lookup = "jurisdiction"

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("effective_at")),
                name="warning_expires_after_effective",
            ),
            models.UniqueConstraint(
                fields=["source_sender", "source_identifier"],
                condition=~Q(source_identifier=""),
                name="warning_unique_source_message",
            ),
            unique_external_id("hazardwarning"),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="warning_status_expiry"),
        ]

    def __str__(self) -> str:
        return self.headline

    @property
    def level_rank(self) -> int:
        return LEVEL_RANK[WarningLevel(self.level)]

    @property
    def is_active(self) -> bool:
        return self.status == WarningStatus.PUBLISHED


class WarningRecipient(models.Model):
    """One person or unit asked to answer one version of a warning (叫应)."""

    warning = models.ForeignKey(
        HazardWarning, models.CASCADE, related_name="recipients", verbose_name=_("warning")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RecipientKind.choices)
    # Where the recipient is: the grid's village or township, the force's, the
    # department's, the duty officer's. The board groups by it; pages scope by it.
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    grid = models.ForeignKey(Grid, models.PROTECT, null=True, blank=True, related_name="+")
    force = models.ForeignKey(
        "forces.Force", models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("recipient"), max_length=150)
    # Full numbers, as notify needs them; every page, export and API response masks them.
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    supervisor_label = models.CharField(_("supervisor"), max_length=100, blank=True)
    supervisor_phone = models.CharField(_("supervisor's phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_channel = models.CharField(_("acknowledged by channel"), max_length=16, blank=True)
    acknowledged_label = models.CharField(_("acknowledged by"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    jurisdiction_lookup = "jurisdiction"

    class Meta:
        verbose_name = _("warning recipient")
        verbose_name_plural = _("warning recipients")
        ordering = ["warning_id", "jurisdiction__path", "kind", "label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["warning", "grid"],
                condition=Q(grid__isnull=False),
                name="warning_recipient_unique_grid",
            ),
            models.UniqueConstraint(
                fields=["warning", "force"],
                condition=Q(force__isnull=False),
                name="warning_recipient_unique_force",
            ),
            models.UniqueConstraint(
                fields=["warning", "organisation"],
                condition=Q(organisation__isnull=False, force__isnull=True),
                name="warning_recipient_unique_organisation",
            ),
            models.UniqueConstraint(
                fields=["warning", "user"],
                condition=Q(user__isnull=False),
                name="warning_recipient_unique_user",
            ),
        ]
        indexes = [
            models.Index(fields=["warning", "jurisdiction"], name="warning_recipient_board"),
            models.Index(
                fields=["warning"],
                condition=Q(acknowledged_at__isnull=True),
                name="warning_recipient_open",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def shown_phone(self) -> str:
        return mask_phone(self.phone)
