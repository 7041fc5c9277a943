"""Duty rosters, shifts, duty logs, hand-overs, spot checks (SPEC §5).

Tieling §三.(二).1: leaders on duty (领导干部带班) and 24-hour duty officers, joint duty
(联合值守) of the emergency bureau and the fire brigade; Zhoushan §五.(一): quarterly spot
checks (抽查) of linkage units.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from duty.rosters.choices import DutyLogCategory
from forces.validators import validate_personal_phone

__all__ = [
    "DutyLogCategory",
    "DutyLogEntry",
    "DutyRoster",
    "HandOver",
    "Shift",
    "ShiftOfficer",
    "SpotCheck",
    "new_feed_token",
]


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class DutyRoster(models.Model):
    """A 24-hour duty roster (值班表) of one organisation or one of its forces (SPEC §5).

    ``partners`` make it a joint roster (联合值守, Tieling §三.(二).1): the county bureau
    and the county fire brigade keep one roster, and both may edit it.
    """

    jurisdiction_lookup = "jurisdiction"

    name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="duty_rosters",
        verbose_name=_("owning organisation"),
    )
    partners = models.ManyToManyField(
        Organisation,
        related_name="joint_duty_rosters",
        blank=True,
        verbose_name=_("joint duty partners"),
        help_text=_("Organisations keeping joint duty (联合值守) on this roster."),
    )
    force = models.ForeignKey(
        "forces.Force",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_rosters",
        verbose_name=_("rescue force"),
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="duty_rosters", verbose_name=_("jurisdiction")
    )
    # Calendar clients cannot log in: the feed URL carries this secret instead.
    feed_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=new_feed_token
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[partners], excluded_fields=["feed_token"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty roster")
        verbose_name_plural = _("duty rosters")
        ordering = ["jurisdiction__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="duty_roster_unique_name_in_organisation"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("duty:roster_detail", args=[self.pk])


class Shift(models.Model):
    """A shift (班次) of a roster: from ``starts_at`` to ``ends_at`` with the leader on
    duty (带班领导) and its duty officers (Tieling §三.(二).1)."""

    jurisdiction_lookup = "roster__jurisdiction"

    roster = models.ForeignKey(
        DutyRoster, models.PROTECT, related_name="shifts", verbose_name=_("duty roster")
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    leader_name = models.CharField(_("leader on duty"), max_length=50, blank=True)
    leader_phone = models.CharField(
        _("leader phone"), max_length=20, blank=True, validators=[validate_personal_phone]
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["roster", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="duty_shift_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        # In the site's zone (Beijing time), never the stored UTC.
        from django.utils import timezone

        return f"{self.roster} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A shift must end after it starts.")})


class ShiftOfficer(models.Model):
    """A duty officer (值班员) of a shift. On a joint roster, ``organisation`` says which
    partner the officer comes from."""

    jurisdiction_lookup = "shift__roster__jurisdiction"

    shift = models.ForeignKey(
        Shift, models.CASCADE, related_name="officers", verbose_name=_("shift")
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[validate_personal_phone]
    )
    position = models.PositiveSmallIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty officer")
        verbose_name_plural = _("duty officers")
        ordering = ["shift", "position", "id"]

    def __str__(self) -> str:
        return self.name


class DutyLogEntry(models.Model):
    """An entry of the duty log (值班日志). ``shift`` is where the entry is listed now:
    a hand-over moves open entries to the incoming shift; ``recorded_on`` keeps the
    shift it was written on."""

    jurisdiction_lookup = "roster__jurisdiction"

    roster = models.ForeignKey(
        DutyRoster, models.PROTECT, related_name="log_entries", verbose_name=_("duty roster")
    )
    shift = models.ForeignKey(
        Shift, models.PROTECT, related_name="log_entries", verbose_name=_("shift")
    )
    recorded_on = models.ForeignKey(
        Shift, models.PROTECT, related_name="+", verbose_name=_("recorded on shift")
    )
    occurred_at = models.DateTimeField(_("time"))
    officer = models.ForeignKey(
        ShiftOfficer,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("duty officer"),
    )
    category = models.CharField(
        _("category"), max_length=16, choices=DutyLogCategory.choices, default="other"
    )
    content = models.TextField(_("content"))
    is_open = models.BooleanField(
        _("open item"), default=False, help_text=_("Open items are carried over at hand-over.")
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closing_note = models.CharField(_("closing note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log entries")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(is_open=True) & models.Q(closed_at__isnull=False)),
                name="duty_log_open_item_not_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%m-%d %H:%M} {self.content[:30]}"

    @property
    def was_carried(self) -> bool:
        return self.shift_id != self.recorded_on_id


class HandOver(models.Model):
    """A shift hand-over (交接班) from the outgoing to the incoming officer; the open log
    items it carried are kept in ``carried_entries`` (Tieling §三.(二).1, 规范运行管理)."""

    jurisdiction_lookup = "roster__jurisdiction"

    roster = models.ForeignKey(
        DutyRoster, models.PROTECT, related_name="hand_overs", verbose_name=_("duty roster")
    )
    from_shift = models.OneToOneField(
        Shift, models.PROTECT, related_name="hand_over", verbose_name=_("outgoing shift")
    )
    to_shift = models.ForeignKey(
        Shift, models.PROTECT, related_name="taken_over", verbose_name=_("incoming shift")
    )
    from_officer = models.ForeignKey(
        ShiftOfficer, models.PROTECT, related_name="+", verbose_name=_("outgoing officer")
    )
    to_officer = models.ForeignKey(
        ShiftOfficer, models.PROTECT, related_name="+", verbose_name=_("incoming officer")
    )
    handed_over_at = models.DateTimeField(_("handed over"))
    notes = models.TextField(_("notes"), blank=True)
    carried_entries = models.ManyToManyField(
        DutyLogEntry, related_name="hand_overs", blank=True, verbose_name=_("carried items")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["-handed_over_at"]

    def __str__(self) -> str:
        return f"{self.from_officer} → {self.to_officer}"


class SpotCheck(models.Model):
    """A quarterly spot check (抽查) of a linkage unit: call handling, duty, public
    satisfaction; findings with a rectification deadline, closed when rectified
    (Zhoushan §五.(一))."""

    jurisdiction_lookup = "organisation__jurisdiction"

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="spot_checks", verbose_name=_("linkage unit")
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    checked_on = models.DateField(_("date of check"))
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), editable=False, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    call_handling_passed = models.BooleanField(_("call handling passed"), default=True)
    call_handling_note = models.CharField(_("call handling note"), max_length=200, blank=True)
    duty_passed = models.BooleanField(_("duty passed"), default=True)
    duty_note = models.CharField(_("duty note"), max_length=200, blank=True)
    satisfaction_score = models.PositiveSmallIntegerField(
        _("public satisfaction (0–100)"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    findings = models.TextField(_("findings"), blank=True)
    rectification_deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closing_note = models.CharField(_("closing note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["year", "quarter"], name="duty_spotcheck_quarter")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction_score__lte=100),
                name="duty_spotcheck_score_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="duty_spotcheck_quarter_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.year}Q{self.quarter}"

    def save(self, *args, **kwargs) -> None:
        self.derive_quarter()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "checked_on" in update_fields:
            kwargs["update_fields"] = [*update_fields, "year", "quarter"]
        super().save(*args, **kwargs)

    def derive_quarter(self) -> None:
        # The quarter is derived, never typed: it is what the quarterly list counts by.
        if self.checked_on:
            self.year = self.checked_on.year
            self.quarter = (self.checked_on.month - 1) // 3 + 1

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        failed = not (self.call_handling_passed and self.duty_passed)
        errors = {}
        if failed and not self.findings.strip():
            errors["findings"] = _("Describe the findings of a failed item.")
        if failed and self.rectification_deadline is None:
            errors["rectification_deadline"] = _("A failed item needs a rectification deadline.")
        if (
            self.rectification_deadline
            and self.checked_on
            and self.rectification_deadline < self.checked_on
        ):
            errors["rectification_deadline"] = _("The deadline cannot precede the check.")
        if errors:
            raise ValidationError(errors)

    @property
    def needs_rectification(self) -> bool:
        return self.rectification_deadline is not None

    @property
    def is_open(self) -> bool:
        return self.needs_rectification and self.closed_at is None
