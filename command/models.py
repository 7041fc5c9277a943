"""Incidents (灾害事故/警情), SPEC §3 — the basic incident the dispatch chain hangs on."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from command.choices import (
    AreaType,
    CommandAuthority,
    ConsultationStatus,
    Disposition,
    HandoverKind,
    IncidentCategory,
    IncidentLevel,
    IncidentSource,
    IncidentStatus,
    ReportAddressee,
    ReportKind,
    ReportStatus,
)
from core.fields import external_id_field, unique_external_id
from core.models import Jurisdiction, Organisation
from core.phones import validate_personal_phone
from core.querysets import ScopedQuerySet
from forces.choices import DisasterType


class IncidentType(models.Model):
    """A GB/T 35561 incident type (突发事件分类与编码). Reference data.

    ``disaster_type`` links the type to a dispatch formation (Rongcheng §四.二.4)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=20, choices=IncidentCategory.choices)
    disaster_type = models.CharField(
        _("formation"), max_length=32, choices=DisasterType.choices, blank=True
    )

    class Meta:
        verbose_name = _("incident type")
        verbose_name_plural = _("incident types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Incident(models.Model):
    """A disaster or accident received by the centre (SPEC §3)."""

    title = models.CharField(pgettext_lazy("incident", "title"), max_length=150)
    received_at = models.DateTimeField(_("received at"))
    source = models.CharField(_("source"), max_length=16, choices=IncidentSource.choices)
    incident_type = models.ForeignKey(
        IncidentType, models.PROTECT, related_name="incidents", verbose_name=_("type")
    )
    level = models.CharField(
        _("level"), max_length=12, choices=IncidentLevel.choices, default=IncidentLevel.UNASSESSED
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="incidents", verbose_name=_("jurisdiction")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # WGS-84, optional when an address is given (a caller rarely knows coordinates).
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    caller_name = models.CharField(_("caller"), max_length=50, blank=True)
    # A personal phone: masked like every other (core.masking).
    callback_phone = models.CharField(
        _("call-back number"), max_length=20, blank=True, validators=[validate_personal_phone]
    )
    disposition = models.CharField(
        _("disposition"),
        max_length=12,
        choices=Disposition.choices,
        default=Disposition.EMERGENCY,
        db_index=True,
    )
    # 首接负责制: the unit that first received the case, and the unit handling it now
    # (the first receiver until the responsible unit — or the maritime SAR centre — takes
    # it over).
    first_receiver = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents_first_received",
        verbose_name=_("first receiver"),
    )
    handling_unit = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents_handled",
        verbose_name=_("handling unit"),
    )
    # Who commands now; every change is a CommandTransfer row.
    command_authority = models.CharField(
        _("command"),
        max_length=12,
        choices=CommandAuthority.choices,
        default=CommandAuthority.FIRE_BRIGADE,
    )
    commander = models.CharField(_("commander"), max_length=100, blank=True)
    area_type = models.CharField(
        _("area"), max_length=8, choices=AreaType.choices, default=AreaType.URBAN
    )
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    injuries = models.PositiveIntegerField(_("injuries"), default=0)
    missing = models.PositiveIntegerField(_("missing"), default=0)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=IncidentStatus.choices,
        default=IncidentStatus.OPEN,
        db_index=True,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    external_id = external_id_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-received_at", "-id"]
        constraints = [
            unique_external_id("incident"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="incident_coordinates_both_or_none",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=False) | ~models.Q(address=""),
                name="incident_has_place",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("command:incident_detail", args=[self.pk])

    @property
    def category(self) -> str:
        return self.incident_type.category


class HotlineTransfer(models.Model):
    """A non-emergency call turned into a 12345 work order (Zhoushan §二.3): recorded when
    transferred, its reply recorded when the hotline answers."""

    jurisdiction_lookup = "incident__jurisdiction"

    incident = models.OneToOneField(
        Incident, models.PROTECT, related_name="hotline_transfer", verbose_name=_("incident")
    )
    hotline = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("12345 hotline"),
    )
    work_order_number = models.CharField(_("work order number"), max_length=40, blank=True)
    summary = models.TextField(_("summary"))
    transferred_at = models.DateTimeField(_("transferred at"))
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("transferred by")
    )
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reply recorded by"),
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("12345 work order")
        verbose_name_plural = _("12345 work orders")
        ordering = ["-transferred_at", "-id"]

    def __str__(self) -> str:
        return self.work_order_number or str(self.incident)


class IncidentHandover(models.Model):
    """首接负责制: the handling unit hands the case over, with time and both parties."""

    jurisdiction_lookup = "incident__jurisdiction"

    incident = models.ForeignKey(
        Incident, models.PROTECT, related_name="handovers", verbose_name=_("incident")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=HandoverKind.choices)
    from_unit = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )
    to_unit = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("taken over by")
    )
    handed_at = models.DateTimeField(_("handed over at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident hand-over")
        verbose_name_plural = _("incident hand-overs")
        ordering = ["handed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_unit} → {self.to_unit}"


class IncidentNote(models.Model):
    """Progress reported back on an incident (the maritime SAR centre through its own
    account, the handling unit, the centre)."""

    jurisdiction_lookup = "incident__jurisdiction"

    incident = models.ForeignKey(
        Incident, models.PROTECT, related_name="notes", verbose_name=_("incident")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident note")
        verbose_name_plural = _("incident notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class IncidentAssessment(models.Model):
    """A re-assessment of the level, a recorded step with its reason."""

    jurisdiction_lookup = "incident__jurisdiction"

    incident = models.ForeignKey(
        Incident, models.PROTECT, related_name="assessments", verbose_name=_("incident")
    )
    from_level = models.CharField(_("from level"), max_length=12, choices=IncidentLevel.choices)
    to_level = models.CharField(_("to level"), max_length=12, choices=IncidentLevel.choices)
    reason = models.TextField(_("reason"))
    assessed_at = models.DateTimeField(_("assessed at"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("level assessment")
        verbose_name_plural = _("level assessments")
        ordering = ["assessed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_level_display()} → {self.get_to_level_display()}"


class CommandTransfer(models.Model):
    """Command passes brigade → on-site HQ → special HQ (Liaocheng §三.一.3): an explicit,
    timestamped step with who handed to whom."""

    jurisdiction_lookup = "incident__jurisdiction"

    incident = models.ForeignKey(
        Incident, models.PROTECT, related_name="command_transfers", verbose_name=_("incident")
    )
    from_authority = models.CharField(_("from"), max_length=12, choices=CommandAuthority.choices)
    from_commander = models.CharField(_("handed over by"), max_length=100, blank=True)
    to_authority = models.CharField(_("to"), max_length=12, choices=CommandAuthority.choices)
    to_commander = models.CharField(_("taken over by"), max_length=100)
    to_organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commanding organisation"),
    )
    transferred_at = models.DateTimeField(_("handed over at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("command hand-over")
        verbose_name_plural = _("command hand-overs")
        ordering = ["transferred_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_authority_display()} → {self.get_to_authority_display()}"


class ReportRule(models.Model):
    """Which incidents must be reported upward, and the clock (Tieling §三.二.2: 重要紧急
    情况30分钟内报告). Data, edited by the bureau; applies in its jurisdiction and below.

    An incident matches when its type is among ``incident_types`` (all when empty) and any
    set threshold is reached: level at least ``min_level``, deaths, injuries or missing at
    least the given number."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="report_rules", verbose_name=_("jurisdiction")
    )
    name = models.CharField(_("name"), max_length=100)
    incident_types = models.ManyToManyField(
        IncidentType, blank=True, related_name="report_rules", verbose_name=_("incident types")
    )
    min_level = models.CharField(
        _("from level"), max_length=12, choices=IncidentLevel.choices, blank=True
    )
    min_deaths = models.PositiveIntegerField(_("deaths at least"), null=True, blank=True)
    min_injuries = models.PositiveIntegerField(_("injuries at least"), null=True, blank=True)
    min_missing = models.PositiveIntegerField(_("missing at least"), null=True, blank=True)
    initial_minutes = models.PositiveIntegerField(_("initial report within (minutes)"), default=30)
    follow_up_minutes = models.PositiveIntegerField(
        _("follow-up report every (minutes)"), default=120
    )
    final_hours = models.PositiveIntegerField(
        _("final report within (hours after closing)"), default=24
    )
    copy_to_bureau = models.BooleanField(_("copy to the bureau"), default=True)
    copy_to_fire_brigade = models.BooleanField(_("copy to the fire brigade"), default=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[incident_types])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")
        ordering = ["jurisdiction__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="report_rule_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class IncidentReport(models.Model):
    """One required report of an incident: a document with text and attachments, due by a
    deadline, submitted and received; late ones are flagged 迟报 and stay flagged."""

    jurisdiction_lookup = "incident__jurisdiction"

    incident = models.ForeignKey(
        Incident, models.PROTECT, related_name="reports", verbose_name=_("incident")
    )
    rule = models.ForeignKey(
        ReportRule,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("rule"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    addressee = models.CharField(_("to"), max_length=20, choices=ReportAddressee.choices)
    # 1 for the initial report and its copies, 2, 3 … for follow-ups.
    sequence = models.PositiveIntegerField(_("number"), default=1)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DUE
    )
    title = models.CharField(pgettext_lazy("report", "title"), max_length=150, blank=True)
    body = models.TextField(_("text"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.CharField(_("received by"), max_length=100, blank=True)
    late = models.BooleanField(_("late"), default=False, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "addressee", "sequence"],
                name="incident_report_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident} {self.get_kind_display()} {self.sequence}"


class ReportAttachment(models.Model):
    jurisdiction_lookup = "report__incident__jurisdiction"

    report = models.ForeignKey(
        IncidentReport, models.CASCADE, related_name="attachments", verbose_name=_("report")
    )
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/")
    name = models.CharField(_("name"), max_length=150)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class Consultation(models.Model):
    """会商研判 (Tieling §三.二.3): a meeting for an incident or a risk period, with
    departments and experts, its conclusions and the response level it recommends."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="consultations", verbose_name=_("jurisdiction")
    )
    incident = models.ForeignKey(
        Incident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("incident"),
    )
    warning = models.ForeignKey(
        "earlywarning.HazardWarning",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("warning"),
    )
    # A risk period (重点时段) when there is no incident: what is being assessed.
    topic = models.CharField(_("topic"), max_length=150)
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    chaired_by = models.CharField(_("chaired by"), max_length=100, blank=True)
    departments = models.ManyToManyField(
        Organisation, blank=True, related_name="consultations", verbose_name=_("departments")
    )
    experts = models.ManyToManyField(
        "forces.Expert", blank=True, related_name="consultations", verbose_name=_("experts")
    )
    other_participants = models.TextField(_("other participants"), blank=True)
    situation = models.TextField(_("situation"), blank=True)
    conclusions = models.TextField(_("conclusions"), blank=True)
    recommended_level = models.CharField(
        _("recommended response level"), max_length=12, choices=IncidentLevel.choices, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.OPEN,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[departments, experts])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return self.topic
