"""Graded response (分级响应, SPEC §3; Tieling §三.二.4, 附件1 §13): response manuals per
hazard and level with their instruction lists (指令清单), activations for an incident or a
warning, the instructions sent to departments and tracked, and the seats (席位) departments
take in the HQ while a response is active."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Jurisdiction, Organisation
from core.querysets import ScopedQuerySet
from response.choices import (
    ActivationStatus,
    InstructionStatus,
    ResponseHazard,
    ResponseLevel,
    StepKind,
)


class ResponseManual(models.Model):
    """The response manual (应急响应手册) of one hazard and level in a jurisdiction: data,
    edited on pages by the bureau."""

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        models.PROTECT,
        related_name="response_manuals",
        verbose_name=_("jurisdiction"),
    )
    hazard = models.CharField(_("hazard"), max_length=24, choices=ResponseHazard.choices)
    level = models.CharField(_("level"), max_length=4, choices=ResponseLevel.choices)
    title = models.CharField(_("title"), max_length=150)
    # When the level is activated (启动条件), for the people deciding.
    conditions = models.TextField(_("activation conditions"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("response manual")
        verbose_name_plural = _("response manuals")
        ordering = ["jurisdiction__path", "hazard", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "hazard", "level"], name="response_manual_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ManualInstruction(models.Model):
    """One line of a manual's instruction list: what, which department, by when after
    activation."""

    jurisdiction_lookup = "manual__jurisdiction"

    manual = models.ForeignKey(
        ResponseManual, models.CASCADE, related_name="instructions", verbose_name=_("manual")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.TextField(_("instruction"))
    department = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="manual_instructions",
        verbose_name=_("responsible department"),
    )
    deadline_minutes = models.PositiveIntegerField(_("deadline (minutes after activation)"))

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("manual instruction")
        verbose_name_plural = _("manual instructions")
        ordering = ["manual", "position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ResponseActivation(models.Model):
    """A response at a level, for an incident or a warning; raised, lowered and ended by
    recorded steps."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="responses", verbose_name=_("jurisdiction")
    )
    hazard = models.CharField(_("hazard"), max_length=24, choices=ResponseHazard.choices)
    level = models.CharField(_("level"), max_length=4, choices=ResponseLevel.choices)
    incident = models.ForeignKey(
        "command.Incident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("incident"),
    )
    warning = models.ForeignKey(
        "earlywarning.HazardWarning",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("warning"),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ActivationStatus.choices,
        default=ActivationStatus.ACTIVE,
        db_index=True,
    )
    activated_at = models.DateTimeField(_("activated at"))
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("activated by")
    )
    reason = models.TextField(_("reason"), blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-activated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(incident__isnull=False) | models.Q(warning__isnull=False),
                name="response_for_incident_or_warning",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_hazard_display()} {self.get_level_display()}"


class ResponseStep(models.Model):
    """Activated, raised, lowered, ended: each a recorded step with its reason."""

    jurisdiction_lookup = "activation__jurisdiction"

    activation = models.ForeignKey(
        ResponseActivation, models.CASCADE, related_name="steps", verbose_name=_("response")
    )
    kind = models.CharField(_("step"), max_length=12, choices=StepKind.choices)
    from_level = models.CharField(
        _("from level"), max_length=4, choices=ResponseLevel.choices, blank=True
    )
    to_level = models.CharField(
        _("to level"), max_length=4, choices=ResponseLevel.choices, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("response step")
        verbose_name_plural = _("response steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ResponseInstruction(models.Model):
    """An instruction of an active response, sent to its department (a notification with
    acknowledgement), tracked to done with a report; overdue ones are flagged."""

    jurisdiction_lookup = "activation__jurisdiction"

    activation = models.ForeignKey(
        ResponseActivation,
        models.CASCADE,
        related_name="instructions",
        verbose_name=_("response"),
    )
    source = models.ForeignKey(
        ManualInstruction,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manual line"),
    )
    level = models.CharField(_("level"), max_length=4, choices=ResponseLevel.choices)
    text = models.TextField(_("instruction"))
    department = models.ForeignKey(
        Organisation, models.PROTECT, related_name="instructions", verbose_name=_("department")
    )
    due_at = models.DateTimeField(_("due at"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InstructionStatus.choices,
        default=InstructionStatus.SENT,
        db_index=True,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_via = models.CharField(_("acknowledged via"), max_length=16, blank=True)
    acknowledged_label = models.CharField(_("acknowledged by"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    report = models.TextField(_("report"), blank=True)
    overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Seat(models.Model):
    """A department's seat (席位) in the HQ while a response is active."""

    jurisdiction_lookup = "activation__jurisdiction"

    activation = models.ForeignKey(
        ResponseActivation, models.CASCADE, related_name="seats", verbose_name=_("response")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="seats", verbose_name=_("department")
    )
    person = models.CharField(_("seated person"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    joined_at = models.DateTimeField(_("joined at"))
    joined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activation", "organisation"],
                condition=models.Q(left_at__isnull=True),
                name="seat_one_open_per_department",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.person}"
