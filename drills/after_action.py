"""After-action reports (总结, Liaocheng §三.三.3): "灾害事故处置结束后，参与救援的各级消防救援
队伍要及时总结……经验做法和存在的不足，提出……意见和建议，并以书面形式报同级应急管理部门".

* ``save_after_action`` — the fire brigade that took part (fire dispatchers of a fire and
  rescue organisation of the incident's jurisdiction or above) writes the draft, once the
  incident is closed (handling has ended); one report per incident. The problems found
  become follow-up actions (owner, deadline), closable like a drill's; saving again
  replaces the problems not yet closed.
* ``submit_after_action`` — the brigade submits it (every section written) to the bureau,
  which is told (Purpose.AFTER_ACTION: approvers and duty officers of the incident's
  jurisdiction).
* ``accept_after_action`` / ``return_after_action(reason)`` — the bureau of the incident's
  jurisdiction or above; a returned report goes back to the brigade (told), which
  reworks and submits it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command.choices import IncidentStatus
from command.models import Incident
from core.choices import OrganisationKind
from core.events import record_event
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import User
from core.permissions import in_jurisdiction
from core.roles import Role
from core.saving import stamp_history, validated
from drills.choices import AfterActionStatus
from drills.events import AfterActionEvent
from drills.models import AfterActionReport, FollowUpAction
from drills.permissions import can_review_after_action, can_write_after_action
from drills.services import ProblemInput
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import Recipient

__all__ = [
    "ProblemInput",
    "accept_after_action",
    "return_after_action",
    "save_after_action",
    "submit_after_action",
]

SECTIONS = ("summary", "what_worked", "what_failed", "suggestions")
EDITABLE = (AfterActionStatus.DRAFT, AfterActionStatus.RETURNED)


def _payload(report: AfterActionReport, **extra: Any) -> dict[str, Any]:
    return {
        "after_action_id": report.pk,
        "incident_id": report.incident_id,
        "organisation_id": report.organisation_id,
        "status": report.status,
        **extra,
    }


def _load(actor: Any, report_id: int) -> AfterActionReport:
    report = (
        AfterActionReport.objects.select_for_update(of=("self",))
        .select_related("incident__jurisdiction", "organisation")
        .filter(pk=report_id)
        .first()
    )
    if report is None or not in_jurisdiction(actor, report.incident.jurisdiction):
        raise NotFoundError(_("No such after-action report in your jurisdiction."))
    return report


def _check_problems(actor: Any, incident: Incident, problems: Sequence[ProblemInput]) -> None:
    errors: dict[str, list[str]] = {}
    closed_on = incident.closed_at.date() if incident.closed_at else None
    for i, p in enumerate(problems):
        if not p.problem.strip():
            errors[f"problems[{i}].problem"] = [_("Describe the problem.")]
        if closed_on and p.deadline < closed_on:
            errors[f"problems[{i}].deadline"] = [
                _("The deadline cannot be before the incident was closed.")
            ]
        if not (
            incident.jurisdiction.contains(p.owner.jurisdiction)
            or p.owner.jurisdiction.contains(incident.jurisdiction)
        ):
            errors[f"problems[{i}].owner"] = [_("The owner must be of the incident's area.")]
    if errors:
        raise ValidationFailed(_("A problem found is incomplete."), errors=errors)


@transaction.atomic
def save_after_action(
    *,
    actor: User,
    incident_id: int,
    summary: str = "",
    what_worked: str = "",
    what_failed: str = "",
    suggestions: str = "",
    problems: Sequence[ProblemInput] | None = None,
) -> AfterActionReport:
    """Write (or rework) the brigade's summary of a closed incident. ``problems`` None
    keeps the follow-up actions as they are; a list replaces those not yet closed."""
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None or not in_jurisdiction(actor, incident.jurisdiction):
        raise NotFoundError(_("No such incident in your jurisdiction."))
    report = (
        AfterActionReport.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(incident=incident)
        .first()
    )
    if not can_write_after_action(actor, incident, report):
        raise PermissionDeniedError(
            _("The fire brigade that took part writes the after-action report.")
        )
    if incident.status != IncidentStatus.CLOSED:
        raise InvalidTransition(
            _("An after-action report is written once the incident is closed."),
            code="incident_open",
        )
    if report is not None and report.status not in EDITABLE:
        raise InvalidTransition(
            _("The report is %(status)s and can no longer be changed.")
            % {"status": report.get_status_display()},
            code="after_action_not_editable",
        )
    if problems is not None:
        _check_problems(actor, incident, problems)
    created = report is None
    if created:
        organisation = actor.organisation
        if organisation is None or organisation.kind != OrganisationKind.FIRE_RESCUE:
            raise ValidationFailed(
                _("Only a fire and rescue organisation writes an after-action report."),
                errors={"organisation": [_("Not a fire and rescue organisation.")]},
            )
        report = AfterActionReport(incident=incident, organisation=organisation, created_by=actor)
    texts = {
        "summary": summary,
        "what_worked": what_worked,
        "what_failed": what_failed,
        "suggestions": suggestions,
    }
    for name, value in texts.items():
        setattr(report, name, (value or "").strip())
    validated(report, exclude=["incident"])
    stamp_history(report, actor, _("Saved"))
    if created:
        report.save()
    else:
        report.save(update_fields=[*SECTIONS, "updated_at"])
    actions: list[int] = []
    if problems is not None:
        report.actions.filter(closed_at__isnull=True).delete()
        for p in problems:
            action = FollowUpAction(
                after_action=report,
                problem=p.problem.strip(),
                action=p.action,
                owner=p.owner,
                owner_person=p.owner_person,
                deadline=p.deadline,
            )
            validated(action, exclude=["after_action"], validate_constraints=False)
            stamp_history(action, actor, _("After-action report"))
            action.save()
            actions.append(action.pk)
    record_event(
        type=AfterActionEvent.SAVED,
        jurisdiction=incident.jurisdiction,
        subject=report,
        actor=actor,
        organisation=report.organisation,
        payload=_payload(report, created=created, actions=actions),
    )
    return report


@transaction.atomic
def submit_after_action(*, actor: User, report_id: int) -> AfterActionReport:
    """The brigade submits its written summary to the bureau (draft or returned →
    submitted); every section must be written."""
    report = _load(actor, report_id)
    if not can_write_after_action(actor, report.incident, report):
        raise PermissionDeniedError(_("The brigade that wrote the report submits it."))
    if report.status not in EDITABLE:
        raise InvalidTransition(
            _("The report has already been submitted."), code="after_action_submitted"
        )
    missing = {
        name: [_("This field is required.")] for name in SECTIONS if not getattr(report, name)
    }
    if missing:
        raise ValidationFailed(
            _("Write every section before submitting."),
            errors=missing,
        )
    report.status = AfterActionStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    stamp_history(report, actor, _("Submitted"))
    report.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    record_event(
        type=AfterActionEvent.SUBMITTED,
        jurisdiction=report.incident.jurisdiction,
        subject=report,
        actor=actor,
        organisation=report.organisation,
        payload=_payload(report),
    )
    notify_services.close(purpose=Purpose.AFTER_ACTION, subject=report)
    notify_services.notify(
        purpose=Purpose.AFTER_ACTION,
        subject=report,
        jurisdiction=report.incident.jurisdiction,
        audiences={
            Audience.APPROVERS: _users(
                Role.BUREAU_APPROVER,
                organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
                organisation__jurisdiction=report.incident.jurisdiction,
            ),
            Audience.DUTY_OFFICERS: _users(
                Role.DUTY_OFFICER,
                organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
                organisation__jurisdiction=report.incident.jurisdiction,
            ),
        },
        title=f"总结报告待审 · {report.incident.title}"[:200],
        body=f"{report.organisation.name}报送了“{report.incident.title}”处置总结，请审阅。",
        link=report.get_absolute_url(),
    )
    return report


def _review(actor: User, report_id: int) -> AfterActionReport:
    report = _load(actor, report_id)
    if not can_review_after_action(actor, report):
        raise PermissionDeniedError(_("The emergency bureau accepts or returns the report."))
    if report.status != AfterActionStatus.SUBMITTED:
        raise InvalidTransition(
            _("Only a submitted report is accepted or returned."),
            code="after_action_not_submitted",
        )
    return report


@transaction.atomic
def accept_after_action(*, actor: User, report_id: int, note: str = "") -> AfterActionReport:
    report = _review(actor, report_id)
    report.status = AfterActionStatus.ACCEPTED
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor
    report.review_note = (note or "").strip()
    stamp_history(report, actor, _("Accepted"))
    report.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note", "updated_at"])
    record_event(
        type=AfterActionEvent.ACCEPTED,
        jurisdiction=report.incident.jurisdiction,
        subject=report,
        actor=actor,
        organisation=report.organisation,
        payload=_payload(report),
    )
    notify_services.close(purpose=Purpose.AFTER_ACTION, subject=report)
    return report


@transaction.atomic
def return_after_action(*, actor: User, report_id: int, reason: str) -> AfterActionReport:
    """Back to the brigade for rework, with the reason; the brigade is told."""
    report = _review(actor, report_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say what must be reworked."), errors={"reason": [_("This field is required.")]}
        )
    report.status = AfterActionStatus.RETURNED
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor
    report.review_note = reason
    stamp_history(report, actor, _("Returned"))
    report.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note", "updated_at"])
    record_event(
        type=AfterActionEvent.RETURNED,
        jurisdiction=report.incident.jurisdiction,
        subject=report,
        actor=actor,
        organisation=report.organisation,
        payload=_payload(report, reason=reason),
    )
    notify_services.close(purpose=Purpose.AFTER_ACTION, subject=report)
    notify_services.notify(
        purpose=Purpose.AFTER_ACTION,
        subject=report,
        jurisdiction=report.incident.jurisdiction,
        audiences={
            Audience.ORG_USERS: _users(Role.FIRE_DISPATCHER, organisation=report.organisation)
        },
        title=f"总结报告退回修改 · {report.incident.title}"[:200],
        body=f"“{report.incident.title}”处置总结被退回：{reason}"[:300],
        link=report.get_absolute_url(),
        organisation=report.organisation,
    )
    return report


def _users(role: str, **filters: Any) -> list[Recipient]:
    return [
        Recipient(label=str(u), user_id=u.pk, phone=u.phone or "", email=u.email or "")
        for u in User.objects.filter(is_active=True, groups__name=role, **filters)
        .distinct()
        .order_by("pk")
        .only("pk", "username", "display_name", "phone", "email")
    ]
