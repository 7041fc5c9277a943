"""The dispatch chain (调度), SPEC §4: call-out plans, their approval, orders to forces,
notices to industry departments, cross-region reinforcement and overdue alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from command.models import Incident
from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from dispatch.choices import (
    AlertKind,
    NoticeStatus,
    OrderStatus,
    PlanStatus,
    ReinforcementStatus,
    SpecialPeriodKind,
)
from forces.models import Force
from notify.choices import ResponderChannel

User = settings.AUTH_USER_MODEL


class IncidentScopedQuerySet(ScopedQuerySet):
    """Visible to the plan's own level and to the incident's jurisdiction and above, so
    that both levels of a cross-region reinforcement see every step (Liaocheng §三.一.2)."""

    def visible_to(self, user):  # type: ignore[no-untyped-def]
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        own = user.jurisdiction
        if own is None:
            return self.none()
        lookup = self.model.jurisdiction_lookup
        incident = self.model.incident_lookup
        return self.filter(
            Q(**{f"{lookup}__path__startswith": own.path})
            | Q(**{f"{incident}__jurisdiction__path__startswith": own.path})
        )


class DispatchPolicy(models.Model):
    """Per-jurisdiction deadlines (Zhoushan §三.2: tier 1 within 30 min in town, tier 2
    within 60 min; rural "as fast as possible" unless configured). The nearest policy up
    the tree applies; without one the seed values do."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        models.PROTECT,
        related_name="dispatch_policy",
        verbose_name=_("jurisdiction"),
    )
    ack_minutes = models.PositiveSmallIntegerField(_("acknowledge within (min)"), default=5)
    tier1_urban_minutes = models.PositiveSmallIntegerField(
        _("tier 1 arrival, town (min)"), default=30
    )
    tier2_urban_minutes = models.PositiveSmallIntegerField(
        _("tier 2 arrival, town (min)"), default=60
    )
    tier3_urban_minutes = models.PositiveSmallIntegerField(
        _("tier 3 arrival, town (min)"), null=True, blank=True
    )
    tier1_rural_minutes = models.PositiveSmallIntegerField(
        _("tier 1 arrival, rural (min)"), null=True, blank=True
    )
    tier2_rural_minutes = models.PositiveSmallIntegerField(
        _("tier 2 arrival, rural (min)"), null=True, blank=True
    )
    tier3_rural_minutes = models.PositiveSmallIntegerField(
        _("tier 3 arrival, rural (min)"), null=True, blank=True
    )
    result_hours = models.PositiveSmallIntegerField(_("result due within (h)"), default=24)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dispatch policy")
        verbose_name_plural = _("dispatch policies")

    def __str__(self) -> str:
        return str(self.jurisdiction)


class SpecialPeriod(models.Model):
    """Flood season or a declared sensitive period (Liaocheng §三.一.2): approval then needs
    the consent of each force's industry department. Applies to its jurisdiction and below;
    ``recurs_yearly`` repeats the month-day range every year (flood season)."""

    kind = models.CharField(_("kind"), max_length=16, choices=SpecialPeriodKind.choices)
    name = models.CharField(_("name"), max_length=100)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        models.PROTECT,
        related_name="special_periods",
        verbose_name=_("jurisdiction"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    recurs_yearly = models.BooleanField(_("every year"), default=False)
    declared_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("declared by")
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("special period")
        verbose_name_plural = _("special periods")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="special_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReinforcementRequest(models.Model):
    """Cross-region reinforcement (跨区域增援, Liaocheng §三.一.2; Rongcheng §四.一.4):
    the same-level bureau applies to the upper-level bureau; once approved, the
    upper-level fire brigade drafts and issues the orders."""

    jurisdiction_lookup = "upper_jurisdiction"
    incident_lookup = "incident"

    incident = models.ForeignKey(
        Incident, models.PROTECT, related_name="reinforcements", verbose_name=_("incident")
    )
    requesting_jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="+", verbose_name=_("requesting jurisdiction")
    )
    upper_jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="+", verbose_name=_("upper jurisdiction")
    )
    needs = models.TextField(_("forces needed"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ReinforcementStatus.choices,
        default=ReinforcementStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    history = HistoricalRecords()
    objects = IncidentScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reinforcement request")
        verbose_name_plural = _("reinforcement requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.incident} · {self.requesting_jurisdiction} → {self.upper_jurisdiction}"


class CallOutPlan(models.Model):
    """A call-out plan (调用方案) drafted by the fire brigade and approved by the
    same-level emergency bureau (Liaocheng §三.一.2; Rongcheng §四.一.4)."""

    jurisdiction_lookup = "jurisdiction"
    incident_lookup = "incident"

    incident = models.ForeignKey(
        Incident, models.PROTECT, related_name="plans", verbose_name=_("incident")
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        models.PROTECT,
        related_name="plans",
        verbose_name=_("level"),
        help_text=_("The drafting fire brigade's jurisdiction; its bureau approves."),
    )
    reinforcement = models.ForeignKey(
        ReinforcementRequest,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("reinforcement request"),
    )
    task = models.TextField(_("task"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PlanStatus.choices,
        default=PlanStatus.DRAFT,
        db_index=True,
    )
    drafted_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    drafted_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    in_special_period = models.BooleanField(_("in a special period"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = HistoricalRecords()
    objects = IncidentScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("call-out plan")
        verbose_name_plural = _("call-out plans")
        ordering = ["-drafted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.incident} · #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("dispatch:plan_detail", args=[self.pk])


class PlanLine(models.Model):
    """One force in a plan: what it is asked to do and with what."""

    jurisdiction_lookup = "plan__jurisdiction"
    incident_lookup = "plan__incident"

    plan = models.ForeignKey(
        CallOutPlan, models.CASCADE, related_name="lines", verbose_name=_("plan")
    )
    force = models.ForeignKey(
        Force, models.PROTECT, related_name="plan_lines", verbose_name=_("force")
    )
    task = models.CharField(_("task"), max_length=200, blank=True)
    people = models.PositiveIntegerField(_("people"), default=0)
    equipment = models.CharField(_("equipment asked for"), max_length=200, blank=True)
    # The drafter confirmed the force although it was out on another open order.
    already_deployed = models.BooleanField(_("confirmed although deployed"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "force"], name="plan_line_unique_force"),
        ]

    def __str__(self) -> str:
        return str(self.force)


class Consent(models.Model):
    """The industry department's consent (商行业主管部门同意) to call out its force in a
    special period (Liaocheng §三.一.2): given by a user of the department, or recorded
    by the approver with the person consulted and when."""

    plan = models.ForeignKey(
        CallOutPlan, models.CASCADE, related_name="consents", verbose_name=_("plan")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("industry department")
    )
    given_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("given or recorded by")
    )
    consulted_person = models.CharField(_("person consulted"), max_length=50, blank=True)
    consulted_at = models.DateTimeField(_("consulted at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organisation"], name="consent_unique_per_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.plan_id}"


class CallOutOrder(models.Model):
    """An order (出动指令) to one force, issued on approval (Liaocheng §三.一.2), then
    acknowledged, departed, arrived, completed and reported (Zhoushan §三.2)."""

    jurisdiction_lookup = "plan__jurisdiction"
    incident_lookup = "plan__incident"

    plan = models.ForeignKey(
        CallOutPlan, models.PROTECT, related_name="orders", verbose_name=_("plan")
    )
    force = models.ForeignKey(Force, models.PROTECT, related_name="orders", verbose_name=_("force"))
    number = models.CharField(_("order number"), max_length=32, unique=True)
    task = models.CharField(_("task"), max_length=200, blank=True)
    people = models.PositiveIntegerField(_("people"), default=0)
    equipment = models.CharField(_("equipment"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OrderStatus.choices,
        default=OrderStatus.ISSUED,
        db_index=True,
    )
    issued_at = models.DateTimeField(_("issued at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    ack_deadline = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    arrival_deadline = models.DateTimeField(_("arrive by"), null=True, blank=True)
    result_deadline = models.DateTimeField(_("result due"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("result reported at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    people_rescued = models.PositiveIntegerField(_("people rescued"), default=0)
    # Stood down (OrderStatus.ENDED) when the incident closed with the force still out.
    ended_at = models.DateTimeField(_("stood down at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stood down by"),
    )
    end_reason = models.TextField(_("reason for standing down"), blank=True)
    last_step_by = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last step by"),
    )
    last_step_on_behalf = models.BooleanField(_("last step on the force's behalf"), default=False)
    # How the acknowledgement came: the page, an SMS reply, a one-time link or a key in a
    # voice call, and who (a user's name, or "短信回复，138****5678": masked already).
    acknowledged_via = models.CharField(
        _("acknowledged via"), max_length=8, choices=ResponderChannel.choices, blank=True
    )
    acknowledged_label = models.CharField(_("acknowledged by"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = HistoricalRecords()
    objects = IncidentScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("call-out order")
        verbose_name_plural = _("call-out orders")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One order per force per plan, even if two approvals race.
            models.UniqueConstraint(fields=["plan", "force"], name="order_unique_force_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.force}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("dispatch:order_detail", args=[self.pk])


class Notice(models.Model):
    """The notice for the record (报备) to a force's industry department, written in the
    approval's transaction and delivered after commit (an outbox row: a sweep re-delivers
    until ``delivered_at`` is set)."""

    jurisdiction_lookup = "order__plan__jurisdiction"
    incident_lookup = "order__plan__incident"

    order = models.OneToOneField(
        CallOutOrder, models.PROTECT, related_name="notice", verbose_name=_("order")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="notices", verbose_name=_("industry department")
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=NoticeStatus.choices,
        default=NoticeStatus.PENDING,
        db_index=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    read_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("read by")
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_via = models.CharField(
        _("read via"), max_length=8, choices=ResponderChannel.choices, blank=True
    )
    read_label = models.CharField(_("read by (as recorded)"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = IncidentScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice for the record")
        verbose_name_plural = _("notices for the record")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.order}"


class DispatchAlert(models.Model):
    """An overdue step of an order, raised once by the periodic sweep."""

    jurisdiction_lookup = "order__plan__jurisdiction"
    incident_lookup = "order__plan__incident"

    order = models.ForeignKey(
        CallOutOrder, models.PROTECT, related_name="alerts", verbose_name=_("order")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    raised_at = models.DateTimeField(_("raised at"))
    deadline = models.DateTimeField(_("deadline"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = IncidentScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispatch alert")
        verbose_name_plural = _("dispatch alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="alert_once_per_order_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.order}"
