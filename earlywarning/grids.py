"""The grid registry (网格责任人, Tieling §三.二.5): who may read and keep it, the writes, and
the list the pages and the API share (DESIGN12 "Who may do what").

Grid persons' and supervisors' phones are personal data: administrators and the people
who keep the grid (its managers) see them; every other reader sees them masked, on the
pages, in the API and in exported workbooks alike.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.choices import JurisdictionLevel, OrganisationKind
from core.events import record_event
from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.masking import mask_phone
from core.models import Jurisdiction, User
from core.permissions import can_see_personal_data, in_jurisdiction
from core.phones import PERSONAL_PHONE_RE
from core.roles import Role
from core.saving import stamp_history, validated
from earlywarning.events import GridEvent
from earlywarning.models import Grid

GRID_READERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.FIRE_DISPATCHER,
        Role.BUREAU_APPROVER,
        Role.DEPARTMENT_EDITOR,
        Role.ADMINISTRATOR,
        Role.SYNC_CLIENT,
    }
)
# Grids hang below a township (乡镇/街道) or a village (村/社区).
GRID_LEVELS = frozenset({JurisdictionLevel.TOWNSHIP, JurisdictionLevel.VILLAGE})
# The fields a page, the API or an import may write.
GRID_FIELDS = (
    "jurisdiction",
    "code",
    "name",
    "person_name",
    "person_phone",
    "supervisor_name",
    "supervisor_phone",
    "households",
    "note",
    "is_active",
    "external_id",
)


# --- who may do what -------------------------------------------------------------------


def can_read_grids(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.has_role(*GRID_READERS)


def _manager_role(user: Any) -> bool:
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        return True
    kind = user.organisation.kind if user.organisation_id else None
    if kind == OrganisationKind.EMERGENCY_BUREAU and user.has_role(
        Role.DUTY_OFFICER, Role.BUREAU_APPROVER
    ):
        return True
    # 乡镇政府 / 街道办: the township keeps its own grids.
    return kind == OrganisationKind.GOVERNMENT_OFFICE and user.has_role(Role.DEPARTMENT_EDITOR)


def can_manage_grids(user: Any, jurisdiction: Jurisdiction | None = None) -> bool:
    """Administrators, the emergency bureau's duty officers and approvers, and editors of
    a township government (乡镇政府/街道办) keep the grids of their jurisdiction and below.
    Without ``jurisdiction``: may the user keep any grid at all (the create button)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not _manager_role(user):
        return False
    if jurisdiction is None:
        return user.is_superuser or user.jurisdiction is not None
    return in_jurisdiction(user, jurisdiction)


def shows_grid_phones(user: Any, jurisdiction: Jurisdiction) -> bool:
    """Full phone numbers of a grid in ``jurisdiction``: administrators and its managers;
    a sync client copies masked numbers like everyone else."""
    return can_see_personal_data(user, None) or can_manage_grids(user, jurisdiction)


def phones_of(user: Any, grid: Grid, *, shown: bool | None = None) -> tuple[str, str]:
    """(person's phone, supervisor's phone) as ``user`` may see them (``shown``: the
    caller has already decided, for a page of grids)."""
    if shown is None:
        shown = shows_grid_phones(user, grid.jurisdiction)
    if shown:
        return grid.person_phone, grid.supervisor_phone
    return mask_phone(grid.person_phone), mask_phone(grid.supervisor_phone)


# --- selectors -------------------------------------------------------------------------


def visible_grids(user: Any) -> QuerySet[Grid]:
    if not can_read_grids(user):
        return Grid.objects.none()
    return Grid.objects.visible_to(user).select_related("jurisdiction__parent")


def search_grids(queryset: QuerySet[Grid], text: str) -> QuerySet[Grid]:
    """By grid name, code, responsible person or supervisor name (never by phone: the
    answers would reveal what the mask hides)."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(name__icontains=text)
        | Q(code__icontains=text)
        | Q(person_name__icontains=text)
        | Q(supervisor_name__icontains=text)
    )


def manageable_jurisdictions(user: Any) -> QuerySet[Jurisdiction]:
    """Townships and villages where ``user`` may keep grids (form choices)."""
    if not can_manage_grids(user):
        return Jurisdiction.objects.none()
    places = Jurisdiction.objects.filter(level__in=GRID_LEVELS)
    if user.is_superuser:
        return places
    return places.filter(path__startswith=user.jurisdiction.path)


# --- writes ----------------------------------------------------------------------------


def _outside() -> ValidationFailed:
    return ValidationFailed(
        _("The grid's jurisdiction is outside yours."),
        errors={"jurisdiction": [_("Outside your jurisdiction.")]},
    )


def _check(actor: Any, grid: Grid) -> None:
    """What the model's own validation does not say: where a grid may hang, who keeps
    it, and that the responsible person can be texted and called."""
    errors: dict[str, list[str]] = {}
    if grid.jurisdiction_id and grid.jurisdiction.level not in GRID_LEVELS:
        errors["jurisdiction"] = [_("A grid belongs to a township or a village.")]
    for name in ("person_phone", "supervisor_phone"):
        value = getattr(grid, name)
        if value and not PERSONAL_PHONE_RE.match(value):
            errors[name] = [_("Enter a mobile number (13812345678) or a landline with area code.")]
    if errors:
        raise ValidationFailed(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), errors=errors
        )
    validated(grid)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(GRID_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown grid fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    cleaned = dict(data)
    for name in ("code", "name", "person_name", "person_phone", "supervisor_name"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    if isinstance(cleaned.get("supervisor_phone"), str):
        cleaned["supervisor_phone"] = cleaned["supervisor_phone"].strip()
    if cleaned.get("external_id") is None and "external_id" in cleaned:
        cleaned["external_id"] = ""
    return cleaned


def add_grid(*, actor: User | None, data: dict[str, Any], reason: str) -> Grid:
    """Create inside the caller's transaction without an event (create_grid and the
    import record theirs)."""
    if actor is not None and not can_manage_grids(actor):
        raise PermissionDeniedError(_("Your role may not keep grids."))
    grid = Grid(**_clean(data))
    if actor is not None and grid.jurisdiction_id and not in_jurisdiction(actor, grid.jurisdiction):
        raise _outside()
    _check(actor, grid)
    stamp_history(grid, actor, reason)
    grid.save()
    return grid


def change_grid(*, actor: User | None, grid: Grid, data: dict[str, Any], reason: str) -> list[str]:
    """Apply ``data`` to a locked ``grid``; the names of the changed fields (none: nothing
    saved)."""
    changed = []
    for name, value in _clean(data).items():
        if getattr(grid, name) != value:
            setattr(grid, name, value)
            changed.append(name)
    if not changed:
        return []
    if (
        "jurisdiction" in changed
        and actor is not None
        and not can_manage_grids(actor, grid.jurisdiction)
    ):
        raise _outside()
    _check(actor, grid)
    stamp_history(grid, actor, reason)
    grid.save(update_fields=[*changed, "updated_at"])
    return changed


def lock_grid(*, actor: User, grid_id: int) -> Grid:
    grid = (
        Grid.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk=grid_id)
        .first()
    )
    if grid is None or not can_read_grids(actor) or not in_jurisdiction(actor, grid.jurisdiction):
        raise NotFoundError(_("No such grid in your jurisdiction."))
    if not can_manage_grids(actor, grid.jurisdiction):
        raise PermissionDeniedError(_("You may not change this grid."))
    return grid


@transaction.atomic
def create_grid(*, actor: User, data: dict[str, Any], reason: str = "created") -> Grid:
    """Register a grid and its responsible person."""
    grid = add_grid(actor=actor, data=data, reason=reason)
    record_event(
        type=GridEvent.CREATED,
        jurisdiction=grid.jurisdiction,
        subject=grid,
        actor=actor,
        payload={"grid_id": grid.pk, "code": grid.code},
    )
    return grid


@transaction.atomic
def update_grid(*, actor: User, grid_id: int, data: dict[str, Any], reason: str = "edited") -> Grid:
    """Change a grid's fields; only changed fields are saved, an unchanged body records
    nothing."""
    grid = lock_grid(actor=actor, grid_id=grid_id)
    changed = change_grid(actor=actor, grid=grid, data=data, reason=reason)
    if changed:
        record_event(
            type=GridEvent.UPDATED,
            jurisdiction=grid.jurisdiction,
            subject=grid,
            actor=actor,
            payload={"grid_id": grid.pk, "changed": changed},
        )
    return grid
