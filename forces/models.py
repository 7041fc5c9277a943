"""Rescue forces (应急救援力量) and their basic data (SPEC §2; Liaocheng §三.二.1,
Rongcheng §四.二.1)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.choices import LinkageTier
from core.fields import external_id_field, unique_external_id
from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from forces.choices import (
    DisasterType,
    DutyMode,
    EquipmentCondition,
    ExpertAvailability,
    ForceCategory,
    ForceStatus,
    FundingMode,
    Gender,
)
from forces.validators import validate_cn_id_number, validate_personal_phone, validate_phone


class Specialty(models.Model):
    """A rescue specialty (救援专业): 水域, 山岳, 危化品 … Reference data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    # Not _("order"): that msgid is the call-out order (出动指令) everywhere else.
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Formation(models.Model):
    """Dispatch formation (调度编成) for one disaster type, Rongcheng §四.二.4: which
    specialties and how many forces a plan for that type should normally contain."""

    disaster_type = models.CharField(
        _("disaster type"), max_length=32, unique=True, choices=DisasterType.choices
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("dispatch formation")
        verbose_name_plural = _("dispatch formations")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class FormationRequirement(models.Model):
    formation = models.ForeignKey(
        Formation, models.CASCADE, related_name="requirements", verbose_name=_("formation")
    )
    specialty = models.ForeignKey(
        Specialty, models.PROTECT, related_name="+", verbose_name=_("specialty")
    )
    min_forces = models.PositiveSmallIntegerField(_("forces"), default=1)
    is_core = models.BooleanField(
        _("core"), default=True, help_text=_("Core forces go first; others reinforce.")
    )

    class Meta:
        verbose_name = _("formation requirement")
        verbose_name_plural = _("formation requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["formation", "specialty"], name="formation_requirement_unique_specialty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.formation} · {self.specialty} × {self.min_forces}"


class Force(models.Model):
    """A rescue force (队伍) of one of the four categories (SPEC §2, all seeds §二)."""

    jurisdiction_lookup = "jurisdiction"

    name = models.CharField(_("name"), max_length=150)
    category = models.CharField(_("category"), max_length=16, choices=ForceCategory.choices)
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="forces", verbose_name=_("owning organisation")
    )
    industry_authority = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_forces",
        verbose_name=_("industry authority"),
        help_text=_("Notified for the record (报备) of every call-out."),
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="forces", verbose_name=_("jurisdiction")
    )
    address = models.CharField(_("base address"), max_length=200, blank=True)
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
    specialties = models.ManyToManyField(
        Specialty, related_name="forces", blank=True, verbose_name=_("specialties")
    )
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    duty_mode = models.CharField(
        _("duty mode"), max_length=16, choices=DutyMode.choices, default=DutyMode.FULL_TIME
    )
    duty_phone = models.CharField(
        _("24-hour duty phone"), max_length=20, validators=[validate_phone]
    )
    leader_name = models.CharField(_("leader"), max_length=50, blank=True)
    leader_phone = models.CharField(
        _("leader phone"), max_length=20, blank=True, validators=[validate_personal_phone]
    )
    comm_means = models.JSONField(_("communication means"), default=list, blank=True)
    funding_mode = models.CharField(
        _("funding mode"), max_length=16, choices=FundingMode.choices, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ForceStatus.choices,
        default=ForceStatus.STANDBY,
        db_index=True,
    )
    linkage_tier_override = models.PositiveSmallIntegerField(
        _("linkage tier (override)"),
        choices=LinkageTier.choices,
        null=True,
        blank=True,
        help_text=_("Leave empty to use the owning organisation's tier."),
    )
    external_id = external_id_field()
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[specialties])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rescue force")
        verbose_name_plural = _("rescue forces")
        ordering = ["jurisdiction__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="force_unique_name_in_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(headcount__gte=0), name="force_headcount_not_negative"
            ),
            unique_external_id("force"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("forces:detail", args=[self.pk])

    @property
    def linkage_tier(self) -> int:
        """Tier from the organisation unless overridden (SPEC §2; Zhoushan §三.2)."""
        return self.linkage_tier_override or self.organisation.linkage_tier


class Personnel(models.Model):
    """A member of a force (人员), with the welfare dates the support rules need."""

    jurisdiction_lookup = "force__jurisdiction"

    force = models.ForeignKey(
        Force, models.CASCADE, related_name="personnel", verbose_name=_("force")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    id_number = models.CharField(
        _("ID number"), max_length=18, blank=True, validators=[validate_cn_id_number]
    )
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[validate_personal_phone]
    )
    position = models.CharField(_("position"), max_length=50, blank=True)
    specialty = models.ForeignKey(
        Specialty,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("specialty"),
    )
    certifications = models.CharField(_("certifications"), max_length=200, blank=True)
    medical_exam_date = models.DateField(_("last medical exam"), null=True, blank=True)
    insurance_expiry = models.DateField(_("accident insurance expiry"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    external_id = external_id_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("personnel")
        verbose_name_plural = _("personnel")
        ordering = ["force", "name", "id"]
        constraints = [unique_external_id("personnel")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The check character is stored as a capital X whatever was typed.
        self.id_number = (self.id_number or "").strip().upper()


class Equipment(models.Model):
    """Equipment of a force (装备)."""

    jurisdiction_lookup = "force__jurisdiction"

    force = models.ForeignKey(
        Force, models.CASCADE, related_name="equipment", verbose_name=_("force")
    )
    name = models.CharField(_("name"), max_length=100)
    model = models.CharField(_("model"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit = models.CharField(_("unit"), max_length=10, default="台")
    condition = models.CharField(
        _("condition"),
        max_length=16,
        choices=EquipmentCondition.choices,
        default=EquipmentCondition.READY,
    )
    external_id = external_id_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["force", "name", "id"]
        constraints = [unique_external_id("equipment")]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """Materials held by a force (物资)."""

    jurisdiction_lookup = "force__jurisdiction"

    force = models.ForeignKey(
        Force, models.CASCADE, related_name="materials", verbose_name=_("force")
    )
    name = models.CharField(_("name"), max_length=100)
    spec = models.CharField(_("specification"), max_length=100, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=10, default="件")
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    external_id = external_id_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["force", "name", "id"]
        constraints = [unique_external_id("material")]

    def __str__(self) -> str:
        return self.name


class Expert(models.Model):
    """An emergency rescue expert (专家库, Linqing §三; all seeds §二.四)."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    field = models.CharField(_("field"), max_length=100)
    specialties = models.ManyToManyField(
        Specialty, related_name="experts", blank=True, verbose_name=_("specialties")
    )
    title = models.CharField(pgettext_lazy("expert", "title"), max_length=50, blank=True)
    employer = models.CharField(_("employer"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_personal_phone])
    id_number = models.CharField(
        _("ID number"), max_length=18, blank=True, validators=[validate_cn_id_number]
    )
    availability = models.CharField(
        _("availability"),
        max_length=16,
        choices=ExpertAvailability.choices,
        default=ExpertAvailability.AVAILABLE,
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="experts",
        verbose_name=_("managing organisation"),
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="experts", verbose_name=_("jurisdiction")
    )
    external_id = external_id_field()

    history = HistoricalRecords(m2m_fields=[specialties])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["jurisdiction__path", "name", "id"]
        constraints = [unique_external_id("expert")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The check character is stored as a capital X whatever was typed.
        self.id_number = (self.id_number or "").strip().upper()


class ExpertGroup(models.Model):
    """An expert group for one hazard (专家组)."""

    name = models.CharField(_("name"), max_length=100)
    disaster_type = models.CharField(_("hazard"), max_length=32, choices=DisasterType.choices)
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="expert_groups",
        verbose_name=_("managing organisation"),
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="expert_groups", verbose_name=_("jurisdiction")
    )
    members = models.ManyToManyField(
        Expert, related_name="groups", blank=True, verbose_name=_("members")
    )

    history = HistoricalRecords(m2m_fields=[members])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert group")
        verbose_name_plural = _("expert groups")
        ordering = ["jurisdiction__path", "name"]

    def __str__(self) -> str:
        return self.name
