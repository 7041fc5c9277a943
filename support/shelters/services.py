"""Writes to the shelter register and the per-capita indicators (Linqing §四.(四) and its
主要指标 7). Pages, API, admin and the demo all call these."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.events import record_event
from core.exceptions import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Jurisdiction, Organisation, User
from core.saving import stamp_history, validated
from support.events import ShelterEvent
from support.models import Shelter, ShelterIndicator
from support.permissions import holds
from support.shelters import FACILITY_CODES
from support.shelters.permissions import (
    may_edit_shelter,
    may_register_shelter,
    may_set_indicator,
)

__all__ = ["SHELTER_FIELDS", "create_shelter", "set_indicator", "update_shelter"]

SHELTER_FIELDS = (
    "name",
    "kind",
    "level",
    "jurisdiction",
    "owner",
    "address",
    "latitude",
    "longitude",
    "area_m2",
    "capacity",
    "facilities",
    "keeper_name",
    "keeper_phone",
    "is_active",
    "external_id",
)
# What a managing unit's editor may not change on its own shelter.
_BUREAU_ONLY = frozenset({"jurisdiction", "owner"})


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(SHELTER_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            errors={name: [_("Unknown field.")] for name in sorted(unknown)},
        )
    cleaned = dict(data)
    if "facilities" in cleaned:
        given = cleaned["facilities"] or []
        if not isinstance(given, list | tuple) or any(c not in FACILITY_CODES for c in given):
            raise ValidationFailed(
                _("Unknown facility."),
                errors={"facilities": [_("Choose facilities from the list.")]},
            )
        # Stored in vocabulary order, once each: an identical set compares equal.
        cleaned["facilities"] = [code for code in FACILITY_CODES if code in given]
    if "external_id" in cleaned and cleaned["external_id"] is None:
        cleaned["external_id"] = ""
    return cleaned


def _check_owner(actor: User, owner: Organisation | None) -> None:
    """A managing unit outside the actor's jurisdiction reads as one that does not exist."""
    if owner is not None and not holds(actor, owner.jurisdiction) and not actor.is_superuser:
        raise ValidationFailed(
            _("The managing unit is outside your jurisdiction."),
            errors={"owner": [_("Outside your jurisdiction.")]},
        )


def _check_unique(shelter: Shelter) -> None:
    """A second shelter of the same name in a jurisdiction, or a second record of the
    same external id, is a conflict with the existing one (409), named on its field."""
    others = Shelter.objects.exclude(pk=shelter.pk)
    if others.filter(jurisdiction=shelter.jurisdiction_id, name=shelter.name).exists():
        raise ConflictError(
            _("A shelter of that name exists in the jurisdiction."),
            code="shelter_exists",
            errors={"name": [_("A shelter of that name exists in the jurisdiction.")]},
        )
    if shelter.external_id and others.filter(external_id=shelter.external_id).exists():
        raise ConflictError(
            _("Another record has this external id."),
            code="external_id_taken",
            errors={"external_id": [_("Another record has this external id.")]},
        )


def create_shelter(*, actor: User, data: dict[str, Any]) -> Shelter:
    """Register a shelter: the bureau of its jurisdiction or above (Linqing §四.(四):
    parks, squares, schools, stadiums and civil-defence works)."""
    data = _clean(data)
    jurisdiction = data.get("jurisdiction")
    if not isinstance(jurisdiction, Jurisdiction):
        raise ValidationFailed(
            _("A shelter needs a jurisdiction."),
            errors={"jurisdiction": [_("This field is required.")]},
        )
    with transaction.atomic():
        if not may_register_shelter(actor, jurisdiction):
            raise PermissionDeniedError(_("You may not register shelters there."))
        _check_owner(actor, data.get("owner"))
        shelter = Shelter(**data)
        _check_unique(shelter)
        validated(shelter)
        stamp_history(shelter, actor, "created")
        shelter.save()
        record_event(
            type=ShelterEvent.CREATED,
            jurisdiction=shelter.jurisdiction,
            subject=shelter,
            actor=actor,
            organisation=shelter.owner,
            payload={"shelter_id": shelter.pk, "name": shelter.name},
        )
    return shelter


def update_shelter(*, actor: User, shelter_id: int, data: dict[str, Any]) -> Shelter:
    """Change a shelter's fields; only changed fields are saved and an identical body
    records nothing (upserts repeat)."""
    data = _clean(data)
    with transaction.atomic():
        shelter = (
            Shelter.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("jurisdiction", "owner")
            .filter(pk=shelter_id)
            .first()
        )
        if shelter is None:
            raise NotFoundError(_("No such shelter in your jurisdiction."))
        if not may_edit_shelter(actor, shelter):
            raise PermissionDeniedError(_("You may not edit this shelter."))
        bureau = may_register_shelter(actor, shelter.jurisdiction)
        changed = [name for name, value in data.items() if getattr(shelter, name) != value]
        if not changed:
            return shelter
        if not bureau and _BUREAU_ONLY & set(changed):
            raise PermissionDeniedError(
                _("Only the bureau may move a shelter or hand it to another unit.")
            )
        if "jurisdiction" in changed and not may_register_shelter(actor, data["jurisdiction"]):
            raise ValidationFailed(
                _("The shelter's jurisdiction is outside yours."),
                errors={"jurisdiction": [_("Outside your jurisdiction.")]},
            )
        if "owner" in changed:
            _check_owner(actor, data["owner"])
        for name in changed:
            setattr(shelter, name, data[name])
        _check_unique(shelter)
        validated(shelter)
        stamp_history(shelter, actor, "edited")
        shelter.save(update_fields=[*changed, "updated_at"])
        record_event(
            type=ShelterEvent.UPDATED,
            jurisdiction=shelter.jurisdiction,
            subject=shelter,
            actor=actor,
            organisation=shelter.owner,
            payload={"shelter_id": shelter.pk, "changed": changed},
        )
    return shelter


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            _("Enter a number."), errors={field: [_("Enter a number.")]}
        ) from exc
    if not number.is_finite() or number <= 0:
        raise ValidationFailed(
            _("The target must be more than zero."),
            errors={field: [_("Must be more than zero.")]},
        )
    return number


def set_indicator(
    *,
    actor: User,
    jurisdiction_id: int,
    resident_population: int,
    area_per_resident: Decimal | str | float,
    population_year: int | None = None,
    source: str = "",
) -> ShelterIndicator:
    """Record a jurisdiction's resident population and its target shelter area per
    resident (2.5 m² in the Linqing plan's indicator table, 2 m² in its text: each
    jurisdiction has its own). The bureau or administrators of the jurisdiction or above."""
    if (
        isinstance(resident_population, bool)
        or not isinstance(resident_population, int)
        or resident_population <= 0
    ):
        raise ValidationFailed(
            _("The resident population must be a whole number above zero."),
            errors={"resident_population": [_("Must be a whole number above zero.")]},
        )
    target = _decimal(area_per_resident, "area_per_resident")
    with transaction.atomic():
        # The jurisdiction's row is the lock: two first settings at once make one indicator.
        jurisdiction = Jurisdiction.objects.select_for_update().filter(pk=jurisdiction_id).first()
        if jurisdiction is None or not (actor.is_superuser or holds(actor, jurisdiction)):
            raise NotFoundError(_("No such jurisdiction in yours."))
        if not may_set_indicator(actor, jurisdiction):
            raise PermissionDeniedError(_("You may not set this jurisdiction's indicator."))
        indicator = ShelterIndicator.objects.filter(jurisdiction=jurisdiction).first()
        values = {
            "resident_population": resident_population,
            "area_per_resident": target,
            "population_year": population_year,
            "source": source or "",
        }
        created = indicator is None
        if created:
            indicator = ShelterIndicator(jurisdiction=jurisdiction, **values)
            changed = list(values)
        else:
            changed = [name for name, value in values.items() if getattr(indicator, name) != value]
            if not changed:
                return indicator
            for name in changed:
                setattr(indicator, name, values[name])
        validated(indicator)
        stamp_history(indicator, actor, "created" if created else "edited")
        if created:
            indicator.save()
        else:
            indicator.save(update_fields=[*changed, "updated_at"])
        record_event(
            type=ShelterEvent.INDICATOR_SET,
            jurisdiction=jurisdiction,
            subject=indicator,
            actor=actor,
            payload={
                "jurisdiction": jurisdiction.code,
                "resident_population": resident_population,
                "area_per_resident": str(target),
                "changed": changed,
            },
        )
    return indicator
