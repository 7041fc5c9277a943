"""Raise and resolve support alerts (``SupportAlert``): once per kind, subject and period,
whatever the number of ticks or workers, each reaching its people through notify
(Purpose.SUPPORT_ALERT, told once). The parts decide *when* (support/reserves/alerts.py:
low stock and near expiry; support/welfare/alerts.py: lapsing insurance, medical exam due)
and call ``raise_alert`` / ``resolve_alerts``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.events import record_event
from notify import services as notify_services
from notify.choices import Purpose
from notify.types import Recipient
from support.models import SupportAlert

__all__ = ["raise_alert", "resolve_alerts"]


def raise_alert(
    *,
    kind: str,
    subject,
    period: str,
    jurisdiction,
    title: str,
    detail: str = "",
    organisation=None,
    event_type: str,
    audiences: Mapping[str, Sequence[Recipient]],
    link: str = "",
    now: datetime.datetime | None = None,
) -> SupportAlert | None:
    """The alert of ``kind`` for ``subject`` in ``period``, raised now — or None if it was
    already raised (by this tick before, or by another worker at the same moment). Records
    ``event_type`` and notifies ``audiences`` in the same transaction."""
    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(subject)
    try:
        with transaction.atomic():
            alert = SupportAlert.objects.create(
                kind=kind,
                content_type=ct,
                object_id=subject.pk,
                period=str(period)[:40],
                jurisdiction=jurisdiction,
                organisation=organisation,
                title=title[:200],
                detail=detail,
                raised_at=now,
            )
    except IntegrityError:
        return None
    record_event(
        type=event_type,
        jurisdiction=jurisdiction,
        subject=subject,
        payload={"alert": alert.pk, "kind": kind, "period": alert.period, "title": alert.title},
        actor=None,
        organisation=organisation,
    )
    if any(audiences.values()):
        notify_services.notify(
            purpose=Purpose.SUPPORT_ALERT,
            subject=alert,
            jurisdiction=jurisdiction,
            audiences=audiences,
            title=alert.title,
            body=detail or alert.title,
            link=link,
            organisation=organisation,
        )
    return alert


def resolve_alerts(*, kind: str, subjects: Iterable, now: datetime.datetime | None = None) -> int:
    """Resolve the open alerts of ``kind`` on ``subjects`` (their condition no longer
    holds); returns how many."""
    subjects = list(subjects)
    if not subjects:
        return 0
    ct = ContentType.objects.get_for_model(subjects[0])
    return SupportAlert.objects.filter(
        kind=kind,
        content_type=ct,
        object_id__in=[s.pk for s in subjects],
        resolved_at__isnull=True,
    ).update(resolved_at=now or timezone.now())
