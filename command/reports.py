"""30-minute reporting (Tieling §三.(二).2, Liaocheng §三.三.1): the reports an incident
that meets a reporting rule owes, their deadlines, submission, receipt and 迟报 flags.

Decisions (README "Reporting"):

* **Which rule.** The active rules of the incident's jurisdiction and of its ancestors
  are tried; of those the incident meets, the *nearest* one wins (a county's own rule
  before the city's), then the one with the shortest initial deadline, then by name. An
  incident has one set of reports: the unique constraint on (incident, kind, addressee,
  sequence) makes ``ensure_reports`` idempotent.
* **When the clock starts.** "重要紧急情况30分钟内电话或书面报告": 30 minutes from the moment
  the centre holds the information that makes the incident reportable. An incident
  recorded already meeting a rule counts from its receipt (``received_at``; recorded late
  means reported late). One that meets a rule only after an update or re-assessment
  counts from that update.
* **What is owed.** The initial report (初报) to the party committee and government, its
  copies (抄报) to the same-level bureau and the fire brigade (per the rule's flags), all
  due at start + ``initial_minutes``; the first follow-up (续报) due one interval after
  the initial deadline. Submitting a follow-up creates the next one, due one interval
  after the later of its deadline and its submission, while the incident is open. When
  the incident closes, a follow-up not yet due is withdrawn and the final report (终报)
  is due ``final_hours`` after closing.
* **Who reports.** The emergency bureau of the incident's own jurisdiction (its duty
  officers, approvers and administrators) submits and records receipts: the centre
  reports to its own party committee and government. The fire brigade of that
  jurisdiction (its dispatchers) may also record the receipt of the copy addressed to
  it. Everyone who reads incidents reads the reports.
* **Late.** Submitted after ``due_at`` → 迟报, and a due report past ``due_at`` is flagged
  by the tick (``flag_late``); the flag stays after submission.
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from command.choices import (
    Disposition,
    IncidentLevel,
    IncidentStatus,
    ReportAddressee,
    ReportKind,
    ReportStatus,
)
from command.events import ReportEvent
from command.models import Incident, IncidentReport, ReportAttachment, ReportRule
from core import visibility
from core.choices import OrganisationKind
from core.events import record_event
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Jurisdiction, User
from core.permissions import in_jurisdiction
from core.roles import Role
from core.saving import validated

LEVEL_RANK = {
    IncidentLevel.UNASSESSED: 0,
    IncidentLevel.IV: 1,
    IncidentLevel.III: 2,
    IncidentLevel.II: 3,
    IncidentLevel.I: 4,
}
# The emergency bureau of the incident's jurisdiction reports (and edits the rules).
REPORT_SENDERS = (Role.DUTY_OFFICER, Role.BUREAU_APPROVER, Role.ADMINISTRATOR)
RULE_EDITORS = REPORT_SENDERS
# An incident recorded within this long of the check counts from its receipt.
RECORDING_WINDOW = datetime.timedelta(minutes=1)
REMIND_BEFORE = datetime.timedelta(minutes=10)
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10
_ZIP = (b"PK\x03\x04",)
ALLOWED_ATTACHMENTS: dict[str, tuple[bytes, ...]] = {
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG",),
    "pdf": (b"%PDF",),
    "docx": _ZIP,
    "xlsx": _ZIP,
}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- permissions ---------------------------------------------------------------------------


def _is_bureau_member(user: Any, jurisdiction_id: int, roles: Iterable[str]) -> bool:
    org = getattr(user, "organisation", None)
    return (
        org is not None
        and org.kind == OrganisationKind.EMERGENCY_BUREAU
        and org.jurisdiction_id == jurisdiction_id
        and user.has_role(*roles)
    )


def can_read_reports(user: Any) -> bool:
    return visibility.can_read_incidents(user)


def can_send_reports(user: Any, incident: Incident) -> bool:
    """The bureau of the incident's own jurisdiction (or a superuser)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or _is_bureau_member(user, incident.jurisdiction_id, REPORT_SENDERS)


def can_receive_report(user: Any, report: IncidentReport) -> bool:
    if can_send_reports(user, report.incident):
        return True
    org = getattr(user, "organisation", None)
    return (
        report.addressee == ReportAddressee.FIRE_BRIGADE
        and org is not None
        and org.kind == OrganisationKind.FIRE_RESCUE
        and org.jurisdiction_id == report.incident.jurisdiction_id
        and user.has_role(Role.FIRE_DISPATCHER)
    )


def can_edit_rules(user: Any, jurisdiction: Jurisdiction | None = None) -> bool:
    """Bureau staff (duty officers, approvers, administrators) for their jurisdiction and
    below; without ``jurisdiction``: anywhere they may."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    org = getattr(user, "organisation", None)
    if org is None or org.kind != OrganisationKind.EMERGENCY_BUREAU:
        return False
    if not user.has_role(*RULE_EDITORS):
        return False
    return jurisdiction is None or in_jurisdiction(user, jurisdiction)


# --- rules ---------------------------------------------------------------------------------


def rule_matches(rule: ReportRule, incident: Incident, type_ids: set[int] | None = None) -> bool:
    """The incident's type is among the rule's (all when none) and any set threshold is
    reached; a rule with no threshold takes every incident of its types."""
    if type_ids is None:
        type_ids = {t.pk for t in rule.incident_types.all()}
    if type_ids and incident.incident_type_id not in type_ids:
        return False
    checks = []
    if rule.min_level:
        checks.append(LEVEL_RANK.get(incident.level, 0) >= LEVEL_RANK.get(rule.min_level, 0))
    if rule.min_deaths is not None:
        checks.append(incident.deaths >= rule.min_deaths)
    if rule.min_injuries is not None:
        checks.append(incident.injuries >= rule.min_injuries)
    if rule.min_missing is not None:
        checks.append(incident.missing >= rule.min_missing)
    return any(checks) if checks else True


def matching_rule(incident: Incident) -> ReportRule | None:
    """The nearest active rule of the incident's jurisdiction or its ancestors that the
    incident meets (then the shortest initial deadline, then the name)."""
    codes = incident.jurisdiction.ancestors_and_self()
    rules = (
        ReportRule.objects.filter(active=True, jurisdiction__code__in=codes)
        .select_related("jurisdiction")
        .prefetch_related("incident_types")
    )
    met = [r for r in rules if rule_matches(r, incident)]
    if not met:
        return None
    met.sort(key=lambda r: (-len(r.jurisdiction.path), r.initial_minutes, r.name))
    return met[0]


def save_rule(
    *, actor: User, data: dict[str, Any], incident_types: Sequence = (), rule_id: int | None = None
) -> ReportRule:
    """Create or change a reporting rule of the actor's jurisdiction or below."""
    with transaction.atomic():
        if rule_id is None:
            rule = ReportRule()
        else:
            rule = (
                ReportRule.objects.select_for_update().visible_to(actor).filter(pk=rule_id).first()
            )
            if rule is None:
                raise NotFoundError(_("No such reporting rule in your jurisdiction."))
        if not can_edit_rules(actor):
            raise PermissionDeniedError(_("Your role may not edit reporting rules."))
        for name, value in data.items():
            setattr(rule, name, value)
        if rule.jurisdiction_id is None:
            rule.jurisdiction = actor.jurisdiction
        if rule.jurisdiction is None or not can_edit_rules(actor, rule.jurisdiction):
            raise ValidationFailed(
                _("The rule's jurisdiction is outside yours."),
                errors={"jurisdiction": [_("Outside your jurisdiction.")]},
            )
        duplicate = (
            ReportRule.objects.filter(jurisdiction=rule.jurisdiction, name=rule.name)
            .exclude(pk=rule.pk)
            .exists()
        )
        if duplicate:
            raise ConflictError(
                _("A reporting rule of this name exists in the jurisdiction."),
                code="rule_exists",
                errors={"name": [_("This name is taken.")]},
            )
        validated(rule)
        rule._history_user = actor
        try:
            with transaction.atomic():
                rule.save()
        except IntegrityError as exc:  # the same name saved at the same moment
            raise ConflictError(
                _("A reporting rule of this name exists in the jurisdiction."),
                code="rule_exists",
                errors={"name": [_("This name is taken.")]},
            ) from exc
        rule.incident_types.set(list(incident_types))
        record_event(
            type=ReportEvent.RULE_SAVED,
            jurisdiction=rule.jurisdiction,
            subject=rule,
            actor=actor,
            payload={"rule_id": rule.pk, "name": rule.name, "active": rule.active},
        )
    return rule


# --- creating the reports ------------------------------------------------------------------


def _payload(report: IncidentReport, **extra: Any) -> dict[str, Any]:
    return {
        "report_id": report.pk,
        "incident_id": report.incident_id,
        "kind": report.kind,
        "addressee": report.addressee,
        "sequence": report.sequence,
        "due_at": report.due_at.isoformat(),
        "late": report.late,
        **extra,
    }


def _create(incident: Incident, actor: Any, reports: list[IncidentReport]) -> list:
    created = []
    for report in reports:
        report._history_user = actor
        report.save()
        created.append(report)
    for report in created:
        record_event(
            type=ReportEvent.REQUIRED,
            jurisdiction=incident.jurisdiction,
            subject=report,
            actor=actor,
            payload=_payload(report),
        )
    return created


@transaction.atomic
def ensure_reports(*, incident: Incident, actor: Any = None) -> list[IncidentReport]:
    """Create the reports an open emergency incident owes, once: called after recording,
    updating and re-assessing. Returns the reports created now (none when not
    reportable, already planned, closed or transferred to 12345)."""
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .get(pk=incident.pk)
    )
    if incident.status != IncidentStatus.OPEN or incident.disposition == Disposition.HOTLINE:
        return []
    if IncidentReport.objects.filter(incident=incident, kind=ReportKind.INITIAL).exists():
        return []
    rule = matching_rule(incident)
    if rule is None:
        return []
    now = timezone.now()
    recording = incident.created_at >= now - RECORDING_WINDOW
    start = incident.received_at if recording else now
    due = start + datetime.timedelta(minutes=rule.initial_minutes)
    rows = [IncidentReport(kind=ReportKind.INITIAL, addressee=ReportAddressee.PARTY_GOVERNMENT)]
    if rule.copy_to_bureau:
        rows.append(IncidentReport(kind=ReportKind.COPY, addressee=ReportAddressee.BUREAU))
    if rule.copy_to_fire_brigade:
        rows.append(IncidentReport(kind=ReportKind.COPY, addressee=ReportAddressee.FIRE_BRIGADE))
    for row in rows:
        row.due_at = due
    if rule.follow_up_minutes:
        rows.append(
            IncidentReport(
                kind=ReportKind.FOLLOW_UP,
                addressee=ReportAddressee.PARTY_GOVERNMENT,
                sequence=2,
                due_at=due + datetime.timedelta(minutes=rule.follow_up_minutes),
            )
        )
    for row in rows:
        row.incident = incident
        row.rule = rule
    return _create(incident, actor, rows)


@transaction.atomic
def require_final_report(*, incident: Incident, actor: Any = None) -> IncidentReport | None:
    """On closing: the final report is due ``final_hours`` after the close; a follow-up
    not yet due is withdrawn (the final report takes its place). Only for incidents that
    owed reports."""
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .get(pk=incident.pk)
    )
    initial = (
        IncidentReport.objects.filter(incident=incident, kind=ReportKind.INITIAL)
        .select_related("rule")
        .first()
    )
    if initial is None:
        return None
    if IncidentReport.objects.filter(incident=incident, kind=ReportKind.FINAL).exists():
        return None
    IncidentReport.objects.filter(
        incident=incident, kind=ReportKind.FOLLOW_UP, status=ReportStatus.DUE, late=False
    ).delete()
    closed_at = incident.closed_at or timezone.now()
    hours = initial.rule.final_hours if initial.rule else 24
    final = IncidentReport(
        incident=incident,
        rule=initial.rule,
        kind=ReportKind.FINAL,
        addressee=ReportAddressee.PARTY_GOVERNMENT,
        due_at=closed_at + datetime.timedelta(hours=hours),
    )
    return _create(incident, actor, [final])[0]


# --- submitting and receiving --------------------------------------------------------------


def check_attachment(upload: UploadedFile) -> str:
    """Size, extension and first bytes (the declared content type is never trusted);
    returns the extension."""
    size = upload.size or 0
    name = os.path.basename(upload.name or "")
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(
            _("%(name)s is larger than %(mb)s MB.")
            % {"name": name, "mb": MAX_ATTACHMENT_BYTES // 1024 // 1024},
            code="attachment_too_large",
            errors={"attachments": [_("%(name)s: file too large.") % {"name": name}]},
        )
    if size == 0:
        raise ValidationFailed(
            _("%(name)s is empty.") % {"name": name},
            code="attachment_empty",
            errors={"attachments": [_("%(name)s: empty file.") % {"name": name}]},
        )
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext not in ALLOWED_ATTACHMENTS:
        raise ValidationFailed(
            _("Only JPG, PNG, PDF, DOCX and XLSX files are accepted."),
            code="attachment_type",
            errors={"attachments": [_("%(name)s: file type not accepted.") % {"name": name}]},
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in ALLOWED_ATTACHMENTS[ext]):
        raise ValidationFailed(
            _("The content of %(name)s does not match its extension.") % {"name": name},
            code="attachment_content_mismatch",
            errors={
                "attachments": [
                    _("%(name)s: the content does not match the file type.") % {"name": name}
                ]
            },
        )
    return ext


def _load_report(actor: Any, report_id: int, *, lock: bool = True) -> IncidentReport:
    qs = IncidentReport.objects.visible_to(actor).select_related("incident__jurisdiction", "rule")
    if lock:
        qs = qs.select_for_update(of=("self",))
    report = qs.filter(pk=report_id).first()
    if report is None or not can_read_reports(actor):
        raise NotFoundError(_("No such report in your jurisdiction."))
    return report


def submit_report(
    *,
    actor: User,
    report_id: int,
    title: str,
    body: str,
    attachments: Sequence[UploadedFile] = (),
) -> IncidentReport:
    """Submit a due report with its text and attachments, all or nothing. Late when after
    its deadline. Submitting a follow-up plans the next while the incident is open."""
    with transaction.atomic():
        report = _load_report(actor, report_id, lock=False)
        if not can_send_reports(actor, report.incident):
            raise PermissionDeniedError(
                _("Only the emergency bureau of the incident's jurisdiction submits reports.")
            )
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("A report needs a title.")]
    if not (body or "").strip():
        errors["body"] = [_("A report needs its text.")]
    if errors:
        raise ValidationFailed(_("The report is incomplete."), errors=errors)
    attachments = list(attachments)
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationFailed(
            _("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS},
            errors={"attachments": [_("Too many files.")]},
        )
    for upload in attachments:
        check_attachment(upload)
    stored: list[ReportAttachment] = []
    try:
        return _submit(actor, report_id, title.strip(), body.strip(), attachments, stored)
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise


@transaction.atomic
def _submit(actor, report_id, title, body, attachments, stored) -> IncidentReport:
    from notify import services as notify_services
    from notify.choices import Purpose

    report = _load_report(actor, report_id)
    incident = report.incident
    if not can_send_reports(actor, incident):
        raise PermissionDeniedError(
            _("Only the emergency bureau of the incident's jurisdiction submits reports.")
        )
    if report.status != ReportStatus.DUE:
        raise InvalidTransition(_("This report was already submitted."), code="report_submitted")
    now = timezone.now()
    newly_late = now > report.due_at and not report.late
    report.title = title[:150]
    report.body = body
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.submitted_by = actor
    report.late = report.late or now > report.due_at
    report._history_user = actor
    report.save(
        update_fields=[
            "title",
            "body",
            "status",
            "submitted_at",
            "submitted_by",
            "late",
            "updated_at",
        ]
    )
    for upload in attachments:
        attachment = ReportAttachment(
            report=report, name=os.path.basename(upload.name or "")[:150], uploaded_by=actor
        )
        attachment.file.save(os.path.basename(upload.name or "file"), upload, save=False)
        stored.append(attachment)
        attachment.save()
    next_report = None
    rule = report.rule
    if (
        report.kind == ReportKind.FOLLOW_UP
        and incident.status == IncidentStatus.OPEN
        and rule is not None
        and rule.follow_up_minutes
    ):
        last = (
            IncidentReport.objects.filter(incident=incident, kind=ReportKind.FOLLOW_UP).aggregate(
                m=Max("sequence")
            )["m"]
            or report.sequence
        )
        if last == report.sequence:
            next_report = IncidentReport(
                incident=incident,
                rule=rule,
                kind=ReportKind.FOLLOW_UP,
                addressee=report.addressee,
                sequence=report.sequence + 1,
                due_at=max(report.due_at, now) + datetime.timedelta(minutes=rule.follow_up_minutes),
            )
    notify_services.close(purpose=Purpose.REPORT_DUE, subject=report)
    record_event(
        type=ReportEvent.SUBMITTED,
        jurisdiction=incident.jurisdiction,
        subject=report,
        actor=actor,
        payload=_payload(report, attachments=len(stored), newly_late=newly_late),
    )
    if next_report is not None:
        _create(incident, actor, [next_report])
    return report


@transaction.atomic
def receive_report(*, actor: User, report_id: int, received_by: str) -> IncidentReport:
    """Record who received a submitted report (the person or office, e.g. 县委值班室 张某)."""
    report = _load_report(actor, report_id)
    if not can_receive_report(actor, report):
        raise PermissionDeniedError(_("Your role may not record the receipt of this report."))
    received_by = (received_by or "").strip()
    if not received_by:
        raise ValidationFailed(
            _("Say who received the report."),
            errors={"received_by": [_("Who received it (person or office).")]},
        )
    if report.status != ReportStatus.SUBMITTED:
        raise InvalidTransition(
            _("Only a submitted report can be received."), code="report_not_submitted"
        )
    report.status = ReportStatus.RECEIVED
    report.received_at = timezone.now()
    report.received_by = received_by[:100]
    report._history_user = actor
    report.save(update_fields=["status", "received_at", "received_by", "updated_at"])
    record_event(
        type=ReportEvent.RECEIVED,
        jurisdiction=report.incident.jurisdiction,
        subject=report,
        actor=actor,
        payload=_payload(report, received_by=report.received_by),
    )
    return report


# --- the tick: reminders and 迟报 ------------------------------------------------------------


def _duty_officers(jurisdiction_ids: Iterable[int]) -> dict[int, list]:
    from notify.types import Recipient

    found: dict[int, list] = defaultdict(list)
    ids = sorted(set(jurisdiction_ids))
    if not ids:
        return found
    users = (
        User.objects.filter(
            is_active=True,
            groups__name=Role.DUTY_OFFICER,
            organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
            organisation__jurisdiction_id__in=ids,
        )
        .distinct()
        .order_by("pk")
        .only("pk", "username", "display_name", "phone", "email", "organisation__jurisdiction_id")
        .select_related("organisation")
    )
    for user in users:
        found[user.organisation.jurisdiction_id].append(
            Recipient(
                label=str(user), user_id=user.pk, phone=user.phone or "", email=user.email or ""
            )
        )
    return found


def _requests(reports: list[IncidentReport], *, late: bool) -> list:
    from notify.choices import Audience, Purpose
    from notify.types import NotifyRequest

    officers = _duty_officers(r.incident.jurisdiction_id for r in reports)
    requests = []
    for report in reports:
        due = timezone.localtime(report.due_at).strftime("%H:%M")
        kind, to = report.get_kind_display(), report.get_addressee_display()
        what = f"{report.incident.title} {kind}（{to}）"
        if late:
            title = _("Report late: %(what)s") % {"what": what}
            body = _("%(what)s was due at %(due)s and is late (迟报). Submit it now.") % {
                "what": what,
                "due": due,
            }
        else:
            title = _("Report due at %(due)s: %(what)s") % {"what": what, "due": due}
            body = _("%(what)s is due at %(due)s.") % {"what": what, "due": due}
        requests.append(
            NotifyRequest(
                purpose=Purpose.REPORT_DUE,
                subject=report,
                jurisdiction=report.incident.jurisdiction,
                audiences={
                    Audience.DUTY_OFFICERS: officers.get(report.incident.jurisdiction_id, [])
                },
                title=title,
                body=body,
                link=reverse("command:report_detail", args=[report.pk]),
            )
        )
    return requests


def remind_due(*, now: datetime.datetime | None = None) -> int:
    """Duty officers of the jurisdiction are reminded of a report due within 10 minutes
    (once: notify keeps one open notification per report)."""
    from notify import services as notify_services

    now = now or timezone.now()
    with transaction.atomic():
        reports = list(
            IncidentReport.objects.filter(
                status=ReportStatus.DUE, late=False, due_at__lte=now + REMIND_BEFORE, due_at__gt=now
            ).select_related("incident__jurisdiction")
        )
        if reports:
            notify_services.notify_many(_requests(reports, late=False))
    return len(reports)


def flag_late(*, now: datetime.datetime | None = None) -> int:
    """Due reports past their deadline become 迟报 (event report.late); the reminder is
    closed and the duty officers are told it is late."""
    from notify import services as notify_services
    from notify.choices import Purpose

    now = now or timezone.now()
    with transaction.atomic():
        reports = list(
            IncidentReport.objects.select_for_update(of=("self",))
            .filter(status=ReportStatus.DUE, late=False, due_at__lt=now)
            .select_related("incident__jurisdiction")
            .order_by("due_at", "pk")
        )
        if not reports:
            return 0
        IncidentReport.objects.filter(pk__in=[r.pk for r in reports]).update(
            late=True, updated_at=now
        )
        notify_services.close_many(purpose=Purpose.REPORT_DUE, subjects=reports)
        for report in reports:
            report.late = True
            record_event(
                type=ReportEvent.LATE,
                jurisdiction=report.incident.jurisdiction,
                subject=report,
                payload=_payload(report),
            )
        transaction.on_commit(lambda: _tell_late([r.pk for r in reports]), robust=True)
    return len(reports)


def _tell_late(report_ids: list[int]) -> None:
    from notify import services as notify_services

    with transaction.atomic():
        reports = list(
            IncidentReport.objects.filter(
                pk__in=report_ids, status=ReportStatus.DUE
            ).select_related("incident__jurisdiction")
        )
        notify_services.notify_many(_requests(reports, late=True))


def tick(*, now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {"late": flag_late(now=now), "reminded": remind_due(now=now)}


# --- reads ---------------------------------------------------------------------------------

REPORT_FILTERS = ("due", "late", "submitted")


def visible_reports(user: Any) -> QuerySet[IncidentReport]:
    if not can_read_reports(user):
        return IncidentReport.objects.none()
    return IncidentReport.objects.visible_to(user).select_related(
        "incident__jurisdiction", "submitted_by"
    )


def filtered(qs: QuerySet[IncidentReport], state: str) -> QuerySet[IncidentReport]:
    if state == "due":
        return qs.filter(status=ReportStatus.DUE)
    if state == "late":
        return qs.filter(late=True)
    if state == "submitted":
        return qs.exclude(status=ReportStatus.DUE)
    return qs


def deadline_panel(user: Any, *, rows: int = 8) -> dict[str, Any]:
    """The dashboard's 报告时限: due reports by deadline, and the 迟报 count (open late
    reports and late submissions of open incidents)."""
    qs = visible_reports(user)
    counts = qs.aggregate(
        due=Count("pk", filter=Q(status=ReportStatus.DUE)),
        late_due=Count("pk", filter=Q(status=ReportStatus.DUE, late=True)),
        late=Count("pk", filter=Q(late=True, incident__status=IncidentStatus.OPEN)),
    )
    due = list(qs.filter(status=ReportStatus.DUE).order_by("due_at", "pk")[: rows + 1])
    return {
        "reports": due[:rows],
        "more": len(due) > rows,
        "due_count": counts["due"],
        "late_due_count": counts["late_due"],
        "late_count": counts["late"],
    }


def kind_label(report: IncidentReport) -> str:
    if report.kind == ReportKind.FOLLOW_UP:
        return _("Follow-up report no. %(n)s") % {"n": report.sequence - 1}
    return str(report.get_kind_display())
