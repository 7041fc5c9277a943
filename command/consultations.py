"""会商研判 — consultation and assessment meetings (Tieling §三.(二).3): "常态应急下，开展定期
和重点时段风险综合研判……非常态应急下……组织有关部门和专家进行联合会商研判，研究提出应急响应
级别和应对处置方案的建议"; Liaocheng §三.一.3: the bureau "会同应急专家组滚动研判灾情".

A meeting is for an incident, a warning, or a risk period (a topic, no subject). The
bureau records it (duty officers, bureau approvers and administrators of the
jurisdiction), with the departments (organisations of the area or above) and the experts
of the expert database (forces.Expert of the area or above) who took part, the
situation, the conclusions and the recommended response level; it is updated while open
and concluded once (conclusions required). Everyone who reads incidents of the
jurisdiction reads its meetings (INCIDENT_READERS).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from command.choices import ConsultationStatus, IncidentLevel
from command.events import ConsultationEvent
from command.models import Consultation, Incident
from core.events import record_event
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Jurisdiction, Organisation, User
from core.permissions import in_jurisdiction
from core.roles import Role
from core.saving import stamp_history, validated
from core.visibility import INCIDENT_READERS
from earlywarning.models import HazardWarning
from forces.models import Expert

__all__ = [
    "CONSULTATION_WRITERS",
    "can_read_consultations",
    "can_record_consultations",
    "conclude_consultation",
    "consultations_for",
    "record_consultation",
    "update_consultation",
]

CONSULTATION_WRITERS = frozenset({Role.DUTY_OFFICER, Role.BUREAU_APPROVER, Role.ADMINISTRATOR})
TEXT_FIELDS = ("topic", "place", "chaired_by", "other_participants", "situation", "conclusions")


def can_read_consultations(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*INCIDENT_READERS)
    )


def can_record_consultations(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*CONSULTATION_WRITERS)
    )


def consultations_for(user: Any) -> QuerySet[Consultation]:
    """The meetings the user reads, with what lists and pages show (constant queries)."""
    if not can_read_consultations(user):
        return Consultation.objects.none()
    return (
        Consultation.objects.visible_to(user)
        .select_related("jurisdiction", "incident", "warning", "recorded_by")
        .prefetch_related(
            Prefetch("departments", queryset=Organisation.objects.only("pk", "name", "short_name")),
            Prefetch(
                "experts",
                queryset=Expert.objects.select_related("organisation").prefetch_related(
                    "specialties"
                ),
            ),
        )
    )


def _related(area: Jurisdiction, other: Jurisdiction) -> bool:
    """Of the area (at or below it) or above it."""
    return area.contains(other) or other.contains(area)


def _check(
    *,
    area: Jurisdiction,
    topic: str,
    held_at: Any,
    departments: Sequence[Organisation],
    experts: Sequence[Expert],
    recommended_level: str,
) -> None:
    errors: dict[str, list[str]] = {}
    if not topic.strip():
        errors["topic"] = [_("Say what is assessed.")]
    if not isinstance(held_at, datetime.datetime):
        errors["held_at"] = [_("When was the meeting held?")]
    if recommended_level and recommended_level not in IncidentLevel.values:
        errors["recommended_level"] = [_("Choose a response level.")]
    outside = [o.name for o in departments if not _related(area, o.jurisdiction)]
    if outside:
        errors["departments"] = [
            _("Not departments of this area: %(names)s") % {"names": "、".join(outside)}
        ]
    far = [e.name for e in experts if not _related(area, e.jurisdiction)]
    if far:
        errors["experts"] = [
            _("Not experts of this area's database: %(names)s") % {"names": "、".join(far)}
        ]
    if errors:
        raise ValidationFailed(_("The consultation is incomplete."), errors=errors)


def _subject(
    actor: Any, incident_id: int | None, warning_id: int | None, jurisdiction: Jurisdiction | None
) -> tuple[Incident | None, HazardWarning | None, Jurisdiction]:
    if incident_id is not None and warning_id is not None:
        raise ValidationFailed(
            _("A consultation is for an incident, a warning or a risk period: one of them."),
            errors={"warning": [_("Choose an incident or a warning, not both.")]},
        )
    if incident_id is not None:
        incident = Incident.objects.select_related("jurisdiction").filter(pk=incident_id).first()
        if incident is None or not in_jurisdiction(actor, incident.jurisdiction):
            raise NotFoundError(_("No such incident in your jurisdiction."))
        return incident, None, incident.jurisdiction
    if warning_id is not None:
        warning = HazardWarning.objects.select_related("jurisdiction").filter(pk=warning_id).first()
        if warning is None or not in_jurisdiction(actor, warning.jurisdiction):
            raise NotFoundError(_("No such warning in your jurisdiction."))
        return None, warning, warning.jurisdiction
    area = jurisdiction or actor.jurisdiction
    if area is None or not in_jurisdiction(actor, area):
        raise ValidationFailed(
            _("The consultation's area is outside your jurisdiction."),
            errors={"jurisdiction": [_("Outside your jurisdiction.")]},
        )
    return None, None, area


def _payload(c: Consultation, **extra: Any) -> dict[str, Any]:
    return {
        "consultation_id": c.pk,
        "topic": c.topic,
        "incident_id": c.incident_id,
        "warning_id": c.warning_id,
        "status": c.status,
        "recommended_level": c.recommended_level,
        **extra,
    }


@transaction.atomic
def record_consultation(
    *,
    actor: User,
    topic: str,
    held_at: datetime.datetime,
    incident_id: int | None = None,
    warning_id: int | None = None,
    jurisdiction: Jurisdiction | None = None,
    place: str = "",
    chaired_by: str = "",
    departments: Sequence[Organisation] = (),
    experts: Sequence[Expert] = (),
    other_participants: str = "",
    situation: str = "",
    conclusions: str = "",
    recommended_level: str = "",
) -> Consultation:
    """Record a meeting (open until concluded)."""
    if not can_record_consultations(actor):
        raise PermissionDeniedError(_("The emergency bureau records consultations."))
    incident, warning, area = _subject(actor, incident_id, warning_id, jurisdiction)
    departments, experts = list(departments), list(experts)
    _check(
        area=area,
        topic=topic or "",
        held_at=held_at,
        departments=departments,
        experts=experts,
        recommended_level=recommended_level,
    )
    consultation = Consultation(
        jurisdiction=area,
        incident=incident,
        warning=warning,
        topic=topic.strip(),
        held_at=held_at,
        place=place.strip(),
        chaired_by=chaired_by.strip(),
        other_participants=other_participants.strip(),
        situation=situation.strip(),
        conclusions=conclusions.strip(),
        recommended_level=recommended_level,
        recorded_by=actor,
    )
    validated(consultation)
    stamp_history(consultation, actor, _("Recorded"))
    consultation.save()
    consultation.departments.set(departments)
    consultation.experts.set(experts)
    record_event(
        type=ConsultationEvent.RECORDED,
        jurisdiction=area,
        subject=consultation,
        actor=actor,
        payload=_payload(
            consultation,
            departments=[o.pk for o in departments],
            experts=[e.pk for e in experts],
        ),
    )
    return consultation


def _load(actor: Any, consultation_id: int) -> Consultation:
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk=consultation_id)
        .first()
    )
    if consultation is None or not in_jurisdiction(actor, consultation.jurisdiction):
        raise NotFoundError(_("No such consultation in your jurisdiction."))
    if not can_record_consultations(actor):
        raise PermissionDeniedError(_("The emergency bureau records consultations."))
    if consultation.status != ConsultationStatus.OPEN:
        raise InvalidTransition(
            _("The consultation is concluded and can no longer be changed."),
            code="consultation_concluded",
        )
    return consultation


@transaction.atomic
def update_consultation(
    *,
    actor: User,
    consultation_id: int,
    departments: Sequence[Organisation] | None = None,
    experts: Sequence[Expert] | None = None,
    **fields: Any,
) -> Consultation:
    """Change an open meeting: any of the text fields, ``held_at``,
    ``recommended_level``, and (when given) the departments and experts."""
    consultation = _load(actor, consultation_id)
    unknown = set(fields) - {*TEXT_FIELDS, "held_at", "recommended_level"}
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))},
            errors={name: [_("Not a field of a consultation.")] for name in sorted(unknown)},
        )
    changed = []
    for name, value in fields.items():
        value = value.strip() if isinstance(value, str) and name in TEXT_FIELDS else value
        if getattr(consultation, name) != value:
            setattr(consultation, name, value)
            changed.append(name)
    new_departments = None if departments is None else list(departments)
    new_experts = None if experts is None else list(experts)
    _check(
        area=consultation.jurisdiction,
        topic=consultation.topic,
        held_at=consultation.held_at,
        departments=new_departments or [],
        experts=new_experts or [],
        recommended_level=consultation.recommended_level,
    )
    validated(consultation)
    if new_departments is not None and {o.pk for o in new_departments} != set(
        consultation.departments.values_list("pk", flat=True)
    ):
        changed.append("departments")
    if new_experts is not None and {e.pk for e in new_experts} != set(
        consultation.experts.values_list("pk", flat=True)
    ):
        changed.append("experts")
    if not changed:
        return consultation
    stamp_history(consultation, actor, _("Updated"))
    consultation.save(
        update_fields=[n for n in changed if n not in {"departments", "experts"}] + ["updated_at"]
    )
    if "departments" in changed:
        consultation.departments.set(new_departments)
    if "experts" in changed:
        consultation.experts.set(new_experts)
    record_event(
        type=ConsultationEvent.UPDATED,
        jurisdiction=consultation.jurisdiction,
        subject=consultation,
        actor=actor,
        payload=_payload(consultation, changed=changed),
    )
    return consultation


@transaction.atomic
def conclude_consultation(
    *, actor: User, consultation_id: int, conclusions: str, recommended_level: str = ""
) -> Consultation:
    """The meeting's conclusions (required) and the response level it recommends."""
    consultation = _load(actor, consultation_id)
    conclusions = (conclusions or "").strip()
    errors: dict[str, list[str]] = {}
    if not conclusions:
        errors["conclusions"] = [_("Write the conclusions of the meeting.")]
    if recommended_level and recommended_level not in IncidentLevel.values:
        errors["recommended_level"] = [_("Choose a response level.")]
    if errors:
        raise ValidationFailed(_("The conclusions are missing."), errors=errors)
    consultation.conclusions = conclusions
    if recommended_level:
        consultation.recommended_level = recommended_level
    consultation.status = ConsultationStatus.CONCLUDED
    stamp_history(consultation, actor, _("Concluded"))
    consultation.save(update_fields=["conclusions", "recommended_level", "status", "updated_at"])
    record_event(
        type=ConsultationEvent.CONCLUDED,
        jurisdiction=consultation.jurisdiction,
        subject=consultation,
        actor=actor,
        payload=_payload(consultation),
    )
    return consultation
