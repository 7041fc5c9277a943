"""A person's in-app notifications: what the bell counts and the notifications page lists,
and marking them read. Reading one's own notification changes nothing anyone else sees
and is not an acknowledgement (that is the subject's own service), so it records no
event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from notify.choices import Channel, DeliveryStatus
from notify.models import Delivery


def inbox(user: Any):
    """The in-app deliveries addressed to ``user`` (not those a finished chase cancelled
    before they were shown)."""
    return Delivery.objects.filter(user_id=user.pk, channel=Channel.IN_APP).exclude(
        status=DeliveryStatus.CANCELLED
    )


def unread_count(user: Any) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def mark_read(
    *, user: Any, delivery_ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Mark the user's unread in-app deliveries (all, or those given) read; one UPDATE,
    so two tabs opening the same notification cannot disagree. Returns how many."""
    unread = inbox(user).filter(read_at__isnull=True)
    if delivery_ids is not None:
        unread = unread.filter(pk__in=list(delivery_ids))
    return unread.update(read_at=now or timezone.now())
