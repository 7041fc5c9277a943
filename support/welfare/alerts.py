"""Lapsing-insurance and medical-exam-due alerts (Liaocheng §四.4: 定期体检, 人身意外伤害
保险), raised by ``support.tasks.support_tick`` through ``support.alerts.raise_alert``:
once per rescuer and period whatever the number of ticks or workers.

- *Insurance lapsing*: an active rescuer's ``insurance_expiry`` (the latest policy) is
  within ``SUPPORT_INSURANCE_WARNING_DAYS`` of today, or already past; the period is the
  expiry date, so a renewal that is itself about to lapse raises again, once.
- *Medical examination due*: the newest examination's ``next_due`` has come, or, without
  one, the examination is 12 months old; the period is that due date. Rescuers never
  examined are listed on the welfare pages, not alerted (there is no date to count from).

Each alert reaches the force's organisation accounts and its leader; an alert whose
condition no longer holds (policy renewed, examination recorded) is resolved."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from forces.models import Force, Personnel
from support.alerts import raise_alert
from support.choices import AlertKind
from support.events import WelfareEvent
from support.models import HealthRecord, SupportAlert
from support.welfare.notifications import force_audiences
from support.welfare.services import EXAM_KINDS

__all__ = ["check_welfare_alerts", "exam_due_date", "insurance_horizon"]


def insurance_horizon(today: datetime.date) -> datetime.date:
    """The last expiry date that counts as lapsing today."""
    return today + datetime.timedelta(days=settings.SUPPORT_INSURANCE_WARNING_DAYS)


def _one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def exam_due_date(
    last_exam: datetime.date | None, next_due: datetime.date | None
) -> datetime.date | None:
    """When the next examination is due: the newest examination's own ``next_due``, else
    12 months after it; None when never examined."""
    if last_exam is None:
        return None
    return next_due or _one_year_after(last_exam)


def check_welfare_alerts(*, now: datetime.datetime | None = None) -> int:
    """Raise the insurance and medical-examination alerts due; return how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    audiences: dict[int, dict] = {}
    raised = _insurance(now, today, audiences) + _medical(now, today, audiences)
    return raised


def _people():
    return Personnel.objects.filter(is_active=True, force__is_active=True).select_related(
        "force", "force__jurisdiction", "force__organisation"
    )


def _raise(
    *,
    kind: str,
    person: Personnel,
    period: datetime.date,
    title: str,
    event_type: str,
    now: datetime.datetime,
    cache: dict[int, dict],
) -> bool:
    force: Force = person.force
    if force.pk not in cache:
        cache[force.pk] = force_audiences(force)
    with transaction.atomic():
        alert = raise_alert(
            kind=kind,
            subject=person,
            period=period.isoformat(),
            jurisdiction=force.jurisdiction,
            organisation=force.organisation,
            title=title,
            event_type=event_type,
            audiences=cache[force.pk],
            link=reverse("support:welfare_person", args=[person.pk]),
            now=now,
        )
    return alert is not None


def _open_alerts(kind: str) -> dict[int, list[SupportAlert]]:
    ct = ContentType.objects.get_for_model(Personnel)
    found: dict[int, list[SupportAlert]] = {}
    for alert in SupportAlert.objects.filter(
        kind=kind, content_type=ct, resolved_at__isnull=True
    ).only("pk", "object_id", "period"):
        found.setdefault(alert.object_id, []).append(alert)
    return found


def _resolve_stale(
    open_alerts: dict[int, list[SupportAlert]], current: dict[int, str], now: datetime.datetime
) -> None:
    """Resolve the open alerts whose rescuer no longer meets the condition, or meets it
    for another period (renewed, examined since)."""
    stale = [
        alert.pk
        for person_id, alerts in open_alerts.items()
        for alert in alerts
        if current.get(person_id) != alert.period
    ]
    if stale:
        SupportAlert.objects.filter(pk__in=stale).update(resolved_at=now)


def _insurance(now: datetime.datetime, today: datetime.date, cache: dict[int, dict]) -> int:
    kind = AlertKind.INSURANCE_LAPSING
    open_alerts = _open_alerts(kind)
    lapsing = list(
        _people()
        .filter(insurance_expiry__isnull=False, insurance_expiry__lte=insurance_horizon(today))
        .order_by("pk")
    )
    current = {p.pk: p.insurance_expiry.isoformat() for p in lapsing}
    _resolve_stale(open_alerts, current, now)
    raised = 0
    for person in lapsing:
        if any(a.period == current[person.pk] for a in open_alerts.get(person.pk, [])):
            continue
        expiry = person.insurance_expiry
        if expiry < today:
            title = f"{person.force.name} {person.name} 人身意外伤害保险已于 {expiry:%Y-%m-%d} 到期"
        else:
            title = f"{person.force.name} {person.name} 人身意外伤害保险将于 {expiry:%Y-%m-%d} 到期"
        raised += _raise(
            kind=kind,
            person=person,
            period=expiry,
            title=title,
            event_type=WelfareEvent.INSURANCE_LAPSING,
            now=now,
            cache=cache,
        )
    return raised


def _medical(now: datetime.datetime, today: datetime.date, cache: dict[int, dict]) -> int:
    kind = AlertKind.MEDICAL_EXAM_DUE
    open_alerts = _open_alerts(kind)
    newest_next_due = (
        HealthRecord.objects.filter(personnel=OuterRef("pk"), kind__in=EXAM_KINDS)
        .order_by("-examined_on", "-id")
        .values("next_due")[:1]
    )
    # A rescuer examined within the last year with no explicit next date is not due yet:
    # only those examined over a year ago or carrying a next date can be.
    candidates = (
        _people()
        .filter(medical_exam_date__isnull=False)
        .annotate(exam_next_due=Subquery(newest_next_due))
        .order_by("pk")
    )
    due: list[tuple[Personnel, datetime.date]] = []
    for person in candidates:
        when = exam_due_date(person.medical_exam_date, person.exam_next_due)
        if when is not None and when <= today:
            due.append((person, when))
    current = {p.pk: when.isoformat() for p, when in due}
    _resolve_stale(open_alerts, current, now)
    raised = 0
    for person, when in due:
        if any(a.period == current[person.pk] for a in open_alerts.get(person.pk, [])):
            continue
        raised += _raise(
            kind=kind,
            person=person,
            period=when,
            title=(
                f"{person.force.name} {person.name} 应于 {when:%Y-%m-%d} 前定期体检"
                f"（上次 {person.medical_exam_date:%Y-%m-%d}）"
            ),
            event_type=WelfareEvent.MEDICAL_EXAM_DUE,
            now=now,
            cache=cache,
        )
    return raised
