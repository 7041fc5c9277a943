"""The chase: escalation levels on time, and the periodic tick (DESIGN10 ``escalate``,
``tick``). The existing overdue beat tick calls ``tick`` every 30 seconds; every step
is idempotent, so a late, repeated or concurrent tick does each level once."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.events import record_event
from notify import registry
from notify.choices import DeliveryStatus
from notify.events import NotifyEvent
from notify.models import Delivery, EscalationStep, Notification
from notify.services._common import (
    CHASE_CHANNELS,
    OPEN,
    plan_deliveries,
    send_after_commit,
    subject_label,
    subjects_of,
)
from notify.services.outbox import BULK_BATCH, send_pending


def _policies() -> tuple[dict[tuple, list[tuple[int, str, str]]], set[tuple]]:
    """({(purpose, organisation_id or None): [(minutes, audience, channel)]}, the
    (purpose, organisation) pairs that have a policy of their own)."""
    policies: dict[tuple, list[tuple[int, str, str]]] = defaultdict(list)
    own: set[tuple] = set()
    for purpose, org_id, minutes, audience, channel, active in EscalationStep.objects.values_list(
        "purpose", "organisation_id", "after_minutes", "audience", "channel", "is_active"
    ):
        if org_id is not None:
            own.add((purpose, org_id))
        if active:
            policies[(purpose, org_id)].append((minutes, audience, channel))
    return policies, own


def _policy_of(policies, own, notification: Notification) -> list[tuple[int, str, str]]:
    key = (notification.purpose, notification.organisation_id)
    if notification.organisation_id is not None and key in own:
        return policies.get(key, [])
    return policies.get((notification.purpose, None), [])


@dataclass
class _Line:
    jurisdiction: Any
    subject: Any
    organisation: Any
    payload: dict[str, Any]


def _timeline_lines(events, subjects) -> list[_Line]:
    """One ``notify.escalated`` per subject and level; a purpose whose handler names a
    timeline subject (a roll call for its targets) gets one per that subject and level,
    counting the subjects it stands for, so a roll call over 5,000 forces writes one
    line per level, not 5,000."""
    by_purpose: dict[str, list] = defaultdict(list)
    for notification, *_rest in events:
        subject = subjects.get((notification.content_type_id, notification.object_id))
        if subject is not None:
            by_purpose[notification.purpose].append(subject)
    told_on: dict[str, dict[int, Any]] = {}
    for purpose, found in by_purpose.items():
        handler = registry.handler_for(purpose)
        if handler is not None and handler.timeline_subjects is not None:
            told_on[purpose] = handler.timeline_subjects(found)
    lines: dict[tuple, _Line] = {}
    for notification, minutes, wanted, count in events:
        subject = subjects.get((notification.content_type_id, notification.object_id))
        if subject is None:
            continue
        parent = told_on.get(notification.purpose, {}).get(subject.pk)
        target = parent if parent is not None else subject
        key = (notification.purpose, type(target), target.pk, minutes)
        line = lines.get(key)
        if line is None:
            lines[key] = _Line(
                jurisdiction=notification.jurisdiction,
                subject=target,
                organisation=notification.organisation if parent is None else None,
                payload={
                    "purpose": notification.purpose,
                    "title": notification.title,
                    "step": minutes,
                    "channels": sorted({c for _a, c in wanted}),
                    "audiences": sorted({a for a, _c in wanted}),
                    "deliveries": count,
                    "subjects": 1,
                },
            )
            continue
        line.payload["deliveries"] += count
        line.payload["subjects"] += 1
        line.payload["channels"] = sorted({*line.payload["channels"], *(c for _a, c in wanted)})
        line.payload["audiences"] = sorted({*line.payload["audiences"], *(a for a, _c in wanted)})
    return list(lines.values())


def escalate(*, now: datetime.datetime | None = None, limit: int = 1000) -> int:
    """Write the deliveries of every level that is due on an open notification (new
    keys: step = the level's minutes), record ``notify.escalated`` on its subject and
    remember the level. Returns the number of levels done."""
    now = now or timezone.now()
    policies, own = _policies()
    bounds: dict[str, tuple[int, int]] = {}
    for (purpose, _org), steps in policies.items():
        minutes = [m for m, _a, _c in steps]
        low, high = bounds.get(purpose, (min(minutes), max(minutes)))
        bounds[purpose] = (min(low, *minutes), max(high, *minutes))
    if not bounds:
        return 0
    due = Q(pk__in=[])
    for purpose, (low, high) in bounds.items():
        due |= Q(
            purpose=purpose,
            escalated_through__lt=high,
            created_at__lte=now - datetime.timedelta(minutes=low),
        )
    levels_done = 0
    with transaction.atomic():
        candidates = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(OPEN, due, expires_at__gt=now)
            .order_by("created_at", "pk")[:limit]
        )
        subjects = subjects_of(candidates)
        planned: list[Delivery] = []
        events = []
        for notification in candidates:
            policy = _policy_of(policies, own, notification)
            elapsed = (now - notification.created_at).total_seconds() / 60
            levels = sorted(
                {m for m, _a, _c in policy if notification.escalated_through < m <= elapsed}
            )
            if not levels:
                continue
            label = subject_label(notification.content_type_id)
            for minutes in levels:
                wanted = [(a, c) for m, a, c in policy if m == minutes]
                level = plan_deliveries(
                    notification=notification,
                    subject_label=label,
                    wanted=wanted,
                    step=minutes,
                    now=now,
                )
                planned.extend(level)
                events.append((notification, minutes, wanted, len(level)))
            notification.escalated_through = levels[-1]
        # The notifications are locked: no concurrent tick writes the same level.
        Delivery.objects.bulk_create(planned, batch_size=BULK_BATCH)
        through: dict[int, list[int]] = defaultdict(list)
        for notification, _minutes, _wanted, _count in events:
            through[notification.escalated_through].append(notification.pk)
        for minutes, pks in through.items():
            Notification.objects.filter(pk__in=set(pks)).update(escalated_through=minutes)
        for line in _timeline_lines(events, subjects):
            record_event(
                type=NotifyEvent.ESCALATED,
                jurisdiction=line.jurisdiction,
                subject=line.subject,
                organisation=line.organisation,
                payload=line.payload,
            )
        levels_done += len(events)
        keys = [d.key for d in planned]
        if keys:
            send_after_commit(
                list(Delivery.objects.filter(key__in=keys).values_list("pk", flat=True))
            )
    return levels_done


def expire(*, now: datetime.datetime | None = None) -> int:
    """Close notifications past their deadline: their reply codes become free and what
    is still queued for them is not sent any more."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(OPEN, expires_at__lte=now).values_list("pk", flat=True)[
                :5000
            ]
        )
        if not ids:
            return 0
        Notification.objects.filter(OPEN, pk__in=ids).update(closed_at=now)
        Delivery.objects.filter(
            notification_id__in=ids,
            status=DeliveryStatus.QUEUED,
            channel__in=CHASE_CHANNELS,
            inbound__isnull=True,
        ).update(status=DeliveryStatus.CANCELLED)
    return len(ids)


def tick(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The periodic sweep: expire, escalate what is due, send what is due (including what
    a lost task or a failed gateway left behind)."""
    now = now or timezone.now()
    expired = expire(now=now)
    escalated = escalate(now=now)
    sent = send_pending(now=now)
    return {"expired": expired, "escalated": escalated, "sent": sent}
