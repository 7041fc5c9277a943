"""Special periods (Liaocheng §三.一.2: 汛期等特殊时期): the emergency bureau of a level
declares a flood season or a sensitive period for its jurisdiction and below, and ends
it. While one is in force, approving a call-out plan needs the consent of each force's
industry department (``dispatch.services.plans``; the rule reads
``dispatch.policies.active_special_periods``).

Declarations are one-off date ranges. The flood season that recurs every year
(``recurs_yearly``) is configuration kept by the platform's administrators; it is not
declared or ended here, and a declaration overlapping it (same kind, same jurisdiction)
is refused like any other overlap."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bounds import year_in_window, year_window_message
from core.events import record_event
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Jurisdiction, User
from dispatch.choices import SpecialPeriodKind
from dispatch.events import DispatchEvent
from dispatch.models import SpecialPeriod
from dispatch.permissions import may_declare_special_period
from dispatch.policies import _in_range

# A declaration is at most a year long; a longer rule is the recurring flood season.
MAX_DAYS = 366
NAME_MAX_LENGTH = 100


def _period_payload(period: SpecialPeriod, **extra: object) -> dict[str, object]:
    return {
        "period_id": period.pk,
        "kind": period.kind,
        "name": period.name,
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
        **extra,
    }


def _overlaps(a: SpecialPeriod, starts_on: date, ends_on: date) -> bool:
    """Whether ``a`` (one-off or recurring) shares a day with the one-off range."""
    if not a.recurs_yearly:
        return a.starts_on <= ends_on and starts_on <= a.ends_on
    if (ends_on - starts_on).days >= 365:
        return True
    day = starts_on
    while day <= ends_on:
        if _in_range(a, day):
            return True
        day += timedelta(days=1)
    return False


def _validate(kind: str, name: str, starts_on: date, ends_on: date, today: date) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in SpecialPeriodKind.values:
        errors["kind"] = [_("Choose flood season or sensitive period.")]
    if not name.strip():
        errors["name"] = [_("Name the period.")]
    elif len(name.strip()) > NAME_MAX_LENGTH:
        errors["name"] = [_("At most 100 characters.")]
    for field, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not year_in_window(value.year):
            errors[field] = [year_window_message()]
    if not errors:
        if ends_on < starts_on:
            errors["ends_on"] = [_("The period cannot end before it starts.")]
        elif ends_on < today:
            errors["ends_on"] = [_("The period has already ended.")]
        elif (ends_on - starts_on).days >= MAX_DAYS:
            errors["ends_on"] = [_("A declared period lasts at most a year.")]
    if errors:
        raise ValidationFailed(_("The special period is not valid."), errors=errors)


@transaction.atomic
def declare_special_period(
    *, actor: User, kind: str, name: str, starts_on: date, ends_on: date
) -> SpecialPeriod:
    """The bureau of the actor's level declares a flood season or a sensitive period for
    its jurisdiction and below. A period of the same kind in the same jurisdiction that
    shares a day with it (one-off or recurring) is refused with 409 ``period_overlaps``:
    change or end that one instead."""
    level = actor.jurisdiction if getattr(actor, "is_authenticated", False) else None
    if level is None or not may_declare_special_period(actor, level):
        raise PermissionDeniedError(
            _("The emergency bureau of the level declares its special periods.")
        )
    _validate(kind, name, starts_on, ends_on, timezone.localdate())
    # One declaration at a time per level: the overlap check then sees every other one.
    Jurisdiction.objects.select_for_update().filter(pk=level.pk).first()
    same = SpecialPeriod.objects.filter(jurisdiction=level, kind=kind).filter(
        Q(recurs_yearly=True) | Q(starts_on__lte=ends_on, ends_on__gte=starts_on)
    )
    clash = next(
        (p for p in same.order_by("starts_on", "pk") if _overlaps(p, starts_on, ends_on)), None
    )
    if clash is not None:
        raise ConflictError(
            _("%(name)s (%(start)s – %(end)s) already covers part of these days.")
            % {"name": clash.name, "start": clash.starts_on, "end": clash.ends_on},
            code="period_overlaps",
            errors={"starts_on": [_("Overlaps %(name)s.") % {"name": clash.name}]},
        )
    period = SpecialPeriod(
        kind=kind,
        name=name.strip(),
        jurisdiction=level,
        starts_on=starts_on,
        ends_on=ends_on,
        recurs_yearly=False,
        declared_by=actor,
    )
    period._history_user = actor
    period.save()
    record_event(
        type=DispatchEvent.SPECIAL_PERIOD_DECLARED,
        jurisdiction=level,
        subject=period,
        actor=actor,
        payload=_period_payload(period),
    )
    return period


@transaction.atomic
def end_special_period(*, actor: User, period_id: int) -> SpecialPeriod | None:
    """End a declared period: today becomes its last day; one that has not begun is
    withdrawn (deleted, and ``None`` is returned). Whoever does not see the period gets
    404; a reader who is not its level's bureau gets 403. A recurring flood season (409
    ``recurring``) and a period that already ends today or is over (409
    ``already_ended``) are refused."""
    period = (
        SpecialPeriod.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk=period_id)
        .first()
    )
    own = actor.jurisdiction if getattr(actor, "is_authenticated", False) else None
    if period is None or own is None:
        raise NotFoundError(_("No such special period."))
    covers_or_below = (
        period.jurisdiction.path.startswith(own.path)
        or period.jurisdiction.code in own.ancestors_and_self()
    )
    if not covers_or_below:
        raise NotFoundError(_("No such special period."))
    if not may_declare_special_period(actor, period.jurisdiction):
        raise PermissionDeniedError(
            _("The emergency bureau of the level ends its special periods.")
        )
    if period.recurs_yearly:
        raise InvalidTransition(
            _("The flood season that recurs every year is set by the platform's operators."),
            code="recurring",
        )
    today = timezone.localdate()
    if period.ends_on <= today:
        # Ending sets today as the last day: a period that ends today or ended is done.
        raise InvalidTransition(
            _("This period already ends today or has ended."), code="already_ended"
        )
    withdrawn = period.starts_on > today
    if withdrawn:
        pk = period.pk
        period._history_user = actor
        period.delete()
        period.pk = pk
    else:
        period.ends_on = today
        period._history_user = actor
        period.save(update_fields=["ends_on"])
    record_event(
        type=DispatchEvent.SPECIAL_PERIOD_ENDED,
        jurisdiction=period.jurisdiction,
        subject=period,
        actor=actor,
        payload=_period_payload(period, withdrawn=withdrawn),
    )
    return None if withdrawn else period
