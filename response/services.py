"""Every write of graded response (分级响应, DESIGN13 "Response services"; Tieling §三.二.4,
附件1 §13). Pages, the API, the notify registry (SMS reply, one-time link, voice key) and
the beat tick call these functions; each one, in one transaction, locks its row,
authorises (``response.permissions``), checks the state, writes, records the event last
and leaves sending to notify's after-commit hand-over.

An activation is for one incident or one warning; its manual is the nearest (hazard,
level) manual of the subject's jurisdiction or an ancestor. Each line becomes an
instruction to its department, due ``deadline_minutes`` after the step that sent it.
Raising adds the new level's lines not already sent; lowering cancels the open
instructions of higher levels; ending cancels every open one and empties the seats.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from command import selectors as command_selectors
from command.choices import IncidentStatus
from command.models import Incident
from core.events import record_event, record_events
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Jurisdiction, Organisation, User
from core.phones import validate_phone
from earlywarning.choices import WarningStatus
from earlywarning.models import HazardWarning
from notify.types import Responder
from response import notifications
from response.choices import (
    LEVEL_RANK,
    OPEN_INSTRUCTION_STATUSES,
    ActivationStatus,
    InstructionStatus,
    ResponseHazard,
    ResponseLevel,
    StepKind,
)
from response.events import InstructionEvent, ResponseEvent, SeatEvent
from response.models import (
    ManualInstruction,
    ResponseActivation,
    ResponseInstruction,
    ResponseManual,
    ResponseStep,
    Seat,
)
from response.permissions import (
    can_command_response,
    can_manage_manuals,
    can_work_instruction,
    works_on_behalf,
)

# A line is due at most a week after the step that sent it.
MAX_DEADLINE_MINUTES = 7 * 24 * 60
MAX_LINES = 200


class ResponseNotActive(InvalidTransition):
    code = "response_not_active"


class AlreadyActive(ConflictError):
    code = "response_already_active"


class SameLevel(InvalidTransition):
    code = "same_level"


class AlreadyAcknowledged(InvalidTransition):
    code = "already_acknowledged"


class InstructionClosed(InvalidTransition):
    code = "instruction_closed"


class SeatTaken(ConflictError):
    code = "seat_taken"


class SeatLeft(InvalidTransition):
    code = "seat_left"


@dataclass(frozen=True)
class ManualLine:
    text: str
    department: Organisation
    deadline_minutes: int


# --- manuals ----------------------------------------------------------------------------------


def _check_manual(
    *,
    jurisdiction: Jurisdiction,
    hazard: str,
    level: str,
    title: str,
    lines: Sequence[ManualLine],
) -> None:
    errors: dict[str, list[str]] = {}
    if hazard not in ResponseHazard.values:
        errors["hazard"] = [_("Unknown hazard.")]
    if level not in ResponseLevel.values:
        errors["level"] = [_("Unknown level.")]
    if not (title or "").strip():
        errors["title"] = [_("A title is required.")]
    if not lines:
        errors["lines"] = [_("A manual needs at least one instruction.")]
    elif len(lines) > MAX_LINES:
        errors["lines"] = [_("A manual holds at most %(n)d instructions.") % {"n": MAX_LINES}]
    line_errors = []
    for number, line in enumerate(lines, start=1):
        problems = []
        if not (line.text or "").strip():
            problems.append(_("The instruction text is required."))
        department = line.department
        if department is None or not department.is_active:
            problems.append(_("Choose an active responsible department."))
        elif not jurisdiction.contains(department.jurisdiction):
            problems.append(
                _("%(dept)s lies outside %(area)s.")
                % {"dept": department.name, "area": jurisdiction.name}
            )
        minutes = line.deadline_minutes
        if not isinstance(minutes, int) or not 1 <= minutes <= MAX_DEADLINE_MINUTES:
            problems.append(
                _("The deadline is 1 to %(max)d minutes after activation.")
                % {"max": MAX_DEADLINE_MINUTES}
            )
        if problems:
            line_errors.append(_("Line %(n)d: %(p)s") % {"n": number, "p": " ".join(problems)})
    if line_errors:
        errors.setdefault("lines", []).extend(line_errors)
    if errors:
        raise ValidationFailed(_("The manual is incomplete or inconsistent."), errors=errors)


def save_manual(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    hazard: str,
    level: str,
    title: str,
    conditions: str = "",
    lines: Sequence[ManualLine],
    manual_id: int | None = None,
) -> ResponseManual:
    """Create a manual, or change one and replace its instruction list."""
    lines = list(lines)
    with transaction.atomic():
        if manual_id is None:
            manual = ResponseManual(jurisdiction=jurisdiction)
        else:
            manual = (
                ResponseManual.objects.select_for_update(of=("self",))
                .select_related("jurisdiction")
                .filter(pk=manual_id)
                .first()
            )
            if manual is None:
                raise NotFoundError(_("No such manual."))
            if not can_manage_manuals(actor, manual.jurisdiction):
                raise PermissionDeniedError(_("You may not change this manual."))
        if not can_manage_manuals(actor, jurisdiction):
            raise PermissionDeniedError(_("You may not keep manuals of this jurisdiction."))
        _check_manual(
            jurisdiction=jurisdiction, hazard=hazard, level=level, title=title, lines=lines
        )
        clash = ResponseManual.objects.filter(
            jurisdiction=jurisdiction, hazard=hazard, level=level
        ).exclude(pk=manual.pk)
        if clash.exists():
            raise ConflictError(
                _("%(area)s already has a manual for this hazard and level.")
                % {"area": jurisdiction.name},
                code="manual_exists",
            )
        created = manual.pk is None
        manual.jurisdiction = jurisdiction
        manual.hazard = hazard
        manual.level = level
        manual.title = title.strip()[:150]
        manual.conditions = (conditions or "").strip()
        try:
            with transaction.atomic():
                if created:
                    manual.save()
                else:
                    manual.save(
                        update_fields=[
                            "jurisdiction",
                            "hazard",
                            "level",
                            "title",
                            "conditions",
                            "updated_at",
                        ]
                    )
        except IntegrityError as error:
            raise ConflictError(
                _("%(area)s already has a manual for this hazard and level.")
                % {"area": jurisdiction.name},
                code="manual_exists",
            ) from error
        if not created:
            manual.instructions.all().delete()
        bulk_create_with_history(
            [
                ManualInstruction(
                    manual=manual,
                    position=position,
                    text=line.text.strip(),
                    department=line.department,
                    deadline_minutes=line.deadline_minutes,
                )
                for position, line in enumerate(lines, start=1)
            ],
            ManualInstruction,
            default_user=actor,
        )
        record_event(
            type=ResponseEvent.MANUAL_SAVED,
            jurisdiction=jurisdiction,
            subject=manual,
            payload={
                "manual": manual.pk,
                "hazard": hazard,
                "level": level,
                "lines": len(lines),
                "created": created,
            },
            actor=actor,
        )
    return manual


def delete_manual(*, actor: User, manual_id: int) -> None:
    """Remove a manual and its instruction list; the responses it started keep their
    instructions (their text and department are copied)."""
    with transaction.atomic():
        manual = (
            ResponseManual.objects.select_for_update(of=("self",))
            .select_related("jurisdiction")
            .filter(pk=manual_id)
            .first()
        )
        if manual is None:
            raise NotFoundError(_("No such manual."))
        if not can_manage_manuals(actor, manual.jurisdiction):
            raise PermissionDeniedError(_("You may not change this manual."))
        payload = {
            "manual": manual.pk,
            "hazard": manual.hazard,
            "level": manual.level,
            "title": manual.title,
        }
        record_event(
            type=ResponseEvent.MANUAL_DELETED,
            jurisdiction=manual.jurisdiction,
            subject=manual,
            payload=payload,
            actor=actor,
        )
        manual.delete()


def manual_for(*, jurisdiction: Jurisdiction, hazard: str, level: str) -> ResponseManual | None:
    """The nearest manual of (hazard, level) in ``jurisdiction`` or an ancestor."""
    codes = jurisdiction.ancestors_and_self()
    found = list(
        ResponseManual.objects.filter(
            jurisdiction__code__in=codes, hazard=hazard, level=level
        ).select_related("jurisdiction")
    )
    if not found:
        return None
    return max(found, key=lambda m: len(m.jurisdiction.path))


def _manual_or_fail(*, jurisdiction: Jurisdiction, hazard: str, level: str) -> ResponseManual:
    manual = manual_for(jurisdiction=jurisdiction, hazard=hazard, level=level)
    if manual is None:
        hazard_label = ResponseHazard(hazard).label
        level_label = ResponseLevel(level).label
        raise ValidationFailed(
            _("No %(level)s %(hazard)s response manual for %(area)s or above: write it first.")
            % {"level": level_label, "hazard": hazard_label, "area": jurisdiction.name},
            code="no_manual",
            errors={
                "level": [
                    _("Missing manual: %(hazard)s, %(level)s.")
                    % {"hazard": hazard_label, "level": level_label}
                ]
            },
        )
    return manual


# --- activations ------------------------------------------------------------------------------


def _check_hazard_level(hazard: str, level: str) -> None:
    errors = {}
    if hazard not in ResponseHazard.values:
        errors["hazard"] = [_("Unknown hazard.")]
    if level not in ResponseLevel.values:
        errors["level"] = [_("Unknown level.")]
    if errors:
        raise ValidationFailed(_("Choose a hazard and a level."), errors=errors)


def _instantiate(
    *,
    activation: ResponseActivation,
    manual: ResponseManual,
    level: str,
    now: datetime.datetime,
    actor: User,
    skip: frozenset[tuple[str, int]] | set[tuple[str, int]] = frozenset(),
) -> list[ResponseInstruction]:
    """The manual's lines as instructions of ``activation`` (bulk, constant queries)."""
    rows = [
        ResponseInstruction(
            activation=activation,
            source=line,
            level=level,
            text=line.text,
            department_id=line.department_id,
            due_at=now + datetime.timedelta(minutes=line.deadline_minutes),
        )
        for line in manual.instructions.order_by("position", "id")
        if (line.text, line.department_id) not in skip
    ]
    if not rows:
        return []
    return bulk_create_with_history(rows, ResponseInstruction, default_user=actor, default_date=now)


def _sent_events(
    activation: ResponseActivation, instructions: Sequence[ResponseInstruction], actor
) -> None:
    record_events(
        type=InstructionEvent.SENT,
        jurisdiction=activation.jurisdiction,
        items=[
            (
                i,
                {
                    "response": activation.pk,
                    "instruction": i.pk,
                    "level": i.level,
                    "department": i.department_id,
                    "due_at": i.due_at.isoformat(),
                },
                Organisation(pk=i.department_id),
            )
            for i in instructions
        ],
        actor=actor,
    )


def activate_response(
    *,
    actor: User,
    hazard: str,
    level: str,
    incident_id: int | None = None,
    warning_id: int | None = None,
    reason: str = "",
) -> ResponseActivation:
    """Start a response at ``level`` for an incident or a warning: its instruction list
    goes to the departments."""
    if (incident_id is None) == (warning_id is None):
        raise ValidationFailed(
            _("A response is for one incident or one warning."),
            errors={"incident": [_("Give an incident or a warning, not both.")]},
        )
    _check_hazard_level(hazard, level)
    with transaction.atomic():
        incident = warning = None
        if incident_id is not None:
            # The subject's row lock makes two activations at once queue: the second sees
            # the first and is refused.
            incident = (
                Incident.objects.select_for_update(of=("self",))
                .select_related("jurisdiction")
                .filter(pk=incident_id)
                .first()
            )
            if incident is None:
                raise NotFoundError(_("No such incident."))
            jurisdiction = incident.jurisdiction
        else:
            warning = (
                HazardWarning.objects.select_for_update(of=("self",))
                .select_related("jurisdiction")
                .filter(pk=warning_id)
                .first()
            )
            if warning is None:
                raise NotFoundError(_("No such warning."))
            jurisdiction = warning.jurisdiction
        if not can_command_response(actor, jurisdiction):
            raise PermissionDeniedError(_("You may not start a response here."))
        if incident is not None and incident.status != IncidentStatus.OPEN:
            raise InvalidTransition(_("This incident is closed."), code="incident_closed")
        if incident is not None and not command_selectors.in_emergency_flow(incident):
            raise InvalidTransition(
                _(
                    "The call went to 12345 or the maritime SAR centre: "
                    "it has left the emergency flow."
                ),
                code="not_emergency",
            )
        if warning is not None and warning.status != WarningStatus.PUBLISHED:
            raise InvalidTransition(
                _("This warning is not in force."), code="warning_not_published"
            )
        running = ResponseActivation.objects.filter(
            status=ActivationStatus.ACTIVE,
            **({"incident": incident} if incident is not None else {"warning": warning}),
        ).first()
        if running is not None:
            raise AlreadyActive(
                _("A %(level)s response is already active here (#%(id)d): raise or lower it.")
                % {"level": running.get_level_display(), "id": running.pk}
            )
        manual = _manual_or_fail(jurisdiction=jurisdiction, hazard=hazard, level=level)
        now = timezone.now()
        activation = ResponseActivation.objects.create(
            jurisdiction=jurisdiction,
            hazard=hazard,
            level=level,
            incident=incident,
            warning=warning,
            activated_at=now,
            activated_by=actor,
            reason=(reason or "").strip(),
        )
        ResponseStep.objects.create(
            activation=activation,
            kind=StepKind.ACTIVATED,
            to_level=level,
            reason=activation.reason,
            at=now,
            by=actor,
        )
        instructions = _instantiate(
            activation=activation, manual=manual, level=level, now=now, actor=actor
        )
        notifications.notify_instructions(activation, instructions)
        record_event(
            type=ResponseEvent.ACTIVATED,
            jurisdiction=jurisdiction,
            subject=activation,
            payload={
                "response": activation.pk,
                "hazard": hazard,
                "level": level,
                "incident": incident.pk if incident else None,
                "warning": warning.pk if warning else None,
                "manual": manual.pk,
                "instructions": len(instructions),
            },
            actor=actor,
        )
        _sent_events(activation, instructions, actor)
    return activation


def _locked_activation(activation_id: int) -> ResponseActivation:
    activation = (
        ResponseActivation.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk=activation_id)
        .first()
    )
    if activation is None:
        raise NotFoundError(_("No such response."))
    return activation


def _cancel(
    activation: ResponseActivation,
    instructions: list[ResponseInstruction],
    *,
    actor,
    why: str,
    now: datetime.datetime,
) -> None:
    if not instructions:
        return
    ResponseInstruction.objects.filter(pk__in=[i.pk for i in instructions]).update(
        status=InstructionStatus.CANCELLED, updated_at=now
    )
    notifications.close_instructions(instructions)
    record_events(
        type=InstructionEvent.CANCELLED,
        jurisdiction=activation.jurisdiction,
        items=[
            (
                i,
                {"response": activation.pk, "instruction": i.pk, "why": why},
                Organisation(pk=i.department_id),
            )
            for i in instructions
        ],
        actor=actor,
    )


def change_level(*, actor: User, activation_id: int, level: str, reason: str) -> ResponseActivation:
    """Raise or lower an active response: the new level's lines not yet sent go out;
    lowering cancels the open instructions of higher levels."""
    if level not in ResponseLevel.values:
        raise ValidationFailed(_("Unknown level."), errors={"level": [_("Unknown level.")]})
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Say why the level changes."), errors={"reason": [_("A reason is required.")]}
        )
    with transaction.atomic():
        activation = _locked_activation(activation_id)
        if not can_command_response(actor, activation.jurisdiction):
            raise PermissionDeniedError(_("You may not command this response."))
        if activation.status != ActivationStatus.ACTIVE:
            raise ResponseNotActive(_("This response has ended."))
        if level == activation.level:
            raise SameLevel(_("The response is already at this level."))
        raising = LEVEL_RANK[ResponseLevel(level)] > LEVEL_RANK[ResponseLevel(activation.level)]
        manual = _manual_or_fail(
            jurisdiction=activation.jurisdiction, hazard=activation.hazard, level=level
        )
        now = timezone.now()
        cancelled: list[ResponseInstruction] = []
        if not raising:
            floor = LEVEL_RANK[ResponseLevel(level)]
            higher = [value for value, rank in LEVEL_RANK.items() if rank > floor]
            cancelled = list(
                ResponseInstruction.objects.select_for_update()
                .filter(
                    activation=activation,
                    level__in=higher,
                    status__in=OPEN_INSTRUCTION_STATUSES,
                )
                .only("pk", "department_id", "activation_id")
            )
            _cancel(activation, cancelled, actor=actor, why="lowered", now=now)
        sent = set(
            ResponseInstruction.objects.filter(activation=activation)
            .exclude(status=InstructionStatus.CANCELLED)
            .values_list("text", "department_id")
        )
        previous = activation.level
        activation.level = level
        activation.save(update_fields=["level", "updated_at"])
        ResponseStep.objects.create(
            activation=activation,
            kind=StepKind.RAISED if raising else StepKind.LOWERED,
            from_level=previous,
            to_level=level,
            reason=reason.strip(),
            at=now,
            by=actor,
        )
        added = _instantiate(
            activation=activation, manual=manual, level=level, now=now, actor=actor, skip=sent
        )
        notifications.notify_instructions(activation, added)
        record_event(
            type=ResponseEvent.RAISED if raising else ResponseEvent.LOWERED,
            jurisdiction=activation.jurisdiction,
            subject=activation,
            payload={
                "response": activation.pk,
                "from": previous,
                "to": level,
                "added": len(added),
                "cancelled": len(cancelled),
            },
            actor=actor,
        )
        _sent_events(activation, added, actor)
    return activation


def end_response(*, actor: User, activation_id: int, reason: str) -> ResponseActivation:
    """End a response: open instructions are cancelled, the seats left."""
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Say why the response ends."), errors={"reason": [_("A reason is required.")]}
        )
    with transaction.atomic():
        activation = _locked_activation(activation_id)
        if not can_command_response(actor, activation.jurisdiction):
            raise PermissionDeniedError(_("You may not command this response."))
        if activation.status != ActivationStatus.ACTIVE:
            raise ResponseNotActive(_("This response has already ended."))
        now = timezone.now()
        open_ = list(
            ResponseInstruction.objects.select_for_update()
            .filter(activation=activation, status__in=OPEN_INSTRUCTION_STATUSES)
            .only("pk", "department_id", "activation_id")
        )
        _cancel(activation, open_, actor=actor, why="ended", now=now)
        seats = Seat.objects.filter(activation=activation, left_at__isnull=True).update(left_at=now)
        activation.status = ActivationStatus.ENDED
        activation.ended_at = now
        activation.ended_by = actor
        activation.save(update_fields=["status", "ended_at", "ended_by", "updated_at"])
        ResponseStep.objects.create(
            activation=activation,
            kind=StepKind.ENDED,
            from_level=activation.level,
            reason=reason.strip(),
            at=now,
            by=actor,
        )
        record_event(
            type=ResponseEvent.ENDED,
            jurisdiction=activation.jurisdiction,
            subject=activation,
            payload={
                "response": activation.pk,
                "level": activation.level,
                "cancelled": len(open_),
                "seats_left": seats,
            },
            actor=actor,
        )
    return activation


# --- instructions -----------------------------------------------------------------------------


def _locked_instruction(instruction_id: int) -> ResponseInstruction:
    instruction = (
        ResponseInstruction.objects.select_for_update(of=("self",))
        .select_related("activation__jurisdiction", "department")
        .filter(pk=instruction_id)
        .first()
    )
    if instruction is None:
        raise NotFoundError(_("No such instruction."))
    return instruction


def _authorise_work(actor, instruction: ResponseInstruction) -> Responder:
    if not can_work_instruction(actor, instruction):
        raise PermissionDeniedError(_("This instruction is for another department."))
    return notifications.web_responder(actor, on_behalf=works_on_behalf(actor, instruction))


def _check_open(instruction: ResponseInstruction) -> None:
    if instruction.activation.status != ActivationStatus.ACTIVE:
        raise ResponseNotActive(_("This response has ended."))
    if instruction.status == InstructionStatus.CANCELLED:
        raise InstructionClosed(_("This instruction was cancelled."))
    if instruction.status == InstructionStatus.DONE:
        raise InstructionClosed(_("This instruction is done."))


def _mark_acknowledged(
    instruction: ResponseInstruction, responder: Responder, now: datetime.datetime
) -> list[str]:
    instruction.acknowledged_at = now
    instruction.acknowledged_via = str(responder.channel)[:16]
    instruction.acknowledged_label = str(responder.label)[:100]
    notifications.instruction_acknowledged(instruction, responder)
    return ["acknowledged_at", "acknowledged_via", "acknowledged_label"]


def _instruction_event(
    kind: InstructionEvent, instruction: ResponseInstruction, actor, **payload
) -> None:
    record_event(
        type=kind,
        jurisdiction=instruction.activation.jurisdiction,
        subject=instruction,
        payload={
            "response": instruction.activation_id,
            "instruction": instruction.pk,
            "department": instruction.department_id,
            "status": instruction.status,
            **payload,
        },
        actor=actor,
        organisation=instruction.department,
    )


def acknowledge_instruction(
    *, actor: User | None = None, instruction_id: int, responder: Responder | None = None
) -> ResponseInstruction:
    """The department acknowledges (签收): on the platform, by SMS reply, link or voice key
    (``actor`` None, with the responder notify verified), or a duty officer for it."""
    with transaction.atomic():
        instruction = _locked_instruction(instruction_id)
        if actor is None:
            if responder is None:
                raise PermissionDeniedError(_("An acknowledgement needs who gave it."))
        else:
            responder = _authorise_work(actor, instruction)
        _check_open(instruction)
        if instruction.status != InstructionStatus.SENT:
            raise AlreadyAcknowledged(_("Already acknowledged."))
        now = timezone.now()
        fields = _mark_acknowledged(instruction, responder, now)
        instruction.status = InstructionStatus.ACKNOWLEDGED
        instruction.save(update_fields=[*fields, "status", "updated_at"])
        _instruction_event(
            InstructionEvent.ACKNOWLEDGED,
            instruction,
            actor,
            channel=instruction.acknowledged_via,
            label=instruction.acknowledged_label,
        )
    return instruction


def start_instruction(*, actor: User, instruction_id: int) -> ResponseInstruction:
    """Work begins (an unacknowledged instruction is acknowledged by starting it)."""
    with transaction.atomic():
        instruction = _locked_instruction(instruction_id)
        responder = _authorise_work(actor, instruction)
        _check_open(instruction)
        if instruction.status == InstructionStatus.IN_PROGRESS:
            raise InvalidTransition(_("Already in progress."), code="already_started")
        now = timezone.now()
        fields = []
        if instruction.acknowledged_at is None:
            fields = _mark_acknowledged(instruction, responder, now)
        instruction.status = InstructionStatus.IN_PROGRESS
        instruction.started_at = now
        instruction.save(update_fields=[*fields, "status", "started_at", "updated_at"])
        _instruction_event(InstructionEvent.STARTED, instruction, actor)
    return instruction


def complete_instruction(*, actor: User, instruction_id: int, report: str) -> ResponseInstruction:
    """Done, with the department's report of what it did."""
    report = (report or "").strip()
    if not report:
        raise ValidationFailed(
            _("Report what was done."), errors={"report": [_("A report is required.")]}
        )
    with transaction.atomic():
        instruction = _locked_instruction(instruction_id)
        responder = _authorise_work(actor, instruction)
        _check_open(instruction)
        now = timezone.now()
        fields = []
        if instruction.acknowledged_at is None:
            fields = _mark_acknowledged(instruction, responder, now)
        instruction.status = InstructionStatus.DONE
        instruction.done_at = now
        instruction.done_by = actor
        instruction.report = report
        instruction.save(
            update_fields=[*fields, "status", "done_at", "done_by", "report", "updated_at"]
        )
        notifications.close_instructions([instruction])
        _instruction_event(
            InstructionEvent.COMPLETED,
            instruction,
            actor,
            late=instruction.done_at > instruction.due_at,
        )
    return instruction


def flag_overdue(*, now: datetime.datetime | None = None) -> int:
    """Open instructions of active responses past their due time are flagged once
    (instruction.overdue); the board and the hall count them."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            ResponseInstruction.objects.select_for_update(of=("self",))
            .filter(
                status__in=OPEN_INSTRUCTION_STATUSES,
                overdue=False,
                due_at__lt=now,
                activation__status=ActivationStatus.ACTIVE,
            )
            .select_related("activation__jurisdiction")
            .order_by("activation_id", "pk")[:1000]
        )
        if not due:
            return 0
        ResponseInstruction.objects.filter(pk__in=[i.pk for i in due]).update(
            overdue=True, updated_at=now
        )
        by_activation: dict[int, list[ResponseInstruction]] = {}
        for instruction in due:
            by_activation.setdefault(instruction.activation_id, []).append(instruction)
        for instructions in by_activation.values():
            activation = instructions[0].activation
            record_events(
                type=InstructionEvent.OVERDUE,
                jurisdiction=activation.jurisdiction,
                items=[
                    (
                        i,
                        {
                            "response": activation.pk,
                            "instruction": i.pk,
                            "department": i.department_id,
                            "due_at": i.due_at.isoformat(),
                        },
                        Organisation(pk=i.department_id),
                    )
                    for i in instructions
                ],
            )
    return len(due)


# --- seats ------------------------------------------------------------------------------------


def _may_seat(actor, activation: ResponseActivation, organisation_id: int) -> bool:
    """The HQ records any department's seat; a department takes its own."""
    if can_command_response(actor, activation.jurisdiction):
        return True
    from response.permissions import DEPARTMENT_ROLES

    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.organisation_id == organisation_id
        and actor.has_role(*DEPARTMENT_ROLES)
    )


def join_seat(
    *, actor: User, activation_id: int, organisation_id: int, person: str, phone: str = ""
) -> Seat:
    """A department takes its seat (席位) in the HQ of an active response."""
    person = (person or "").strip()
    phone = (phone or "").strip()
    errors: dict[str, list[str]] = {}
    if not person:
        errors["person"] = [_("Who sits in the seat is required.")]
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as error:
            errors["phone"] = list(error.messages)
    if errors:
        raise ValidationFailed(_("The seat is incomplete."), errors=errors)
    with transaction.atomic():
        activation = _locked_activation(activation_id)
        organisation = Organisation.objects.filter(pk=organisation_id, is_active=True).first()
        if organisation is None:
            raise ValidationFailed(
                _("No such department."), errors={"organisation": [_("Unknown department.")]}
            )
        if not _may_seat(actor, activation, organisation.pk):
            raise PermissionDeniedError(_("You may not seat this department."))
        if activation.status != ActivationStatus.ACTIVE:
            raise ResponseNotActive(_("This response has ended."))
        if Seat.objects.filter(
            activation=activation, organisation=organisation, left_at__isnull=True
        ).exists():
            raise SeatTaken(_("%(dept)s is already seated.") % {"dept": organisation.name})
        seat = Seat.objects.create(
            activation=activation,
            organisation=organisation,
            person=person[:50],
            phone=phone,
            joined_at=timezone.now(),
            joined_by=actor,
        )
        record_event(
            type=SeatEvent.JOINED,
            jurisdiction=activation.jurisdiction,
            subject=seat,
            payload={"response": activation.pk, "seat": seat.pk, "department": organisation.pk},
            actor=actor,
            organisation=organisation,
        )
    return seat


def leave_seat(*, actor: User, seat_id: int) -> Seat:
    with transaction.atomic():
        seat = (
            Seat.objects.select_for_update(of=("self",))
            .select_related("activation__jurisdiction", "organisation")
            .filter(pk=seat_id)
            .first()
        )
        if seat is None:
            raise NotFoundError(_("No such seat."))
        if not _may_seat(actor, seat.activation, seat.organisation_id):
            raise PermissionDeniedError(_("You may not change this seat."))
        if seat.left_at is not None:
            raise SeatLeft(_("This seat was already left."))
        seat.left_at = timezone.now()
        seat.save(update_fields=["left_at"])
        record_event(
            type=SeatEvent.LEFT,
            jurisdiction=seat.activation.jurisdiction,
            subject=seat,
            payload={
                "response": seat.activation_id,
                "seat": seat.pk,
                "department": seat.organisation_id,
            },
            actor=actor,
            organisation=seat.organisation,
        )
    return seat


# --- closing an incident (command.closing) ----------------------------------------------


def describe_open_responses(incident: Incident) -> list[str]:
    """An active response keeps its incident open: one line per response."""
    return [
        _("Response: %(hazard)s %(level)s, active")
        % {
            "hazard": activation.get_hazard_display(),
            "level": activation.get_level_display(),
        }
        for activation in ResponseActivation.objects.filter(
            incident=incident, status=ActivationStatus.ACTIVE
        ).order_by("pk")
    ]


def end_open_responses(incident: Incident, actor: User, reason: str) -> int:
    """End the incident's active responses with the closer's reason (the bureau's roles
    alone may end a response: ``end_response`` refuses anyone else)."""
    ids = list(
        ResponseActivation.objects.filter(
            incident=incident, status=ActivationStatus.ACTIVE
        ).values_list("pk", flat=True)
    )
    for activation_id in ids:
        end_response(actor=actor, activation_id=activation_id, reason=reason)
    return len(ids)
