"""Writing notifications into the outbox and sending them (DESIGN10 "Services").

``notify``/``notify_many`` run inside the caller's transaction and only write rows; the
rows are handed to the channel backends after commit (``send_pending``), by a task and
by the periodic sweep, so a rolled-back change sends nothing, a crashed worker loses
nothing, and a message is handed over under one idempotency key however often it is
retried.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import record_event
from core.exceptions import InvalidTransition, NotFoundError, PermissionDeniedError
from core.masking import mask_phone
from notify import messages
from notify.backends import OutboundMessage, SendResult, TemporaryFailure, backend_path, get_backend
from notify.choices import Channel, DeliveryStatus
from notify.events import NotifyEvent
from notify.models import Delivery, GatewayStatus, InboundMessage, Notification
from notify.permissions import can_manage_notifications
from notify.services._common import (
    CHASE_CHANNELS,
    OPEN,
    backoff,
    content_type_of,
    free_reply_codes,
    load_rules,
    logger,
    masked_error,
    max_attempts,
    plan_deliveries,
    recipients_json,
    send_after_commit,
    step0_channels,
    subject_label,
)
from notify.types import NotifyRequest, Responder

BULK_BATCH = 1000


def notify(
    *,
    purpose: str,
    subject,
    jurisdiction,
    audiences,
    title: str,
    body: str,
    link: str = "",
    organisation=None,
    expires_at: datetime.datetime | None = None,
) -> Notification:
    """Write a notification and its first deliveries in the caller's transaction; they
    are sent after commit. A second call for the same open (purpose, subject) returns
    the existing notification and writes nothing."""
    return notify_many(
        [
            NotifyRequest(
                purpose=purpose,
                subject=subject,
                jurisdiction=jurisdiction,
                audiences=audiences,
                title=title,
                body=body,
                link=link,
                organisation=organisation,
                expires_at=expires_at,
            )
        ]
    )[0]


def notify_many(requests: Sequence[NotifyRequest]) -> list[Notification]:
    """``notify`` for many subjects at once, with a number of queries that does not grow
    with the number of requests (bulk inserts of BULK_BATCH rows)."""
    requests = list(requests)
    if not requests:
        return []
    with transaction.atomic():
        for attempt in range(3):
            try:
                # A savepoint: a concurrent writer taking the same reply code or the same
                # (purpose, subject) makes us read again instead of failing the caller.
                with transaction.atomic():
                    return _notify_many(requests)
            except IntegrityError:
                if attempt == 2:
                    raise
                logger.info("notify: concurrent notification, reading again")
    raise AssertionError("unreachable")


def _notify_many(requests: list[NotifyRequest]) -> list[Notification]:
    now = timezone.now()
    default_expiry = now + datetime.timedelta(hours=_link_hours())
    types = [content_type_of(r.subject) for r in requests]
    pairs = {(str(r.purpose), ct.pk, r.subject.pk) for r, ct in zip(requests, types, strict=True)}

    existing_open: dict[tuple, Notification] = {}
    next_serial: dict[tuple, int] = defaultdict(int)
    by_group: dict[tuple[str, int], set[int]] = defaultdict(set)
    for purpose, ct_id, object_id in pairs:
        by_group[(purpose, ct_id)].add(object_id)
    condition = None
    for (purpose, ct_id), object_ids in by_group.items():
        part = _pair_q(purpose, ct_id, object_ids)
        condition = part if condition is None else condition | part
    for found in Notification.objects.filter(condition).order_by("serial"):
        pair = (found.purpose, found.content_type_id, found.object_id)
        next_serial[pair] = max(next_serial[pair], found.serial + 1)
        if found.is_open:
            existing_open[pair] = found

    fresh_requests = []
    seen: set[tuple] = set()
    for request, ct in zip(requests, types, strict=True):
        pair = (str(request.purpose), ct.pk, request.subject.pk)
        if pair in existing_open or pair in seen:
            continue
        seen.add(pair)
        fresh_requests.append((request, ct, pair))

    created: dict[tuple, Notification] = {}
    if fresh_requests:
        rules = load_rules(
            {pair[0] for _r, _c, pair in fresh_requests},
            {getattr(r.organisation, "pk", None) for r, _c, _p in fresh_requests},
        )
        codes = free_reply_codes(len(fresh_requests))
        rows = []
        for (request, ct, pair), code in zip(fresh_requests, codes, strict=True):
            rows.append(
                Notification(
                    purpose=str(request.purpose),
                    content_type=ct,
                    object_id=request.subject.pk,
                    serial=next_serial[pair],
                    jurisdiction=request.jurisdiction,
                    organisation=request.organisation,
                    title=str(request.title)[:200],
                    body=str(request.body),
                    link=request.link or "",
                    reply_code=code,
                    audiences=recipients_json(request.audiences),
                    created_at=now,
                    expires_at=request.expires_at or default_expiry,
                )
            )
        Notification.objects.bulk_create(rows, batch_size=BULK_BATCH)
        planned = []
        for row, (_request, ct, pair) in zip(rows, fresh_requests, strict=True):
            created[pair] = row
            wanted = step0_channels(rules, row.purpose, row.organisation_id)
            planned.extend(
                plan_deliveries(
                    notification=row,
                    subject_label=subject_label(ct.pk),
                    wanted=wanted,
                    step=0,
                    now=now,
                )
            )
        Delivery.objects.bulk_create(planned, batch_size=BULK_BATCH)
        send_after_commit([d.pk for d in planned])

    result = []
    for request, ct in zip(requests, types, strict=True):
        pair = (str(request.purpose), ct.pk, request.subject.pk)
        result.append(existing_open.get(pair) or created[pair])
    return result


def _pair_q(purpose: str, ct_id: int, object_ids):
    from django.db.models import Q

    return Q(purpose=purpose, content_type_id=ct_id, object_id__in=sorted(object_ids))


def _link_hours() -> int:
    from django.conf import settings

    return int(getattr(settings, "NOTIFY_LINK_HOURS", 24))


def _open_notification(purpose: str, subject) -> Notification | None:
    ct = content_type_of(subject)
    return (
        Notification.objects.select_for_update()
        .filter(OPEN, purpose=str(purpose), content_type=ct, object_id=subject.pk)
        .order_by("-serial")
        .first()
    )


def acknowledged(*, purpose: str, subject, responder: Responder) -> None:
    """The subject was acknowledged, by whatever path: stop the chase at once and record
    who answered and how. Called by the domain service inside its transaction.
    Idempotent: a second call changes nothing."""
    with transaction.atomic():
        notification = _open_notification(purpose, subject)
        if notification is None:
            return
        now = timezone.now()
        notification.acknowledged_at = now
        notification.acknowledged_channel = str(responder.channel)[:16]
        notification.acknowledged_label = str(responder.label)[:100]
        notification.save(
            update_fields=["acknowledged_at", "acknowledged_channel", "acknowledged_label"]
        )
        if responder.delivery_id:
            Delivery.objects.filter(pk=responder.delivery_id, notification=notification).update(
                status=DeliveryStatus.ACKNOWLEDGED, acknowledged_at=now
            )
        _cancel_chase(notification)


def close(*, purpose: str, subject) -> None:
    """The chase is moot (plan decided, roll call closed): nothing more is sent."""
    with transaction.atomic():
        notification = _open_notification(purpose, subject)
        if notification is None:
            return
        notification.closed_at = timezone.now()
        notification.save(update_fields=["closed_at"])
        _cancel_chase(notification)


def close_many(*, purpose: str, subjects: Sequence) -> int:
    """``close`` for many subjects of one model at once (a roll call over thousands of
    forces closed by hand): two UPDATEs per thousand, whatever the count."""
    subjects = list(subjects)
    if not subjects:
        return 0
    ct = content_type_of(subjects[0])
    now = timezone.now()
    closed = 0
    with transaction.atomic():
        for start in range(0, len(subjects), 1000):
            ids = [s.pk for s in subjects[start : start + 1000]]
            open_ = Notification.objects.filter(
                OPEN, purpose=str(purpose), content_type=ct, object_id__in=ids
            )
            notification_ids = list(open_.values_list("pk", flat=True))
            closed += Notification.objects.filter(pk__in=notification_ids).update(closed_at=now)
            Delivery.objects.filter(
                notification_id__in=notification_ids,
                status=DeliveryStatus.QUEUED,
                channel__in=CHASE_CHANNELS,
                inbound__isnull=True,
            ).update(status=DeliveryStatus.CANCELLED)
    return closed


def _cancel_chase(notification: Notification) -> None:
    Delivery.objects.filter(
        notification=notification,
        status=DeliveryStatus.QUEUED,
        channel__in=CHASE_CHANNELS,
        inbound__isnull=True,
    ).update(status=DeliveryStatus.CANCELLED)


# --- sending ------------------------------------------------------------------------------

# Rows claimed in one transaction: their locks are held while the backend is called, so
# a second worker skips them instead of sending them twice.
CLAIM = 1000


def send_pending(
    *,
    delivery_ids: Sequence[int] | None = None,
    now: datetime.datetime | None = None,
    limit: int = 1000,
) -> int:
    """Hand due queued deliveries to their channel's backend; returns how many were
    accepted. Failures are retried with backoff, and fail for good after
    NOTIFY_MAX_ATTEMPTS hand-overs (``notify.failed`` on the subject). A crash between
    the gateway accepting and our commit re-sends under the same key, which the gateway
    recognises."""
    ids = list(delivery_ids) if delivery_ids is not None else None
    handled = accepted = 0
    while handled < limit:
        at = now or timezone.now()
        count, ok, seen = _send_batch(ids, at, min(CLAIM, limit - handled))
        # After the batch's commit: the status row is shared by every worker, and its
        # lock must not serialise them.
        for (channel, path), error in seen.items():
            _gateway_seen(channel, path, error, at)
        if count == 0:
            break
        handled += count
        accepted += ok
    return accepted


def _send_batch(ids, now, size) -> tuple[int, int, dict[tuple[str, str], str]]:
    with transaction.atomic():
        claim = Delivery.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            status=DeliveryStatus.QUEUED, next_attempt_at__lte=now
        )
        if ids is not None:
            claim = claim.filter(pk__in=ids)
        rows = list(claim.order_by("next_attempt_at", "pk")[:size])
        if not rows:
            return 0, 0, {}
        notifications = Notification.objects.defer("audiences").in_bulk(
            {r.notification_id for r in rows if r.notification_id}
        )
        answers = dict(
            InboundMessage.objects.filter(
                pk__in={r.inbound_id for r in rows if r.inbound_id}
            ).values_list("pk", "answer")
        )
        by_channel: dict[str, list[Delivery]] = defaultdict(list)
        for row in rows:
            by_channel[row.channel].append(row)
        accepted = 0
        failed: list[Delivery] = []
        seen: dict[tuple[str, str], str] = {}
        for channel, group in by_channel.items():
            backend = get_backend(channel)
            path = backend_path(channel)
            size_of = max(int(getattr(backend, "max_batch", 100)), 1)
            for start in range(0, len(group), size_of):
                chunk = group[start : start + size_of]
                outbound = [
                    OutboundMessage(
                        key=d.key,
                        channel=d.channel,
                        to=str(d.user_id or "") if d.channel == Channel.IN_APP else d.address,
                        body=messages.render(
                            channel=d.channel,
                            key=d.key,
                            notification=notifications.get(d.notification_id),
                            answer=answers.get(d.inbound_id, "") if d.inbound_id else "",
                        ),
                    )
                    for d in chunk
                ]
                results, batch_error = _hand_over(backend, outbound)
                # The last hand-over of the batch decides what the health page shows.
                seen[(channel, path)] = batch_error
                ok, lost = _apply_results(chunk, results, batch_error, path, now)
                accepted += ok
                failed.extend(lost)
        _save_outcomes(rows)
        for delivery in failed:
            record_failure(delivery, notifications.get(delivery.notification_id))
        return len(rows), accepted, seen


def _save_outcomes(rows: list[Delivery]) -> None:
    """Store what the hand-over did to each row. Rows of one batch share their outcome
    but for the gateway's ids: one UPDATE per outcome, and one for all the ids (Django's
    bulk_update builds a CASE per row and field, far too slow for a roll call)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row in rows:
        outcome = (
            row.status,
            row.attempts,
            row.next_attempt_at,
            row.sent_at,
            row.backend,
            row.last_error,
        )
        groups[outcome].append(row.pk)
    for (status, attempts, next_attempt_at, sent_at, backend, error), pks in groups.items():
        Delivery.objects.filter(pk__in=pks).update(
            status=status,
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            sent_at=sent_at,
            backend=backend,
            last_error=error,
        )
    ids = [(row.pk, row.gateway_id) for row in rows if row.gateway_id]
    table = connection.ops.quote_name(Delivery._meta.db_table)
    for start in range(0, len(ids), 400):
        chunk = ids[start : start + 400]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        # VALUES columns are column1, column2 on PostgreSQL and SQLite alike.
        sql = (
            f"UPDATE {table} SET gateway_id = v.column2 FROM (VALUES {values}) AS v "
            f"WHERE {table}.id = v.column1"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [item for pair in chunk for item in pair])


def _hand_over(backend, outbound: list[OutboundMessage]) -> tuple[dict[str, SendResult], str]:
    try:
        results = backend.send_messages(outbound)
    except TemporaryFailure as error:
        return {}, str(error) or type(error).__name__
    except Exception as error:  # a broken backend must not stop the other channels
        logger.exception("notify: backend %s raised", type(backend).__name__)
        return {}, f"{type(error).__name__}: {error}"
    return {r.key: r for r in results}, ""


def _apply_results(chunk, results, batch_error, path, now) -> tuple[int, list[Delivery]]:
    accepted = 0
    failed = []
    limit = max_attempts()
    for delivery in chunk:
        delivery.attempts += 1
        delivery.backend = path[:200]
        result = results.get(delivery.key)
        if result is not None and result.accepted:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = now
            delivery.gateway_id = (result.gateway_id or "")[:100]
            delivery.last_error = ""
            accepted += 1
            continue
        error = batch_error or (result.error if result is not None else "no result") or "refused"
        delivery.last_error = masked_error(error)
        if (result is not None and result.permanent) or delivery.attempts >= limit:
            delivery.status = DeliveryStatus.FAILED
            failed.append(delivery)
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    return accepted, failed


def _gateway_seen(channel: str, path: str, error: str, now) -> None:
    with transaction.atomic():
        status, _created = GatewayStatus.objects.select_for_update().get_or_create(
            channel=channel, backend=path[:200]
        )
        if error:
            status.last_error_at = now
            status.last_error = masked_error(error)
            status.consecutive_failures += 1
        else:
            status.last_ok_at = now
            status.consecutive_failures = 0
        status.save()


def record_failure(delivery: Delivery, notification: Notification | None) -> None:
    if notification is None:
        return
    subject = notification.subject
    if subject is None:
        return
    record_event(
        type=NotifyEvent.FAILED,
        jurisdiction=notification.jurisdiction,
        subject=subject,
        organisation=notification.organisation,
        payload={
            "purpose": notification.purpose,
            "channel": delivery.channel,
            "audience": delivery.audience,
            "step": delivery.step,
            "to": mask_phone(delivery.address) if delivery.channel in ("sms", "voice") else "",
            "attempts": delivery.attempts,
            "error": delivery.last_error[:200],
        },
    )


def mark_read(*, actor, delivery_ids: Sequence[int] | None = None) -> int:
    """The user opened their notifications (all, or these): the bell's count drops."""
    if not getattr(actor, "is_authenticated", False):
        return 0
    with transaction.atomic():
        unread = Delivery.objects.filter(user=actor, channel=Channel.IN_APP, read_at__isnull=True)
        if delivery_ids is not None:
            unread = unread.filter(pk__in=list(delivery_ids))
        return unread.update(read_at=timezone.now())


def retry_delivery(*, actor, delivery_id: int) -> Delivery:
    """ "Retry now" on the health page: a queued or failed delivery of the actor's
    jurisdiction goes out at the next send (now, after commit)."""
    if not can_manage_notifications(actor):
        raise PermissionDeniedError(_("You may not manage notifications."))
    with transaction.atomic():
        delivery = (
            Delivery.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            raise NotFoundError(_("No such delivery."))
        if delivery.status not in (DeliveryStatus.QUEUED, DeliveryStatus.FAILED):
            raise InvalidTransition(
                _("Only a queued or failed delivery can be retried."), code="not_retryable"
            )
        delivery.status = DeliveryStatus.QUEUED
        delivery.next_attempt_at = timezone.now()
        if delivery.attempts >= max_attempts():
            # A manual retry gets one more hand-over, then fails again if still refused.
            delivery.attempts = max_attempts() - 1
        delivery.save(update_fields=["status", "next_attempt_at", "attempts"])
        send_after_commit([delivery.pk])
    return delivery


__all__ = [
    "acknowledged",
    "close",
    "mark_read",
    "notify",
    "notify_many",
    "retry_delivery",
    "send_pending",
]
