"""What the response pages, the API and the hall read (DESIGN13 "Response services"). Each
function runs a constant number of queries whatever the number of instructions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.models import Organisation
from core.visibility import INCIDENT_READERS
from response.choices import (
    OPEN_INSTRUCTION_STATUSES,
    ActivationStatus,
    InstructionStatus,
)
from response.models import ResponseActivation, ResponseInstruction, ResponseStep, Seat
from response.permissions import DEPARTMENT_ROLES, works_on_behalf

__all__ = [
    "Board",
    "DepartmentRow",
    "active_for_incident",
    "active_for_warning",
    "board",
    "department_instructions",
    "overdue_count",
    "visible_activations",
    "visible_instructions",
]


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _reads_jurisdiction(user: Any) -> bool:
    return user.is_superuser or user.has_role(*INCIDENT_READERS)


def _department_q(user: Any) -> Q:
    """Rows of responses that instruct or seat the user's department."""
    if user.organisation_id is None or not user.has_role(*DEPARTMENT_ROLES):
        return Q(pk__in=[])
    org = user.organisation_id
    instructed = ResponseInstruction.objects.filter(
        activation_id=OuterRef("pk"),
        department_id=org,
    )
    seated = Seat.objects.filter(
        activation_id=OuterRef("pk"),
        organisation_id=org,
    )
    return Q(Exists(instructed)) | Q(Exists(seated))


def visible_activations(user: Any) -> QuerySet[ResponseActivation]:
    """Responses of the user's jurisdiction and below (INCIDENT_READERS), and those that
    instruct or seat the user's department, newest first."""
    base = ResponseActivation.objects.select_related(
        "jurisdiction", "incident", "warning", "activated_by", "ended_by"
    )
    if not _authenticated(user):
        return base.none()
    if user.is_superuser:
        return base.all()
    condition = _department_q(user)
    jurisdiction = user.jurisdiction
    if user.has_role(*INCIDENT_READERS) and jurisdiction is not None:
        condition |= Q(jurisdiction__path__startswith=jurisdiction.path)
    return base.filter(condition)


def active_for_incident(incident: Any) -> ResponseActivation | None:
    return (
        ResponseActivation.objects.filter(incident=incident, status=ActivationStatus.ACTIVE)
        .select_related("jurisdiction")
        .first()
    )


def active_for_warning(warning: Any) -> ResponseActivation | None:
    return (
        ResponseActivation.objects.filter(warning=warning, status=ActivationStatus.ACTIVE)
        .select_related("jurisdiction")
        .first()
    )


def visible_instructions(user: Any) -> QuerySet[ResponseInstruction]:
    """Instructions of the responses the user reads: every instruction of the
    jurisdiction's responses for INCIDENT_READERS, the department's own otherwise."""
    base = ResponseInstruction.objects.select_related(
        "activation__jurisdiction", "department", "done_by"
    )
    if not _authenticated(user):
        return base.none()
    if user.is_superuser:
        return base.all()
    condition = Q(pk__in=[])
    if user.organisation_id is not None and user.has_role(*DEPARTMENT_ROLES):
        condition |= Q(department_id=user.organisation_id)
    jurisdiction = user.jurisdiction
    if user.has_role(*INCIDENT_READERS) and jurisdiction is not None:
        condition |= Q(activation__jurisdiction__path__startswith=jurisdiction.path)
    return base.filter(condition)


def department_instructions(user: Any) -> QuerySet[ResponseInstruction]:
    """The "our instructions" page: the instructions of the user's department; a duty
    officer also sees those of the responses of its jurisdiction it may sign for
    (值班员代签). Open ones first, by due time."""
    base = ResponseInstruction.objects.select_related(
        "activation__jurisdiction",
        "activation__incident",
        "activation__warning",
        "department",
        "done_by",
    )
    if not _authenticated(user):
        return base.none()
    condition = Q(pk__in=[])
    if user.organisation_id is not None and user.has_role(*DEPARTMENT_ROLES):
        condition |= Q(department_id=user.organisation_id)
    from core.choices import OrganisationKind
    from core.roles import Role

    jurisdiction = user.jurisdiction
    if (
        jurisdiction is not None
        and user.has_role(Role.DUTY_OFFICER)
        and user.organisation.kind == OrganisationKind.EMERGENCY_BUREAU
    ):
        condition |= Q(activation__jurisdiction__path__startswith=jurisdiction.path)
    if user.is_superuser:
        condition = Q()
    return base.filter(condition).order_by("activation__status", "status", "due_at", "pk")


def overdue_count(user: Any) -> int:
    """Open, flagged-overdue instructions of active responses the user reads."""
    return (
        visible_instructions(user)
        .filter(
            overdue=True,
            status__in=OPEN_INSTRUCTION_STATUSES,
            activation__status=ActivationStatus.ACTIVE,
        )
        .count()
    )


# --- the HQ board -----------------------------------------------------------------------------


@dataclass
class DepartmentRow:
    """One department on the board: its instructions, its seat and what it owes."""

    department: Organisation
    instructions: list[ResponseInstruction] = field(default_factory=list)
    seat: Seat | None = None
    counts: Counter = field(default_factory=Counter)

    @property
    def open(self) -> int:
        return sum(self.counts[s] for s in OPEN_INSTRUCTION_STATUSES)

    @property
    def overdue(self) -> int:
        return self.counts["overdue"]

    @property
    def owes(self) -> list[ResponseInstruction]:
        """What the seat owes: its open instructions, the earliest due first."""
        return [i for i in self.instructions if i.status in OPEN_INSTRUCTION_STATUSES]


@dataclass
class Board:
    activation: ResponseActivation
    departments: list[DepartmentRow]
    steps: list[ResponseStep]
    seats: list[Seat]
    counts: Counter

    @property
    def total(self) -> int:
        return sum(self.counts[s] for s in InstructionStatus.values)

    @property
    def open(self) -> int:
        return sum(self.counts[s] for s in OPEN_INSTRUCTION_STATUSES)

    @property
    def overdue(self) -> int:
        return self.counts["overdue"]

    @property
    def done(self) -> int:
        return self.counts[InstructionStatus.DONE]


def board(activation: ResponseActivation) -> Board:
    """The HQ page's model: departments → instructions (due first), open seat and counts;
    the steps and the seats (left ones too). Four queries whatever the size."""
    now = timezone.now()
    instructions = list(
        ResponseInstruction.objects.filter(activation=activation)
        .select_related("department", "done_by")
        .order_by("due_at", "pk")
    )
    seats = list(
        Seat.objects.filter(activation=activation)
        .select_related("organisation", "joined_by")
        .order_by("joined_at", "pk")
    )
    steps = list(
        ResponseStep.objects.filter(activation=activation).select_related("by").order_by("at", "pk")
    )
    rows: dict[int, DepartmentRow] = {}
    totals: Counter = Counter()
    for instruction in instructions:
        instruction.activation = activation
        row = rows.get(instruction.department_id)
        if row is None:
            row = rows[instruction.department_id] = DepartmentRow(instruction.department)
        row.instructions.append(instruction)
        row.counts[instruction.status] += 1
        totals[instruction.status] += 1
        late = instruction.status in OPEN_INSTRUCTION_STATUSES and (
            instruction.overdue or instruction.due_at < now
        )
        if late and activation.status == ActivationStatus.ACTIVE:
            row.counts["overdue"] += 1
            totals["overdue"] += 1
    for seat in seats:
        seat.activation = activation
        if seat.left_at is not None:
            continue
        row = rows.get(seat.organisation_id)
        if row is None:
            row = rows[seat.organisation_id] = DepartmentRow(seat.organisation)
        row.seat = seat
    ordered = sorted(
        rows.values(), key=lambda r: (-r.overdue, -r.open, r.department.name, r.department.pk)
    )
    return Board(
        activation=activation, departments=ordered, steps=steps, seats=seats, counts=totals
    )


def signs_on_behalf(user: Any, instruction: ResponseInstruction) -> bool:
    """For the pages: would this user's acknowledgement read "值班员代签"?"""
    return works_on_behalf(user, instruction)
