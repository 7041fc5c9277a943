"""Drills (演练), the contingency plans they exercise, annual drill plans and the frequency
rules they must meet (SPEC §6; Linqing §四.(二), Rongcheng §四.二.4)."""

from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import OrganisationKind, RiskClass
from core.models import Organisation
from core.querysets import ScopedQuerySet
from drills.choices import AfterActionStatus, DrillStatus, DrillType, PlanKind, RuleScope
from forces.choices import DisasterType
from forces.models import Force


def add_months(start: date, months: int) -> date:
    """``start`` plus whole calendar months; a day the target month lacks becomes its last
    day (2026-08-31 + 6 → 2027-02-28). No dateutil: the rule is this one line of maths."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


class ContingencyPlan(models.Model):
    """A contingency plan (应急预案) of an organisation: overall, special (one hazard) or
    department plan (Linqing §四.(二)). Drills exercise them; special plans must each be
    exercised within the period of the organisation's frequency rule."""

    jurisdiction_lookup = "organisation__jurisdiction"

    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="contingency_plans",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices)
    hazard = models.CharField(_("hazard"), max_length=32, choices=DisasterType.choices, blank=True)
    is_active = models.BooleanField(_("in force"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contingency plan")
        verbose_name_plural = _("contingency plans")
        ordering = ["organisation__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="contingency_plan_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AnnualDrillPlan(models.Model):
    """An organisation's annual drill plan (年度应急演练计划, Linqing §四.(二): every level
    of government draws one up). One per organisation and year; drills are planned in it."""

    jurisdiction_lookup = "organisation__jurisdiction"

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="drill_plans", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual drill plan")
        verbose_name_plural = _("annual drill plans")
        ordering = ["-year", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="annual_drill_plan_unique_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("drills:plan_detail", args=[self.pk])


class Drill(models.Model):
    """A drill (演练): planned → conducted → evaluated (SPEC §6).

    ``is_multi_department`` is stored so compliance can filter on it; the services derive
    it on every write: declared by the organiser, or at least two departments (bureau,
    fire brigade, industry department, government office) among the organiser and the
    participating organisations (Rongcheng §四.二.4: "多部门联合参加的综合性应急救援演练").
    """

    jurisdiction_lookup = "organiser__jurisdiction"

    title = models.CharField(_("title"), max_length=150)
    drill_type = models.CharField(_("drill type"), max_length=16, choices=DrillType.choices)
    hazard = models.CharField(_("hazard"), max_length=32, choices=DisasterType.choices, blank=True)
    scenario = models.TextField(_("scenario"), blank=True)
    organiser = models.ForeignKey(
        Organisation, models.PROTECT, related_name="organised_drills", verbose_name=_("organiser")
    )
    annual_plan = models.ForeignKey(
        AnnualDrillPlan,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="drills",
        verbose_name=_("annual drill plan"),
    )
    contingency_plan = models.ForeignKey(
        ContingencyPlan,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="drills",
        verbose_name=_("contingency plan exercised"),
    )
    planned_date = models.DateField(_("planned date"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    participating_forces = models.ManyToManyField(
        Force, related_name="drills", blank=True, verbose_name=_("participating forces")
    )
    participating_organisations = models.ManyToManyField(
        Organisation,
        related_name="drills_joined",
        blank=True,
        verbose_name=_("participating organisations"),
    )
    multi_department_declared = models.BooleanField(
        _("declared multi-department"),
        default=False,
        help_text=_("Tick when departments join that are not listed as organisations."),
    )
    is_multi_department = models.BooleanField(_("multi-department"), default=False, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=DrillStatus.choices, default=DrillStatus.PLANNED
    )
    conducted_on = models.DateField(_("conducted on"), null=True, blank=True)
    conduct_notes = models.TextField(_("conduct notes"), blank=True)
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    improvements = models.TextField(_("improvements"), blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evaluated by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-planned_date", "-pk"]
        indexes = [models.Index(fields=["organiser", "status", "conducted_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="drill_score_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(status=DrillStatus.PLANNED)
                | models.Q(conducted_on__isnull=False),
                name="drill_conducted_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DrillStatus.EVALUATED) | models.Q(score__isnull=False),
                name="drill_evaluated_has_score",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("drills:detail", args=[self.pk])


class FollowUpActionQuerySet(ScopedQuerySet):
    """A follow-up action belongs to a drill (its organiser's jurisdiction) or to an
    incident's after-action report (the incident's jurisdiction): ``visible_to`` scopes
    both kinds."""

    def visible_to(self, user: object) -> FollowUpActionQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:  # type: ignore[attr-defined]
            return self.all()
        jurisdiction = user.jurisdiction  # type: ignore[attr-defined]
        if jurisdiction is None:
            return self.none()
        return self.filter(
            models.Q(drill__organiser__jurisdiction__path__startswith=jurisdiction.path)
            | models.Q(after_action__incident__jurisdiction__path__startswith=jurisdiction.path)
        )


class FollowUpAction(models.Model):
    """A problem found in a drill's evaluation and what must be done about it, by whom and
    by when, until closed (SPEC §6; Linqing §四.(二): "强化应急演练分析研判、总结评估")."""

    jurisdiction_lookup = "drill__organiser__jurisdiction"

    # A problem found in a drill, or in an incident's after-action report: exactly one.
    drill = models.ForeignKey(
        Drill,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("drill"),
    )
    after_action = models.ForeignKey(
        "AfterActionReport",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("after-action report"),
    )
    problem = models.TextField(_("problem found"))
    action = models.TextField(_("follow-up action"), blank=True)
    owner = models.ForeignKey(
        Organisation, models.PROTECT, related_name="drill_actions", verbose_name=_("owner")
    )
    owner_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    deadline = models.DateField(_("deadline"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closure_note = models.TextField(_("closure note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = FollowUpActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | ~models.Q(closure_note=""),
                name="follow_up_action_closure_has_note",
            ),
            models.CheckConstraint(
                condition=models.Q(drill__isnull=False, after_action__isnull=True)
                | models.Q(drill__isnull=True, after_action__isnull=False),
                name="follow_up_action_from_drill_or_after_action",
            ),
        ]

    def __str__(self) -> str:
        return self.problem[:60]

    def get_absolute_url(self) -> str:
        if self.drill_id:
            return self.drill.get_absolute_url() + "#actions"
        return self.after_action.get_absolute_url() + "#actions"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def source_jurisdiction(self):  # -> Jurisdiction
        """The drill organiser's jurisdiction, or the incident's for an after-action one."""
        if self.drill_id:
            return self.drill.organiser.jurisdiction
        return self.after_action.incident.jurisdiction


class AfterActionReport(models.Model):
    """After an incident the fire brigade submits a written summary (总结) to the bureau:
    what worked, what failed, suggestions (Liaocheng §三.三.3). The bureau accepts it or
    returns it with a reason; the problems found become follow-up actions."""

    jurisdiction_lookup = "incident__jurisdiction"

    incident = models.OneToOneField(
        "command.Incident",
        models.PROTECT,
        related_name="after_action",
        verbose_name=_("incident"),
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="after_actions", verbose_name=_("written by")
    )
    summary = models.TextField(_("course of the response"), blank=True)
    what_worked = models.TextField(_("what worked"), blank=True)
    what_failed = models.TextField(_("what failed"), blank=True)
    suggestions = models.TextField(_("suggestions"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AfterActionStatus.choices,
        default=AfterActionStatus.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("after-action report")
        verbose_name_plural = _("after-action reports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.incident)

    def get_absolute_url(self) -> str:
        return reverse("drills:after_action_detail", args=[self.pk])


class DrillAttachment(models.Model):
    """A photo or document of a drill. Size and type (extension and magic bytes) are
    checked by the service before anything is written."""

    jurisdiction_lookup = "drill__organiser__jurisdiction"

    drill = models.ForeignKey(
        Drill, models.PROTECT, related_name="attachments", verbose_name=_("drill")
    )
    file = models.FileField(_("file"), upload_to="drills/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("drill attachment")
        verbose_name_plural = _("drill attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class DrillFrequencyRule(models.Model):
    """How often an organisation must drill (Linqing §四.(二), Rongcheng §四.二.4), kept as
    data so a county can add rules without a release.

    A rule applies to the active organisations of ``organisation_kind`` and
    ``risk_class`` (blank = any). With scope ``organisation`` it needs a conducted drill
    organised by the organisation, of one of ``drill_types`` (empty = any), and
    multi-department if ``requires_multi_department``; with scope ``special_plan`` it
    needs, for each active special contingency plan of the organisation, a conducted
    drill exercising that plan.

    Period arithmetic, exact to the day: the last qualifying drill conducted on day D
    satisfies the rule up to and including ``add_months(D, period_months)`` — the same
    day number ``period_months`` calendar months later, or the last day of that month if
    it is shorter (2026-05-23 + 6 → 2026-11-23; 2026-08-31 + 6 → 2027-02-28). The next
    day the organisation is overdue; within ``DUE_SOON_DAYS`` days before it is due
    soon. An organisation (or special plan) never drilled is overdue at once: the seed
    rules have run for years, so there is no grace period to grant.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    organisation_kind = models.CharField(
        _("organisation kind"), max_length=32, choices=OrganisationKind.choices, blank=True
    )
    risk_class = models.CharField(
        _("risk class"), max_length=16, choices=RiskClass.choices, blank=True
    )
    scope = models.CharField(
        _("scope"), max_length=16, choices=RuleScope.choices, default=RuleScope.ORGANISATION
    )
    period_months = models.PositiveSmallIntegerField(
        _("period (months)"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    drill_types = models.JSONField(
        _("qualifying drill types"), default=list, blank=True, help_text=_("Empty: any type.")
    )
    requires_multi_department = models.BooleanField(_("multi-department only"), default=False)
    source = models.CharField(_("source"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("drill frequency rule")
        verbose_name_plural = _("drill frequency rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_months__gte=1), name="drill_rule_period_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, organisation: Organisation) -> bool:
        return (not self.organisation_kind or self.organisation_kind == organisation.kind) and (
            not self.risk_class or self.risk_class == organisation.risk_class
        )

    def counts(self, drill_type: str, is_multi_department: bool) -> bool:
        """Does a conducted drill of this type count for an organisation-scope rule?"""
        if self.drill_types and drill_type not in self.drill_types:
            return False
        return is_multi_department or not self.requires_multi_department

    def due_date(self, last: date) -> date:
        """The last day on which a drill conducted on ``last`` still satisfies the rule."""
        return add_months(last, self.period_months)
