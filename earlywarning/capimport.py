"""An upstream CAP message becomes a DRAFT warning for a person to publish (DESIGN12).

A provincial platform or a weather service sends a CAP 1.2 <alert>; ``import_cap`` parses
it (earlywarning.cap), maps it onto what the platform models (hazard type by the
``CN-HAZARD`` eventCode or the event's name, level by the ``level`` parameter or the
severity, areas by GB/T 2260 geocodes), and saves one draft per (sender, identifier):
importing the same message again returns that draft and records nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.events import record_event
from core.exceptions import PermissionDeniedError, ValidationFailed
from core.models import Jurisdiction, Organisation
from core.roles import Role
from earlywarning.cap import ParsedAlert, parse_cap
from earlywarning.choices import (
    KEY_PERIOD_LEVELS,
    MessageType,
    WarningLevel,
    WarningSource,
    WarningStatus,
)
from earlywarning.events import WarningEvent
from earlywarning.models import HazardType, HazardWarning

BUREAU_ROLES = (Role.DUTY_OFFICER, Role.BUREAU_APPROVER)


def may_import_cap(user: Any, hazard_type: HazardType | None = None) -> bool:
    """Bureau duty officers and approvers, department editors of an industry department
    (of the hazard's sector, once it is known), and sync clients (DESIGN12)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    organisation = user.organisation
    if organisation is None:
        return False
    from core.choices import OrganisationKind

    if user.has_role(*BUREAU_ROLES) and organisation.kind == OrganisationKind.EMERGENCY_BUREAU:
        return True
    if user.has_role(Role.SYNC_CLIENT):
        return True
    if (
        user.has_role(Role.DEPARTMENT_EDITOR)
        and organisation.kind == OrganisationKind.INDUSTRY_DEPARTMENT
    ):
        return hazard_type is None or organisation.sector == hazard_type.sector
    return False


def lowest_common_jurisdiction(areas: list[Jurisdiction]) -> Jurisdiction:
    """The lowest jurisdiction holding every area."""
    paths = [[c for c in area.path.split("/") if c] for area in areas]
    common: list[str] = []
    for codes in zip(*paths, strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    return Jurisdiction.objects.get(code=common[-1])


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
    from core.choices import OrganisationKind

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
        raise PermissionDeniedError("You may not import warnings.")
    parsed = parse_cap(data)
    _check(parsed)
    hazard = _hazard_type(parsed)
    if not may_import_cap(actor, hazard):
        raise PermissionDeniedError(f"Your department does not issue {hazard.name} warnings.")
    areas = _areas(parsed)
    home = actor.jurisdiction
    if not actor.is_superuser and not all(home.contains(area) for area in areas):
        raise PermissionDeniedError("The warning's area is outside your jurisdiction.")
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
    jurisdiction = lowest_common_jurisdiction(areas)
    issuer = _issuer(actor, hazard, jurisdiction)
    now = timezone.now()
    warning = HazardWarning(
        identifier=(
            f"{issuer.jurisdiction.code}-{timezone.localtime(now):%Y%m%d%H%M%S}-{uuid4().hex[:6]}"
        ),
        sender=getattr(settings, "WARNING_CAP_SENDER", "linkage@localhost"),
        msg_type=MessageType.ALERT,
        status=WarningStatus.DRAFT,
        hazard_type=hazard,
        level=parsed.level,
        issuer=issuer,
        jurisdiction=jurisdiction,
        area_description=parsed.area_description or "、".join(a.name for a in areas),
        polygon=parsed.polygon,
        headline=parsed.headline,
        description=parsed.description,
        instruction=parsed.instruction,
        force_instruction=parsed.force_instruction,
        urgency=parsed.urgency,
        certainty=parsed.certainty,
        effective_at=parsed.effective_at,
        expires_at=parsed.expires_at,
        opens_key_period=parsed.opens_key_period,
        source=WarningSource.IMPORTED,
        source_sender=parsed.sender,
        source_identifier=parsed.identifier,
        source_sent=parsed.sent,
        created_by=actor,
        created_at=now,
    )
    warning.save()
    warning.areas.set(areas)
    record_event(
        type=WarningEvent.IMPORTED,
        jurisdiction=jurisdiction,
        subject=warning,
        payload={
            "sender": parsed.sender,
            "identifier": parsed.identifier,
            "hazard": hazard.code,
            "level": parsed.level,
            "areas": [a.code for a in areas],
        },
        actor=actor,
        organisation=actor.organisation,
    )
    return warning
