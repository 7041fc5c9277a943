"""Roll calls (值班值守调度, SPEC §5; Liaocheng §三.二.2) and their schedules.

The fire brigade checks that every force is on duty: a roll call targets a set of
forces, each must answer through its force account within a window (default 10 min),
and each target ends as on time, late or no answer. Schedules start roll calls by
themselves (one beat tick reads them); intensifications raise the frequency for key
dates and sensitive periods.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from duty.rollcalls.choices import (
    FREQUENCY_RANK,
    RollCallFrequency,
    RollCallOutcome,
    RollCallStatus,
)
from forces.choices import ForceCategory
from forces.models import Force
from notify.choices import ResponderChannel

__all__ = [
    "FREQUENCY_RANK",
    "RollCall",
    "RollCallFrequency",
    "RollCallIntensification",
    "RollCallOutcome",
    "RollCallSchedule",
    "RollCallStatus",
    "RollCallTarget",
]

DEFAULT_WINDOW_MINUTES = 10
DEFAULT_LATE_MINUTES = 50


class _Scope(models.Model):
    """Which forces a roll call reaches: every active force in the jurisdiction and
    below, optionally only one category, optionally only one department's forces (owned
    by it or under its industry authority)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    category = models.CharField(
        _("category"), max_length=16, choices=ForceCategory.choices, blank=True
    )
    department = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    window_minutes = models.PositiveSmallIntegerField(
        _("answer window (minutes)"),
        default=DEFAULT_WINDOW_MINUTES,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    late_minutes = models.PositiveSmallIntegerField(
        _("late answers accepted for (minutes)"),
        default=DEFAULT_LATE_MINUTES,
        validators=[MaxValueValidator(24 * 60)],
        help_text=_("After the window, answers still count as late for this long."),
    )

    class Meta:
        abstract = True


class RollCallSchedule(_Scope):
    """A standing roll call: monthly by default (Liaocheng §三.二.2: 每月调度一次)."""

    name = models.CharField(_("name"), max_length=100)
    frequency = models.CharField(
        _("frequency"),
        max_length=8,
        choices=RollCallFrequency.choices,
        default=RollCallFrequency.MONTHLY,
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("For monthly roll calls (1–28)."),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        default=0,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
        help_text=_("For weekly roll calls."),
    )
    time_of_day = models.TimeField(_("time of day"), default="09:00")
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    jurisdiction_lookup = "jurisdiction"

    class Meta:
        verbose_name = _("roll-call schedule")
        verbose_name_plural = _("roll-call schedules")
        ordering = ["jurisdiction__path", "name"]

    def __str__(self) -> str:
        return self.name


class RollCallIntensification(models.Model):
    """Key dates and sensitive periods (重要节点、敏感时期): from ``starts_on`` to
    ``ends_on`` inclusive, the schedules of this jurisdiction and below run at least at
    ``frequency`` (Liaocheng §三.二.2)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    reason = models.CharField(_("reason"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    frequency = models.CharField(
        _("frequency"),
        max_length=8,
        choices=[c for c in RollCallFrequency.choices if c[0] != RollCallFrequency.MONTHLY],
        default=RollCallFrequency.DAILY,
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    jurisdiction_lookup = "jurisdiction"

    class Meta:
        verbose_name = _("roll-call intensification")
        verbose_name_plural = _("roll-call intensifications")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="rollcall_intensification_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.starts_on}–{self.ends_on}"


class RollCall(_Scope):
    schedule = models.ForeignKey(
        RollCallSchedule,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="roll_calls",
        verbose_name=_("schedule"),
    )
    period_key = models.CharField(
        _("period"),
        max_length=16,
        blank=True,
        help_text=_("For scheduled roll calls: the month, week or day they cover."),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"), db_index=True)
    deadline = models.DateTimeField(_("answer by"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=RollCallStatus.choices,
        default=RollCallStatus.RUNNING,
        db_index=True,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("notifications delivered at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    jurisdiction_lookup = "jurisdiction"

    class Meta:
        verbose_name = _("roll call")
        verbose_name_plural = _("roll calls")
        ordering = ["-started_at", "-pk"]
        constraints = [
            # One roll call per schedule and period, whatever the number of ticks.
            models.UniqueConstraint(
                fields=["schedule", "period_key"],
                condition=Q(schedule__isnull=False),
                name="rollcall_once_per_schedule_period",
            )
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.jurisdiction} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def window(self) -> timedelta:
        return self.deadline - self.started_at


class RollCallTarget(models.Model):
    """One force in one roll call. Category and department are copied at the start so
    that reports read the roll call as it was."""

    roll_call = models.ForeignKey(
        RollCall, models.CASCADE, related_name="targets", verbose_name=_("roll call")
    )
    force = models.ForeignKey(
        Force, models.PROTECT, related_name="roll_call_targets", verbose_name=_("force")
    )
    category = models.CharField(_("category"), max_length=16, choices=ForceCategory.choices)
    department = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("department")
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=RollCallOutcome.choices,
        default=RollCallOutcome.WAITING,
        db_index=True,
    )
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    # The page, an SMS reply, a one-time link or a voice key, and who ("短信回复，
    # 138****5678", masked already, or the account's name).
    answered_via = models.CharField(
        _("answered via"), max_length=8, choices=ResponderChannel.choices, blank=True
    )
    answered_label = models.CharField(_("answered by (as recorded)"), max_length=100, blank=True)
    people_on_duty = models.PositiveIntegerField(_("people on duty"), null=True, blank=True)
    equipment_ready = models.BooleanField(_("key equipment ready"), null=True, blank=True)
    answer_seconds = models.PositiveIntegerField(
        _("answer time (seconds)"), null=True, blank=True, editable=False
    )
    remark = models.CharField(_("remark"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("roll-call target")
        verbose_name_plural = _("roll-call targets")
        ordering = ["roll_call", "force__name"]
        constraints = [
            models.UniqueConstraint(fields=["roll_call", "force"], name="rollcall_target_once"),
        ]
        indexes = [models.Index(fields=["force", "roll_call"], name="rollcall_target_force")]

    def __str__(self) -> str:
        return f"{self.roll_call} · {self.force}"
