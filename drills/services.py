"""Writes of the drills app (SPEC §6). Pages, API, admin and the demo builder call these
functions; each one, in one transaction: lock the row, authorise (role, jurisdiction,
organisation), check the transition, validate, save with history, record the event.

Who may write: staff of the organiser (any writing role), the emergency bureau of the
organiser's jurisdiction or one above it, and administrators of that jurisdiction. Who
may read: every registry reader in the jurisdiction subtree (``visible_to``); others get
404. Seed sections: Linqing §四.(二) (annual plans, frequency, evaluation), Rongcheng
§四.二.4 (the bureau's multi-department comprehensive drill, tabletop/special/joint
drills and competitions).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import record_event
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Organisation, User
from core.permissions import in_jurisdiction
from core.saving import stamp_history, validated
from drills.choices import DRILL_TRANSITIONS, DrillStatus, PlanKind
from drills.events import AfterActionEvent, DrillEvent
from drills.models import (
    AnnualDrillPlan,
    ContingencyPlan,
    Drill,
    DrillAttachment,
    FollowUpAction,
)
from drills.permissions import (  # re-exported: pages and the API ask them here too
    can_close_action,
    can_manage_drills_of,
    is_multi_department,
)
from forces.models import Force

DRILL_FIELDS = (
    "title",
    "drill_type",
    "hazard",
    "scenario",
    "annual_plan",
    "contingency_plan",
    "planned_date",
    "location",
    "multi_department_declared",
)


# --- helpers ----------------------------------------------------------------------------


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _load_drill(drill_id: int, actor: Any) -> Drill:
    drill = (
        Drill.objects.select_for_update(of=("self",))
        .select_related("organiser__jurisdiction")
        .filter(pk=drill_id)
        .first()
    )
    if drill is None or not in_jurisdiction(actor, drill.organiser.jurisdiction):
        raise NotFoundError(_("No such drill in your jurisdiction."))
    if not can_manage_drills_of(actor, drill.organiser):
        raise PermissionDeniedError(_("You may not change drills of this organisation."))
    return drill


def _check_transition(drill: Drill, to: str) -> None:
    if to in DRILL_TRANSITIONS[drill.status]:
        return
    if to == DrillStatus.CONDUCTED:
        raise InvalidTransition(
            _("Only a planned drill can be recorded as conducted."), code="drill_not_planned"
        )
    raise InvalidTransition(
        _("Only a conducted drill can be evaluated."), code="drill_not_conducted"
    )


def _check_participants(
    actor: Any,
    organiser: Organisation,
    forces: Sequence[Force],
    organisations: Sequence[Organisation],
) -> None:
    errors: dict[str, list[str]] = {}
    if any(not in_jurisdiction(actor, f.jurisdiction) for f in forces):
        errors["participating_forces"] = [_("Forces must be in your jurisdiction.")]
    if any(not in_jurisdiction(actor, o.jurisdiction) for o in organisations):
        errors["participating_organisations"] = [_("Organisations must be in your jurisdiction.")]
    if errors:
        raise ValidationFailed(_("Participants outside your jurisdiction."), errors=errors)


def _check_links(drill: Drill, organisations: Sequence[Organisation]) -> None:
    """The annual plan is the organiser's for the drill's year; the contingency plan is
    the organiser's or a participant's."""
    errors: dict[str, list[str]] = {}
    plan = drill.annual_plan
    if plan is not None and (
        plan.organisation_id != drill.organiser_id or plan.year != drill.planned_date.year
    ):
        errors["annual_plan"] = [
            _("Choose the organiser's annual plan for the year of the planned date.")
        ]
    cp = drill.contingency_plan
    if cp is not None and cp.organisation_id not in {
        drill.organiser_id,
        *(o.pk for o in organisations),
    }:
        errors["contingency_plan"] = [
            _("The plan must belong to the organiser or a participating organisation.")
        ]
    if errors:
        raise ValidationFailed(_("The drill's links are inconsistent."), errors=errors)


# --- contingency plans and annual plans --------------------------------------------------


@transaction.atomic
def create_contingency_plan(
    *, actor: User, organisation: Organisation, name: str, kind: str, hazard: str = ""
) -> ContingencyPlan:
    """Register a contingency plan (Linqing §四.(二): overall, special, department)."""
    if not in_jurisdiction(actor, organisation.jurisdiction):
        raise NotFoundError(_("No such organisation in your jurisdiction."))
    if not can_manage_drills_of(actor, organisation):
        raise PermissionDeniedError(_("You may not register plans for this organisation."))
    plan = ContingencyPlan(organisation=organisation, name=name, kind=kind, hazard=hazard)
    if kind == PlanKind.SPECIAL and not hazard:
        raise ValidationFailed(
            _("A special plan names its hazard."), errors={"hazard": [_("Required.")]}
        )
    if ContingencyPlan.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationFailed(
            _("This organisation already has a plan of that name."),
            errors={"name": [_("Already registered.")]},
        )
    validated(plan, validate_constraints=False)
    stamp_history(plan, actor, _("Created"))
    plan.save()
    record_event(
        type=DrillEvent.CONTINGENCY_PLAN_CREATED,
        jurisdiction=organisation.jurisdiction,
        subject=plan,
        actor=_actor(actor),
        payload={"contingency_plan_id": plan.pk, "kind": kind},
    )
    return plan


@transaction.atomic
def create_annual_plan(
    *, actor: User, organisation: Organisation, year: int, notes: str = ""
) -> AnnualDrillPlan:
    """Draw up an organisation's annual drill plan (Linqing §四.(二): "各级政府制定年度应急
    演练计划"). One per organisation and year; the database refuses a second."""
    if not in_jurisdiction(actor, organisation.jurisdiction):
        raise NotFoundError(_("No such organisation in your jurisdiction."))
    if not can_manage_drills_of(actor, organisation):
        raise PermissionDeniedError(_("You may not plan drills for this organisation."))
    # Lock the organisation so two simultaneous requests cannot both pass the check.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if AnnualDrillPlan.objects.filter(organisation=organisation, year=year).exists():
        raise ValidationFailed(
            _("This organisation already has a drill plan for that year."),
            errors={"year": [_("A plan for this year exists.")]},
        )
    plan = AnnualDrillPlan(
        organisation=organisation, year=year, notes=notes, created_by=_actor(actor)
    )
    validated(plan, validate_constraints=False)
    stamp_history(plan, actor, _("Created"))
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        raise ConflictError(
            _("This organisation already has a drill plan for that year."),
            code="annual_plan_exists",
        ) from exc
    record_event(
        type=DrillEvent.ANNUAL_PLAN_CREATED,
        jurisdiction=organisation.jurisdiction,
        subject=plan,
        actor=_actor(actor),
        payload={"annual_plan_id": plan.pk, "year": year},
    )
    return plan


# --- drills -----------------------------------------------------------------------------


@transaction.atomic
def create_drill(
    *,
    actor: User,
    organiser: Organisation,
    data: dict[str, Any],
    forces: Sequence[Force] = (),
    organisations: Sequence[Organisation] = (),
) -> Drill:
    """Plan a drill (status planned). Without an annual plan it joins the organiser's plan
    for its year, if there is one (Linqing §四.(二))."""
    if not in_jurisdiction(actor, organiser.jurisdiction):
        raise NotFoundError(_("No such organisation in your jurisdiction."))
    if not can_manage_drills_of(actor, organiser):
        raise PermissionDeniedError(_("You may not plan drills for this organisation."))
    forces, organisations = list(forces), [o for o in organisations if o.pk != organiser.pk]
    _check_participants(actor, organiser, forces, organisations)
    drill = Drill(
        organiser=organiser,
        created_by=_actor(actor),
        status=DrillStatus.PLANNED,
        **{k: v for k, v in data.items() if k in DRILL_FIELDS},
    )
    validated(drill, validate_constraints=False)
    if drill.annual_plan is None:
        drill.annual_plan = AnnualDrillPlan.objects.filter(
            organisation=organiser, year=drill.planned_date.year
        ).first()
    _check_links(drill, organisations)
    drill.is_multi_department = is_multi_department(
        organiser, organisations, drill.multi_department_declared
    )
    stamp_history(drill, actor, _("Planned"))
    drill.save()
    drill.participating_forces.set(forces)
    drill.participating_organisations.set(organisations)
    record_event(
        type=DrillEvent.PLANNED,
        jurisdiction=organiser.jurisdiction,
        subject=drill,
        actor=_actor(actor),
        payload={
            "drill_id": drill.pk,
            "drill_type": drill.drill_type,
            "planned_date": drill.planned_date.isoformat(),
        },
    )
    return drill


@transaction.atomic
def update_drill(
    *,
    actor: User,
    drill_id: int,
    data: dict[str, Any],
    forces: Sequence[Force] | None = None,
    organisations: Sequence[Organisation] | None = None,
) -> Drill:
    """Change a planned drill. Once conducted, its record is what happened."""
    drill = _load_drill(drill_id, actor)
    if drill.status != DrillStatus.PLANNED:
        raise InvalidTransition(_("Only a planned drill can be edited."), code="drill_not_editable")
    changed = [
        name
        for name, value in data.items()
        if name in DRILL_FIELDS and getattr(drill, name) != value
    ]
    for name in changed:
        setattr(drill, name, data[name])
    current_forces = list(drill.participating_forces.all())
    current_orgs = list(drill.participating_organisations.all())
    new_forces = current_forces if forces is None else list(forces)
    new_orgs = (
        current_orgs
        if organisations is None
        else [o for o in organisations if o.pk != drill.organiser_id]
    )
    forces_changed = {f.pk for f in new_forces} != {f.pk for f in current_forces}
    orgs_changed = {o.pk for o in new_orgs} != {o.pk for o in current_orgs}
    _check_participants(actor, drill.organiser, new_forces, new_orgs)
    multi = is_multi_department(drill.organiser, new_orgs, drill.multi_department_declared)
    if multi != drill.is_multi_department:
        drill.is_multi_department = multi
        changed.append("is_multi_department")
    if not (changed or forces_changed or orgs_changed):
        return drill
    validated(drill, validate_constraints=False)
    _check_links(drill, new_orgs)
    stamp_history(drill, actor, _("Edited"))
    drill.save(update_fields=[*changed, "updated_at"])
    if forces_changed:
        drill.participating_forces.set(new_forces)
        changed.append("participating_forces")
    if orgs_changed:
        drill.participating_organisations.set(new_orgs)
        changed.append("participating_organisations")
    record_event(
        type=DrillEvent.UPDATED,
        jurisdiction=drill.organiser.jurisdiction,
        subject=drill,
        actor=_actor(actor),
        payload={"drill_id": drill.pk, "changed": changed},
    )
    return drill


@transaction.atomic
def conduct_drill(
    *, actor: User, drill_id: int, conducted_on: date, notes: str = "", today: date | None = None
) -> Drill:
    """Record that a planned drill took place (planned → conducted). The date it took
    place is what the frequency rules count (Linqing §四.(二))."""
    drill = _load_drill(drill_id, actor)
    _check_transition(drill, DrillStatus.CONDUCTED)
    today = today or timezone.localdate()
    if conducted_on > today:
        raise ValidationFailed(
            _("A drill cannot be recorded before it has happened."),
            errors={"conducted_on": [_("The date is in the future.")]},
        )
    drill.status = DrillStatus.CONDUCTED
    drill.conducted_on = conducted_on
    drill.conduct_notes = notes
    drill.conducted_by = _actor(actor)
    stamp_history(drill, actor, _("Conducted"))
    drill.save(
        update_fields=["status", "conducted_on", "conduct_notes", "conducted_by", "updated_at"]
    )
    record_event(
        type=DrillEvent.CONDUCTED,
        jurisdiction=drill.organiser.jurisdiction,
        subject=drill,
        actor=_actor(actor),
        payload={"drill_id": drill.pk, "conducted_on": conducted_on.isoformat()},
    )
    return drill


@dataclass(frozen=True)
class ProblemInput:
    """One problem found in an evaluation and the follow-up action it becomes."""

    problem: str
    owner: Organisation
    deadline: date
    action: str = ""
    owner_person: str = ""


@transaction.atomic
def evaluate_drill(
    *,
    actor: User,
    drill_id: int,
    score: int,
    problems: Sequence[ProblemInput] = (),
    improvements: str = "",
) -> Drill:
    """Evaluate a conducted drill (conducted → evaluated): a score of 0–100, the
    improvements, and each problem found as a follow-up action with an owner and a
    deadline (Linqing §四.(二): "强化应急演练分析研判、总结评估")."""
    drill = _load_drill(drill_id, actor)
    _check_transition(drill, DrillStatus.EVALUATED)
    errors: dict[str, list[str]] = {}
    if not isinstance(score, int) or not 0 <= score <= 100:
        errors["score"] = [_("The score is a whole number from 0 to 100.")]
    for i, p in enumerate(problems):
        if not p.problem.strip():
            errors[f"problems[{i}].problem"] = [_("Describe the problem.")]
        if drill.conducted_on and p.deadline < drill.conducted_on:
            errors[f"problems[{i}].deadline"] = [_("The deadline cannot be before the drill.")]
        if not in_jurisdiction(actor, p.owner.jurisdiction):
            errors[f"problems[{i}].owner"] = [_("The owner must be in your jurisdiction.")]
    if errors:
        raise ValidationFailed(_("The evaluation is incomplete."), errors=errors)
    drill.status = DrillStatus.EVALUATED
    drill.score = score
    drill.improvements = improvements
    drill.evaluated_at = timezone.now()
    drill.evaluated_by = _actor(actor)
    stamp_history(drill, actor, _("Evaluated"))
    drill.save(
        update_fields=[
            "status",
            "score",
            "improvements",
            "evaluated_at",
            "evaluated_by",
            "updated_at",
        ]
    )
    actions = []
    for p in problems:
        action = FollowUpAction(
            drill=drill,
            problem=p.problem.strip(),
            action=p.action,
            owner=p.owner,
            owner_person=p.owner_person,
            deadline=p.deadline,
        )
        validated(action, exclude=["drill"], validate_constraints=False)
        stamp_history(action, actor, _("Evaluation"))
        action.save()
        actions.append(action.pk)
    record_event(
        type=DrillEvent.EVALUATED,
        jurisdiction=drill.organiser.jurisdiction,
        subject=drill,
        actor=_actor(actor),
        payload={"drill_id": drill.pk, "score": score, "actions": actions},
    )
    return drill


@transaction.atomic
def close_follow_up_action(*, actor: User, action_id: int, note: str) -> FollowUpAction:
    """Close a follow-up action (of a drill or of an after-action report) with a note of
    what was done. Closing twice is refused."""
    action = (
        FollowUpAction.objects.select_for_update(of=("self",))
        .select_related(
            "drill__organiser__jurisdiction",
            "after_action__incident__jurisdiction",
            "owner",
        )
        .filter(pk=action_id)
        .first()
    )
    if action is None or not in_jurisdiction(actor, action.source_jurisdiction):
        raise NotFoundError(_("No such follow-up action in your jurisdiction."))
    if not can_close_action(actor, action):
        raise PermissionDeniedError(_("You may not close this follow-up action."))
    if action.is_closed:
        raise InvalidTransition(
            _("This follow-up action is already closed."), code="action_already_closed"
        )
    if not note.strip():
        raise ValidationFailed(
            _("Say how the problem was resolved."),
            errors={"closure_note": [_("This field is required.")]},
        )
    action.closed_at = timezone.now()
    action.closed_by = _actor(actor)
    action.closure_note = note.strip()
    stamp_history(action, actor, _("Closed"))
    action.save(update_fields=["closed_at", "closed_by", "closure_note"])
    if action.drill_id is None:
        record_event(
            type=AfterActionEvent.ACTION_CLOSED,
            jurisdiction=action.source_jurisdiction,
            subject=action.after_action,
            actor=_actor(actor),
            payload={
                "after_action_id": action.after_action_id,
                "incident_id": action.after_action.incident_id,
                "action_id": action.pk,
            },
        )
        return action
    record_event(
        type=DrillEvent.ACTION_CLOSED,
        jurisdiction=action.drill.organiser.jurisdiction,
        subject=action.drill,
        actor=_actor(actor),
        payload={"drill_id": action.drill_id, "action_id": action.pk},
    )
    return action


# --- attachments ------------------------------------------------------------------------

_ZIP = (b"PK\x03\x04",)
ALLOWED_ATTACHMENTS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG",)),
    "pdf": ("application/pdf", (b"%PDF",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ZIP,
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
}


def max_attachment_bytes() -> int:
    return int(getattr(settings, "DRILL_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def check_attachment(upload: UploadedFile) -> tuple[str, str]:
    """Size first, then extension, then the file's first bytes; returns (extension,
    content type). The client's declared content type is never trusted."""
    limit = max_attachment_bytes()
    size = upload.size or 0
    if size > limit:
        raise ValidationFailed(
            _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)},
            code="attachment_too_large",
            errors={"file": [_("File too large.")]},
        )
    if size == 0:
        raise ValidationFailed(
            _("The file is empty."), code="attachment_empty", errors={"file": [_("Empty file.")]}
        )
    ext = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    if ext not in ALLOWED_ATTACHMENTS:
        raise ValidationFailed(
            _("Only JPG, PNG, PDF, DOCX and XLSX files are accepted."),
            code="attachment_type",
            errors={"file": [_("File type not accepted.")]},
        )
    content_type, signatures = ALLOWED_ATTACHMENTS[ext]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationFailed(
            _("The file's content does not match its .%(ext)s extension.") % {"ext": ext},
            code="attachment_content_mismatch",
            errors={"file": [_("The content does not match the file type.")]},
        )
    return ext, content_type


def add_drill_attachment(*, actor: User, drill_id: int, upload: UploadedFile) -> DrillAttachment:
    """Attach a photo or document to a drill. A refused upload writes nothing; if the
    transaction fails after the file was stored, the file is removed again."""
    # Authorise before the upload is judged: an outsider learns nothing from a 400.
    with transaction.atomic():
        _load_drill(drill_id, actor)
    ext, content_type = check_attachment(upload)
    stored: list[DrillAttachment] = []
    try:
        return _add_drill_attachment(
            actor=actor,
            drill_id=drill_id,
            upload=upload,
            ext=ext,
            content_type=content_type,
            stored=stored,
        )
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise


@transaction.atomic
def _add_drill_attachment(
    *,
    actor: User,
    drill_id: int,
    upload: UploadedFile,
    ext: str,
    content_type: str,
    stored: list[DrillAttachment],
) -> DrillAttachment:
    drill = _load_drill(drill_id, actor)
    original = os.path.basename(upload.name or "")[-255:]
    attachment = DrillAttachment(
        drill=drill,
        original_name=original,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=_actor(actor),
    )
    # A random stored name: the original (often Chinese, sometimes clashing) is kept apart.
    attachment.file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
    stored.append(attachment)
    attachment.save()
    record_event(
        type=DrillEvent.ATTACHMENT_ADDED,
        jurisdiction=drill.organiser.jurisdiction,
        subject=drill,
        actor=_actor(actor),
        payload={"drill_id": drill.pk, "attachment_id": attachment.pk, "name": original},
    )
    return attachment
