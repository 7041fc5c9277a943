"""Writes to duty rosters, duty logs, hand-overs and spot checks (SPEC §5).

Every function locks the rows it changes, authorises the actor, validates with
``full_clean``, saves with a history user and appends a ``core.Event``, in one
transaction. Refusals are ``core.exceptions`` domain errors with a stable code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

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
from duty.events import RosterEvent
from duty.models import (
    DutyLogEntry,
    DutyRoster,
    HandOver,
    Shift,
    ShiftOfficer,
    SpotCheck,
    new_feed_token,
)
from duty.rosters.permissions import (
    EDIT_PERM,
    can_create_roster_for,
    can_edit_roster,
    can_spot_check,
)
from forces.models import Force


def _load_roster_for_update(roster_id: int, actor: Any) -> DutyRoster:
    roster = (
        DutyRoster.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "organisation")
        .filter(pk=roster_id)
        .first()
    )
    if roster is None or not in_jurisdiction(actor, roster.jurisdiction):
        raise NotFoundError(_("No such duty roster in your jurisdiction."))
    if not can_edit_roster(actor, roster):
        raise PermissionDeniedError(_("You may not edit this duty roster."))
    return roster


def _check_partners(roster: DutyRoster, partners: Sequence[Organisation]) -> None:
    for partner in partners:
        if partner.pk == roster.organisation_id:
            raise ValidationFailed(
                _("The owning organisation cannot be its own partner."),
                errors={"partners": [_("The owning organisation cannot be its own partner.")]},
            )
        if not roster.jurisdiction.contains(partner.jurisdiction):
            raise ValidationFailed(
                _("Joint duty partners must lie in the roster's jurisdiction."),
                errors={"partners": [_("Outside the roster's jurisdiction.")]},
            )


# ------------------------------------------------------------------------- rosters


@transaction.atomic
def create_roster(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    partners: Sequence[Organisation] = (),
    force: Force | None = None,
) -> DutyRoster:
    """A 24-hour duty roster of ``organisation`` or of one of its forces (SPEC §5);
    with ``partners`` it is a joint roster (联合值守, Tieling §三.(二).1)."""
    if not in_jurisdiction(actor, organisation.jurisdiction):
        raise NotFoundError(_("No such organisation in your jurisdiction."))
    if not can_create_roster_for(actor, organisation):
        raise PermissionDeniedError(_("You may not keep rosters for this organisation."))
    if force is not None and force.organisation_id != organisation.pk:
        raise ValidationFailed(
            _("The force belongs to another organisation."),
            errors={"force": [_("The force belongs to another organisation.")]},
        )
    roster = DutyRoster(
        organisation=organisation,
        name=name,
        force=force,
        jurisdiction=force.jurisdiction if force is not None else organisation.jurisdiction,
    )
    _check_partners(roster, partners)
    validated(roster)
    stamp_history(roster, actor, "created")
    roster.save()
    roster.partners.set(list(partners))
    for org in (organisation, *partners):
        assign_perm(f"duty.{EDIT_PERM}", org.group, roster)
    record_event(
        type=RosterEvent.ROSTER_CREATED,
        jurisdiction=roster.jurisdiction,
        subject=roster,
        actor=actor,
        payload={"roster_id": roster.pk, "partners": [p.pk for p in partners]},
    )
    return roster


@transaction.atomic
def update_roster(
    *,
    actor: User,
    roster_id: int,
    data: dict[str, Any],
    partners: Sequence[Organisation] | None = None,
) -> DutyRoster:
    """Rename, (de)activate or change the joint-duty partners of a roster."""
    roster = _load_roster_for_update(roster_id, actor)
    changed = []
    for name in ("name", "is_active"):
        if name in data and getattr(roster, name) != data[name]:
            setattr(roster, name, data[name])
            changed.append(name)
    old = set(roster.partners.all())
    new = set(partners) if partners is not None else old
    if not changed and new == old:
        return roster
    _check_partners(roster, list(new))
    validated(roster)
    stamp_history(roster, actor, "edited")
    roster.save(update_fields=[*changed, "updated_at"])
    if new != old:
        roster.partners.set(list(new))
        for org in old - new:
            remove_perm(f"duty.{EDIT_PERM}", org.group, roster)
        for org in new - old:
            assign_perm(f"duty.{EDIT_PERM}", org.group, roster)
        changed.append("partners")
    record_event(
        type=RosterEvent.ROSTER_CHANGED,
        jurisdiction=roster.jurisdiction,
        subject=roster,
        actor=actor,
        payload={"roster_id": roster.pk, "changed": changed},
    )
    return roster


@transaction.atomic
def regenerate_feed_token(*, actor: User, roster_id: int) -> DutyRoster:
    """A new secret for the calendar feed; the old URL stops working at once."""
    roster = _load_roster_for_update(roster_id, actor)
    roster.feed_token = new_feed_token()
    roster.save(update_fields=["feed_token", "updated_at"])
    record_event(
        type=RosterEvent.FEED_TOKEN_REGENERATED,
        jurisdiction=roster.jurisdiction,
        subject=roster,
        actor=actor,
        payload={"roster_id": roster.pk},
    )
    return roster


# -------------------------------------------------------------------------- shifts


@dataclass(frozen=True)
class OfficerInput:
    """One duty officer of a shift; ``id`` names an existing officer to keep."""

    name: str
    phone: str = ""
    organisation_id: int | None = None
    id: int | None = None


SHIFT_FIELDS = ("starts_at", "ends_at", "leader_name", "leader_phone", "notes")


def _write_officers(
    roster: DutyRoster, shift: Shift, officers: Sequence[OfficerInput], actor: User
) -> bool:
    """Make the shift's officers equal to ``officers``; True if anything changed."""
    allowed = {roster.organisation_id, *roster.partners.values_list("pk", flat=True)}
    existing = {o.pk: o for o in shift.officers.select_for_update()}
    changed = False
    keep: set[int] = set()
    for position, row in enumerate(officers):
        if row.organisation_id is not None and row.organisation_id not in allowed:
            raise ValidationFailed(
                _("A duty officer must come from the roster's organisation or a partner."),
                errors={"officers": [_("Officer from an organisation outside this roster.")]},
            )
        officer = existing.get(row.id) if row.id is not None else None
        if row.id is not None and officer is None:
            raise NotFoundError(_("No such duty officer on this shift."))
        values = {
            "name": row.name.strip(),
            "phone": row.phone.strip(),
            "organisation_id": row.organisation_id,
            "position": position,
        }
        if officer is None:
            officer = ShiftOfficer(shift=shift, **values)
            fields = None
        else:
            keep.add(officer.pk)
            fields = [k for k, v in values.items() if getattr(officer, k) != v]
            if not fields:
                continue
            for k in fields:
                setattr(officer, k, values[k])
        validated(officer, exclude=["shift"])
        stamp_history(officer, actor, "edited" if fields else "created")
        officer.save(update_fields=fields)
        changed = True
    for pk, officer in existing.items():
        if pk in keep:
            continue
        stamp_history(officer, actor, "removed")
        try:
            with transaction.atomic():
                officer.delete()
        except ProtectedError as exc:
            raise ConflictError(
                _("%(name)s took part in a hand-over and cannot be removed.")
                % {"name": officer.name},
                code="officer_in_hand_over",
            ) from exc
        changed = True
    return changed


@transaction.atomic
def create_shift(
    *,
    actor: User,
    roster_id: int,
    data: dict[str, Any],
    officers: Sequence[OfficerInput] = (),
) -> Shift:
    """Add a shift with its leader on duty and duty officers (Tieling §三.(二).1:
    领导干部带班和24小时专人值班)."""
    roster = _load_roster_for_update(roster_id, actor)
    shift = Shift(roster=roster, **{k: v for k, v in data.items() if k in SHIFT_FIELDS})
    validated(shift)
    stamp_history(shift, actor, "created")
    shift.save()
    _write_officers(roster, shift, officers, actor)
    record_event(
        type=RosterEvent.SHIFT_CHANGED,
        jurisdiction=roster.jurisdiction,
        subject=roster,
        actor=actor,
        payload={"roster_id": roster.pk, "shift_id": shift.pk, "created": True},
    )
    return shift


@transaction.atomic
def update_shift(
    *,
    actor: User,
    shift_id: int,
    data: dict[str, Any],
    officers: Sequence[OfficerInput] | None = None,
) -> Shift:
    """Change a shift's times, leader or officers; the event names what changed."""
    roster_id = Shift.objects.filter(pk=shift_id).values_list("roster_id", flat=True).first()
    if roster_id is None:
        raise NotFoundError(_("No such shift in your jurisdiction."))
    roster = _load_roster_for_update(roster_id, actor)
    shift = Shift.objects.select_for_update().get(pk=shift_id)
    changed = [k for k in SHIFT_FIELDS if k in data and getattr(shift, k) != data[k]]
    for k in changed:
        setattr(shift, k, data[k])
    if changed:
        validated(shift)
        stamp_history(shift, actor, "edited")
        shift.save(update_fields=[*changed, "updated_at"])
    if officers is not None and _write_officers(roster, shift, officers, actor):
        changed.append("officers")
    if changed:
        record_event(
            type=RosterEvent.SHIFT_CHANGED,
            jurisdiction=roster.jurisdiction,
            subject=roster,
            actor=actor,
            payload={"roster_id": roster.pk, "shift_id": shift.pk, "changed": changed},
        )
    return shift


# ---------------------------------------------------------------- duty log, hand-over


def _load_shift(shift_id: int, actor: Any) -> tuple[DutyRoster, Shift]:
    roster_id = Shift.objects.filter(pk=shift_id).values_list("roster_id", flat=True).first()
    if roster_id is None:
        raise NotFoundError(_("No such shift in your jurisdiction."))
    roster = _load_roster_for_update(roster_id, actor)
    return roster, Shift.objects.select_for_update().get(pk=shift_id)


@transaction.atomic
def record_log_entry(*, actor: User, shift_id: int, data: dict[str, Any]) -> DutyLogEntry:
    """Write a duty log entry (值班日志) on a shift; ``is_open`` marks an item the next
    shift must follow up (Tieling §三.(二).1, 规范运行管理)."""
    roster, shift = _load_shift(shift_id, actor)
    officer_id = data.get("officer_id")
    if officer_id is not None and not shift.officers.filter(pk=officer_id).exists():
        raise ValidationFailed(
            _("The officer is not on this shift."),
            errors={"officer": [_("The officer is not on this shift.")]},
        )
    entry = DutyLogEntry(
        roster=roster,
        shift=shift,
        recorded_on=shift,
        recorded_by=actor,
        occurred_at=data.get("occurred_at") or timezone.now(),
        officer_id=officer_id,
        category=data.get("category") or "other",
        content=(data.get("content") or "").strip(),
        is_open=bool(data.get("is_open")),
    )
    validated(entry)
    stamp_history(entry, actor, "created")
    entry.save()
    record_event(
        type=RosterEvent.LOG_RECORDED,
        jurisdiction=roster.jurisdiction,
        subject=roster,
        actor=actor,
        payload={"shift_id": shift.pk, "entry_id": entry.pk, "is_open": entry.is_open},
    )
    return entry


@transaction.atomic
def close_log_entry(*, actor: User, entry_id: int, note: str = "") -> DutyLogEntry:
    """Close an open item of the duty log; who and when are recorded."""
    entry = DutyLogEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFoundError(_("No such duty log entry."))
    roster = _load_roster_for_update(entry.roster_id, actor)
    if entry.closed_at is not None:
        raise InvalidTransition(_("This item is already closed."), code="already_closed")
    if not entry.is_open:
        raise InvalidTransition(_("This entry is not an open item."), code="not_an_open_item")
    entry.is_open = False
    entry.closed_at = timezone.now()
    entry.closed_by = actor
    entry.closing_note = note.strip()
    validated(entry)
    stamp_history(entry, actor, "closed")
    entry.save(update_fields=["is_open", "closed_at", "closed_by", "closing_note"])
    record_event(
        type=RosterEvent.LOG_ITEM_CLOSED,
        jurisdiction=roster.jurisdiction,
        subject=roster,
        actor=actor,
        payload={"entry_id": entry.pk, "shift_id": entry.shift_id},
    )
    return entry


@transaction.atomic
def hand_over(
    *,
    actor: User,
    from_shift_id: int,
    to_shift_id: int,
    from_officer_id: int,
    to_officer_id: int,
    notes: str = "",
    handed_over_at: datetime | None = None,
) -> HandOver:
    """Shift hand-over (交接班): the outgoing officer hands to the incoming one and every
    open log item moves to the incoming shift, still open (Tieling §三.(二).1)."""
    roster, from_shift = _load_shift(from_shift_id, actor)
    to_shift = Shift.objects.select_for_update().filter(pk=to_shift_id).first()
    if to_shift is None or to_shift.roster_id != roster.pk:
        raise ValidationFailed(
            _("The incoming shift must be on the same roster."),
            errors={"to_shift": [_("The incoming shift must be on the same roster.")]},
        )
    if to_shift.starts_at <= from_shift.starts_at:
        raise ValidationFailed(
            _("The incoming shift must start after the outgoing one."),
            errors={"to_shift": [_("The incoming shift must start after the outgoing one.")]},
        )
    if HandOver.objects.filter(from_shift=from_shift).exists():
        raise ConflictError(
            _("This shift has already been handed over."), code="already_handed_over"
        )
    if not from_shift.officers.filter(pk=from_officer_id).exists():
        raise ValidationFailed(
            _("The outgoing officer is not on the outgoing shift."),
            errors={"from_officer": [_("Not on the outgoing shift.")]},
        )
    if not to_shift.officers.filter(pk=to_officer_id).exists():
        raise ValidationFailed(
            _("The incoming officer is not on the incoming shift."),
            errors={"to_officer": [_("Not on the incoming shift.")]},
        )
    record = HandOver.objects.create(
        roster=roster,
        from_shift=from_shift,
        to_shift=to_shift,
        from_officer_id=from_officer_id,
        to_officer_id=to_officer_id,
        handed_over_at=handed_over_at or timezone.now(),
        notes=notes.strip(),
        recorded_by=actor,
    )
    carried = list(DutyLogEntry.objects.select_for_update().filter(shift=from_shift, is_open=True))
    for entry in carried:
        # One save per row, not QuerySet.update(): each move must leave a history row.
        entry.shift = to_shift
        stamp_history(entry, actor, "carried over at hand-over")
        entry.save(update_fields=["shift"])
    record.carried_entries.set(carried)
    record_event(
        type=RosterEvent.HANDOVER,
        jurisdiction=roster.jurisdiction,
        subject=roster,
        actor=actor,
        payload={
            "hand_over_id": record.pk,
            "from_shift_id": from_shift.pk,
            "to_shift_id": to_shift.pk,
            "carried": [e.pk for e in carried],
        },
    )
    return record


# ---------------------------------------------------------------------- spot checks

SPOT_CHECK_FIELDS = (
    "checked_on",
    "call_handling_passed",
    "call_handling_note",
    "duty_passed",
    "duty_note",
    "satisfaction_score",
    "findings",
    "rectification_deadline",
)


@transaction.atomic
def record_spot_check(*, actor: User, organisation_id: int, data: dict[str, Any]) -> SpotCheck:
    """Record a quarterly spot check of a linkage unit: call handling, duty, public
    satisfaction (Zhoushan §五.(一)). A failed item needs findings and a rectification
    deadline; the quarter is derived from the date."""
    organisation = (
        Organisation.objects.select_for_update()
        .select_related("jurisdiction")
        .filter(pk=organisation_id)
        .first()
    )
    if organisation is None or not in_jurisdiction(actor, organisation.jurisdiction):
        raise NotFoundError(_("No such organisation in your jurisdiction."))
    if not can_spot_check(actor, organisation):
        raise PermissionDeniedError(_("You may not spot-check this unit."))
    values = {k: v for k, v in data.items() if k in SPOT_CHECK_FIELDS}
    values.setdefault("checked_on", timezone.localdate())
    if values["checked_on"] > timezone.localdate():
        raise ValidationFailed(
            _("A spot check cannot be dated in the future."),
            errors={"checked_on": [_("A spot check cannot be dated in the future.")]},
        )
    check = SpotCheck(organisation=organisation, checked_by=actor, **values)
    check.derive_quarter()
    validated(check)
    stamp_history(check, actor, "recorded")
    check.save()
    record_event(
        type=RosterEvent.SPOTCHECK_RECORDED,
        jurisdiction=organisation.jurisdiction,
        subject=check,
        actor=actor,
        payload={
            "spot_check_id": check.pk,
            "organisation_id": organisation.pk,
            "year": check.year,
            "quarter": check.quarter,
            "passed": check.call_handling_passed and check.duty_passed,
        },
    )
    return check


@transaction.atomic
def close_spot_check(*, actor: User, spot_check_id: int, note: str) -> SpotCheck:
    """Close the rectification of a spot check (Zhoushan §五.(一): 定期评价通报)."""
    check = (
        SpotCheck.objects.select_for_update(of=("self",))
        .select_related("organisation__jurisdiction")
        .filter(pk=spot_check_id)
        .first()
    )
    if check is None or not in_jurisdiction(actor, check.organisation.jurisdiction):
        raise NotFoundError(_("No such spot check in your jurisdiction."))
    if not can_spot_check(actor, check.organisation):
        raise PermissionDeniedError(_("You may not close this spot check."))
    if not check.needs_rectification:
        raise InvalidTransition(
            _("This spot check has nothing to rectify."), code="nothing_to_rectify"
        )
    if check.closed_at is not None:
        raise InvalidTransition(_("This spot check is already closed."), code="already_closed")
    if not note.strip():
        raise ValidationFailed(
            _("Say how the findings were rectified."),
            errors={"note": [_("Say how the findings were rectified.")]},
        )
    check.closed_at = timezone.now()
    check.closed_by = actor
    check.closing_note = note.strip()
    stamp_history(check, actor, "closed")
    check.save(update_fields=["closed_at", "closed_by", "closing_note"])
    record_event(
        type=RosterEvent.SPOTCHECK_CLOSED,
        jurisdiction=check.organisation.jurisdiction,
        subject=check,
        actor=actor,
        payload={"spot_check_id": check.pk, "overdue": _overdue(check.rectification_deadline)},
    )
    return check


def _overdue(deadline: date | None) -> bool:
    return deadline is not None and timezone.localdate() > deadline


__all__ = [
    "OfficerInput",
    "close_log_entry",
    "close_spot_check",
    "create_roster",
    "create_shift",
    "hand_over",
    "record_log_entry",
    "record_spot_check",
    "regenerate_feed_token",
    "update_roster",
    "update_shift",
]
