"""Reads of rescuer welfare for pages and the API: scoped with
``permissions.visible_personnel``, constant queries whatever the number of rows, phones
and ID numbers masked by the registry's rule."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.masking import mask_id_number, mask_phone
from forces.models import Force, Personnel
from support.models import CasualtyCase, Commendation, HealthRecord, InsurancePolicy
from support.welfare.alerts import exam_due_date, insurance_horizon
from support.welfare.permissions import sees_personal_data, visible_personnel
from support.welfare.services import EXAM_KINDS

__all__ = [
    "PersonRow",
    "casualty_cases",
    "person_rows",
    "personal_fields",
    "visible_cases",
    "visible_commendations",
    "visible_health_records",
    "visible_policies",
]

INSURANCE_OK, INSURANCE_LAPSING, INSURANCE_LAPSED, INSURANCE_NONE = (
    "ok",
    "lapsing",
    "lapsed",
    "none",
)
EXAM_OK, EXAM_DUE, EXAM_NONE = "ok", "due", "none"


@dataclass
class PersonRow:
    person: Personnel
    insurance: str
    exam: str
    exam_due: datetime.date | None

    @property
    def attention(self) -> bool:
        return self.insurance != INSURANCE_OK or self.exam != EXAM_OK


def insurance_status(expiry: datetime.date | None, today: datetime.date) -> str:
    if expiry is None:
        return INSURANCE_NONE
    if expiry < today:
        return INSURANCE_LAPSED
    if expiry <= insurance_horizon(today):
        return INSURANCE_LAPSING
    return INSURANCE_OK


def _with_next_due(qs: QuerySet[Personnel]) -> QuerySet[Personnel]:
    newest = (
        HealthRecord.objects.filter(personnel=OuterRef("pk"), kind__in=EXAM_KINDS)
        .order_by("-examined_on", "-id")
        .values("next_due")[:1]
    )
    return qs.annotate(exam_next_due=Subquery(newest))


def person_rows(
    user: Any, *, force_id: int | None = None, attention_only: bool = False
) -> list[PersonRow]:
    """Each rescuer the user may read with its insurance and examination status (one
    query)."""
    today = timezone.localdate()
    qs = visible_personnel(user).filter(is_active=True).select_related("force")
    if force_id:
        qs = qs.filter(force_id=force_id)
    rows = []
    for person in _with_next_due(qs).order_by("force__name", "force_id", "name", "pk"):
        due = exam_due_date(person.medical_exam_date, person.exam_next_due)
        exam = EXAM_NONE if due is None else (EXAM_DUE if due <= today else EXAM_OK)
        row = PersonRow(person, insurance_status(person.insurance_expiry, today), exam, due)
        if not attention_only or row.attention:
            rows.append(row)
    return rows


def visible_forces(user: Any) -> QuerySet[Force]:
    return Force.objects.filter(pk__in=visible_personnel(user).values("force_id")).order_by(
        "name", "pk"
    )


def personal_fields(user: Any, person: Personnel) -> dict[str, str]:
    """The rescuer's phone and ID number as the registry would show them to ``user``."""
    if sees_personal_data(user, person.force):
        return {"phone": person.phone, "id_number": person.id_number}
    return {"phone": mask_phone(person.phone), "id_number": mask_id_number(person.id_number)}


def visible_health_records(user: Any) -> QuerySet[HealthRecord]:
    return HealthRecord.objects.filter(personnel__in=visible_personnel(user)).select_related(
        "personnel", "personnel__force"
    )


def visible_policies(user: Any) -> QuerySet[InsurancePolicy]:
    return InsurancePolicy.objects.filter(personnel__in=visible_personnel(user)).select_related(
        "personnel", "personnel__force"
    )


def visible_commendations(user: Any) -> QuerySet[Commendation]:
    """Commendations of the rescuers the user may read and of their forces."""
    people = visible_personnel(user)
    return (
        Commendation.objects.filter(
            Q(personnel__in=people) | Q(force__in=people.values("force_id"))
        )
        .select_related("personnel", "personnel__force", "force", "incident")
        .distinct()
    )


def visible_cases(user: Any) -> QuerySet[CasualtyCase]:
    return CasualtyCase.objects.filter(personnel__in=visible_personnel(user)).select_related(
        "personnel", "personnel__force", "incident", "submitted_by", "reviewed_by", "decided_by"
    )


def casualty_cases(user: Any, *, status: str = "") -> QuerySet[CasualtyCase]:
    qs = visible_cases(user)
    if status:
        qs = qs.filter(status=status)
    return qs
