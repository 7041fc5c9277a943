"""An upstream CAP message becomes a DRAFT warning for a person to publish (DESIGN12).

A provincial platform or a weather service sends a CAP 1.2 <alert>; ``import_cap`` parses
it (earlywarning.cap), maps it onto what the platform models (hazard type by the
``CN-HAZARD`` eventCode or the event's name, level by the ``level`` parameter or the
severity, areas by GB/T 2260 geocodes), and saves one draft per (sender, identifier):
importing the same message again returns that draft and records nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import OrganisationKind
from core.events import record_event
from core.exceptions import PermissionDeniedError, ValidationFailed
from core.models import Jurisdiction, Organisation
from core.roles import Role
from earlywarning.cap import ParsedAlert, parse_cap
from earlywarning.choices import KEY_PERIOD_LEVELS, MessageType, WarningLevel, WarningSource
from earlywarning.events import WarningEvent
from earlywarning.models import HazardType, HazardWarning
from earlywarning.permissions import BUREAU_ROLES, can_draft
from earlywarning.services import WarningData, common_jurisdiction, create_draft

IMPORTERS = (*BUREAU_ROLES, Role.DEPARTMENT_EDITOR, Role.SYNC_CLIENT)
# The draft's fields as the draft service names them, and the CAP element each comes from.
ELEMENTS = {
    "areas": "<area>/<geocode>",
    "level": "<info>/<severity>",
    "headline": "<info>/<headline>",
    "description": "<info>/<description>",
    "expires_at": "<info>/<expires>",
    "urgency": "<info>/<urgency>",
    "certainty": "<info>/<certainty>",
    "opens_key_period": "<info>/<parameter> opens_key_period",
    "hazard_type": "<info>/<event>",
    "polygon": "<area>/<polygon>",
}


def may_import_cap(user: Any, hazard_type: HazardType | None = None) -> bool:
    """Who may import (DESIGN12): the bureau's duty officers and approvers, department
    editors (of the hazard's sector, once it is known), and sync clients. Whether the
    areas are theirs is ``can_draft``'s question, asked once the message is read."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    organisation = user.organisation
    if organisation is None or not user.has_role(*IMPORTERS):
        return False
    if user.has_role(*BUREAU_ROLES) and organisation.kind == OrganisationKind.EMERGENCY_BUREAU:
        return True
    if user.has_role(Role.SYNC_CLIENT):
        return True
    return (
        user.has_role(Role.DEPARTMENT_EDITOR)
        and organisation.kind == OrganisationKind.INDUSTRY_DEPARTMENT
        and (hazard_type is None or organisation.sector == hazard_type.sector)
    )


def _hazard_type(parsed: ParsedAlert) -> HazardType:
    active = HazardType.objects.filter(is_active=True)
    if parsed.hazard_code:
        hazard = active.filter(code=parsed.hazard_code).first()
        if hazard is None:
            raise ValidationFailed(
                f"<info>/<eventCode> CN-HAZARD {parsed.hazard_code}: unknown hazard type."
            )
        return hazard
    hazard = active.filter(name=parsed.event).first()
    if hazard is None:
        # Upstream events often carry the level: "暴雨橙色预警" is the hazard 暴雨.
        candidates = [h for h in active if h.name and parsed.event.startswith(h.name)]
        hazard = max(candidates, key=lambda h: len(h.name), default=None)
    if hazard is None:
        raise ValidationFailed(f"<info>/<event> {parsed.event}: unknown hazard type.")
    return hazard


def _areas(parsed: ParsedAlert) -> list[Jurisdiction]:
    found = {j.code: j for j in Jurisdiction.objects.filter(code__in=parsed.geocodes)}
    for code in parsed.geocodes:
        if code not in found:
            raise ValidationFailed(f"<geocode> {code}: unknown division code.")
    return [found[code] for code in parsed.geocodes]


def _issuer(actor: Any, hazard: HazardType, jurisdiction: Jurisdiction) -> Organisation:
    """The department of the hazard's sector in the warning's jurisdiction, else the
    importer's own organisation."""
    department = (
        Organisation.objects.filter(
            jurisdiction=jurisdiction,
            kind=OrganisationKind.INDUSTRY_DEPARTMENT,
            sector=hazard.sector,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )
    return department or actor.organisation


def _check(parsed: ParsedAlert) -> None:
    if parsed.status != "Actual":
        raise ValidationFailed(f"<status> {parsed.status}: only Actual messages become warnings.")
    if parsed.msg_type not in (MessageType.ALERT, MessageType.UPDATE):
        raise ValidationFailed(
            f"<msgType> {parsed.msg_type}: only Alert and Update messages become drafts."
        )
    if parsed.expires_at <= timezone.now():
        raise ValidationFailed("<info>/<expires>: the warning has already expired.")
    if parsed.opens_key_period and WarningLevel(parsed.level) not in KEY_PERIOD_LEVELS:
        raise ValidationFailed(
            "<info>/<parameter> opens_key_period: only orange and red warnings open a key period."
        )


def import_cap(*, actor: Any, data: bytes) -> tuple[HazardWarning, bool]:
    """A draft from one CAP message; ``(warning, created)``. Idempotent by sender and
    identifier: the same message again returns the draft it made, recording nothing."""
    if not may_import_cap(actor):
        raise PermissionDeniedError(_("You may not import warnings."))
    parsed = parse_cap(data)
    _check(parsed)
    hazard = _hazard_type(parsed)
    if not may_import_cap(actor, hazard):
        raise PermissionDeniedError(
            _("Your department does not issue %(hazard)s warnings.") % {"hazard": hazard.name}
        )
    areas = _areas(parsed)
    if not can_draft(actor, hazard, areas, source=WarningSource.IMPORTED):
        raise PermissionDeniedError(
            _("<area>/<geocode> %(codes)s: outside your jurisdiction.")
            % {"codes": ", ".join(area.code for area in areas)}
        )
    existing = _existing(parsed)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            warning = _create(actor=actor, parsed=parsed, hazard=hazard, areas=areas)
    except IntegrityError:
        # Another import of the same message committed first (the unique constraint).
        existing = _existing(parsed)
        if existing is None:
            raise
        return existing, False
    return warning, True


def _existing(parsed: ParsedAlert) -> HazardWarning | None:
    return HazardWarning.objects.filter(
        source_sender=parsed.sender, source_identifier=parsed.identifier
    ).first()


def _create(
    *, actor: Any, parsed: ParsedAlert, hazard: HazardType, areas: list[Jurisdiction]
) -> HazardWarning:
    data = WarningData(
        hazard_type=hazard,
        level=parsed.level,
        areas=areas,
        headline=parsed.headline,
        description=parsed.description,
        effective_at=parsed.effective_at,
        expires_at=parsed.expires_at,
        instruction=parsed.instruction,
        force_instruction=parsed.force_instruction,
        polygon=parsed.polygon,
        area_description=parsed.area_description,
        urgency=parsed.urgency,
        certainty=parsed.certainty,
        opens_key_period=parsed.opens_key_period,
    )
    try:
        warning = create_draft(
            actor=actor,
            data=data,
            issuer=_issuer(actor, hazard, common_jurisdiction(areas)),
            source=WarningSource.IMPORTED,
            source_sender=parsed.sender,
            source_identifier=parsed.identifier,
            source_sent=parsed.sent,
        )
    except ValidationFailed as exc:
        raise _named(exc) from exc
    record_event(
        type=WarningEvent.IMPORTED,
        jurisdiction=warning.jurisdiction,
        subject=warning,
        payload={
            "warning": warning.pk,
            "identifier": warning.identifier,
            "source_sender": parsed.sender,
            "source_identifier": parsed.identifier,
            "hazard": hazard.code,
            "level": parsed.level,
            "areas": [a.code for a in areas],
        },
        actor=actor,
        organisation=actor.organisation,
    )
    return warning


def _named(exc: ValidationFailed) -> ValidationFailed:
    """The draft service's refusal, its fields named as the CAP elements they came from."""
    if not isinstance(exc.errors, dict) or not exc.errors:
        return exc
    field, messages = next(iter(exc.errors.items()))
    element = ELEMENTS.get(field, f"<{field}>")
    message = messages[0] if isinstance(messages, list) and messages else exc.detail
    return ValidationFailed(f"{element}: {message}", errors=exc.errors)
