"""Reading notifications: for the subject's page, the bell, the user's list, the health
page and the simulator outbox. Every list is scoped by jurisdiction (``visible_to``) or
by its owner; phones are shown through ``shown_address`` / ``shown_to`` (masked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet
from django.utils import timezone

from notify import messages
from notify.choices import Channel, DeliveryStatus
from notify.models import (
    Delivery,
    GatewayStatus,
    InboundMessage,
    Notification,
    SimulatedMessage,
)
from notify.permissions import can_manage_notifications
from notify.services._common import OPEN

_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _subject_q(subject) -> dict[str, Any]:
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return {"content_type": ct, "object_id": subject.pk}


def notifications_for(subject, purpose: str | None = None) -> QuerySet[Notification]:
    """The notifications about one subject (an order, a roll-call target …), newest
    first. The caller has already checked that the user may open the subject."""
    found = Notification.objects.filter(**_subject_q(subject))
    if purpose:
        found = found.filter(purpose=purpose)
    return found.order_by("-created_at", "-pk")


def deliveries_for(subject) -> QuerySet[Delivery]:
    """Every delivery about one subject, per channel and recipient, with its status and
    times (the order page's deliveries table). Show ``shown_address``, never ``address``."""
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return (
        Delivery.objects.filter(
            notification__content_type=ct,
            notification__object_id=subject.pk,
            inbound__isnull=True,
        )
        .select_related("notification")
        .order_by("notification__created_at", "step", "channel", "pk")
    )


def deliveries_for_many(subjects) -> dict[int, list[Delivery]]:
    """``deliveries_for`` of many subjects of one model at once (the roll-call progress
    page: who was reached how), by subject id."""
    subjects = list(subjects)
    if not subjects:
        return {}
    ct = ContentType.objects.get_for_model(subjects[0], for_concrete_model=False)
    found: dict[int, list[Delivery]] = {s.pk: [] for s in subjects}
    for delivery in (
        Delivery.objects.filter(
            notification__content_type=ct,
            notification__object_id__in=list(found),
            inbound__isnull=True,
        )
        .select_related("notification")
        .order_by("step", "channel", "pk")
    ):
        found[delivery.notification.object_id].append(delivery)
    return found


def inbox(user) -> QuerySet[Delivery]:
    """The user's in-app notifications, newest first (``notify:list``)."""
    if not getattr(user, "is_authenticated", False):
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(user=user, channel=Channel.IN_APP)
        .exclude(status=DeliveryStatus.CANCELLED)
        .select_related("notification")
        .order_by("-created_at", "-pk")
    )


def unread_count(user) -> int:
    """The number on the bell."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return (
        Delivery.objects.filter(user=user, channel=Channel.IN_APP, read_at__isnull=True)
        .exclude(status=DeliveryStatus.CANCELLED)
        .count()
    )


@dataclass(frozen=True)
class GatewayHealth:
    statuses: list[GatewayStatus]
    queued: int  # waiting for their first hand-over
    retrying: list[Delivery]  # handed over at least once, waiting for the next attempt
    failed: list[Delivery]  # recent failures (newest first)
    failed_total: int
    by_status: dict[str, int]


def gateway_health(user, *, recent: int = 50) -> GatewayHealth:
    """The notifications admin page of the user's jurisdiction (``notify:health``)."""
    if not can_manage_notifications(user):
        return GatewayHealth([], 0, [], [], 0, {})
    mine = Delivery.objects.visible_to(user).select_related("notification")
    queued = mine.filter(status=DeliveryStatus.QUEUED)
    failed = mine.filter(status=DeliveryStatus.FAILED)
    counts = dict(
        mine.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return GatewayHealth(
        statuses=list(GatewayStatus.objects.all()),
        queued=queued.filter(attempts=0).count(),
        retrying=list(queued.filter(attempts__gt=0).order_by("next_attempt_at")[:recent]),
        failed=list(failed.order_by("-created_at", "-pk")[:recent]),
        failed_total=failed.count(),
        by_status=counts,
    )


def simulator_outbox(user) -> QuerySet[SimulatedMessage]:
    """What the simulator "sent", newest first (``notify:simulator``): administrators
    and duty officers of the jurisdiction. Show ``shown_to``, never ``to``."""
    if not can_manage_notifications(user):
        return SimulatedMessage.objects.none()
    return SimulatedMessage.objects.visible_to(user).order_by("-sent_at", "-pk")


def inbound_for(user) -> QuerySet[InboundMessage]:
    """Replies, key presses and link uses of the jurisdiction, newest first."""
    if not can_manage_notifications(user):
        return InboundMessage.objects.none()
    return InboundMessage.objects.visible_to(user).order_by("-received_at", "-pk")


def link_target(token: str) -> Notification | None:
    """The notification a one-time link opens, while it can still be used (not used,
    not expired, not closed); None otherwise. No login: the token is the credential."""
    if not token or len(token) > 64 or not set(token) <= _TOKEN_CHARS:
        return None
    delivery = (
        Delivery.objects.filter(
            link_token_hash=messages.token_hash(token),
            channel=Channel.SMS,
            link_used_at__isnull=True,
        )
        .select_related("notification")
        .first()
    )
    if delivery is None or delivery.notification is None:
        return None
    notification = delivery.notification
    if notification.closed_at is not None or notification.is_expired(timezone.now()):
        return None
    return notification


def open_notifications(user) -> QuerySet[Notification]:
    """Open notifications of the jurisdiction (still chasing)."""
    return Notification.objects.visible_to(user).filter(OPEN)
