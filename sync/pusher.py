"""The outbound pusher (DESIGN11 "Subscriber"): every due, active subscriber receives the
changes its client may see after its cursor, in sequence order, one signed POST per batch.

How a batch stays the same batch:

1. *claim* (short transaction, ``select_for_update(skip_locked=True)`` where the database
   has it): the subscriber's ``next_attempt_at`` moves a lease ahead, so another worker —
   or the next tick, if this one dies — leaves it alone until the lease ends;
2. *fix the range* (short transaction): ``pending_until`` records the end of the batch
   before anything is sent, so a retry (after a failure, or a crash between the POST and
   our commit) sends the same range ``(cursor, pending_until]`` under the same
   ``Idempotency-Key: <pk>:<cursor>:<pending_until>``; the receiver drops what it already
   has;
3. *POST* outside any transaction (no database lock is held while the network waits);
4. *acknowledge* (short transaction, row locked, only if nobody moved the cursor
   meanwhile): 2xx → ``cursor = pending_until``; anything else → ``attempts + 1`` and a
   backoff of 30 s doubling up to an hour. One ``subscriber.failing`` event when it starts
   failing, one ``subscriber.recovered`` when it comes back.

Events the client may not see are skipped and the cursor still moves over them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notify.signing import sign
from sync import services
from sync.models import Subscriber
from sync.selectors import changes_after

logger = logging.getLogger(__name__)

BACKOFF_FIRST = 30  # seconds
BACKOFF_MAX = 3600
LEASE = timedelta(minutes=2)  # longer than one POST may take (SYNC_PUSH_TIMEOUT)
CLAIM = 20  # subscribers per claim
MAX_ROUNDS = 50  # batches per subscriber per tick, so one backlog cannot starve the rest
ERROR_LENGTH = 300

_session = requests.Session()


@dataclass(frozen=True)
class Batch:
    after: int
    until: int
    changes: list[dict]
    more: bool

    def key(self, subscriber: Subscriber) -> str:
        return f"{subscriber.pk}:{self.after}:{self.until}"


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return timedelta(seconds=min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


def batch_size() -> int:
    return max(1, min(int(getattr(settings, "SYNC_PUSH_BATCH", 100)), 1000))


def push_due(now: datetime | None = None) -> int:
    """Push every due subscriber; returns the number of changes acknowledged."""
    pushed = 0
    finished: set[int] = set()
    rounds: dict[int, int] = {}
    while True:
        at = now or timezone.now()
        claimed = _claim(at, finished)
        if not claimed:
            return pushed
        for subscriber in claimed:
            sent, more = push_one(subscriber, at)
            pushed += sent
            rounds[subscriber.pk] = rounds.get(subscriber.pk, 0) + 1
            if not more or rounds[subscriber.pk] >= MAX_ROUNDS:
                finished.add(subscriber.pk)


def _claim(now: datetime, finished: set[int]) -> list[Subscriber]:
    with transaction.atomic():
        due = (
            Subscriber.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("jurisdiction", "client")
            .filter(active=True, next_attempt_at__lte=now)
            .exclude(pk__in=finished)
            .order_by("next_attempt_at", "pk")[:CLAIM]
        )
        rows = list(due)
        if rows:
            Subscriber.objects.filter(pk__in=[r.pk for r in rows]).update(
                next_attempt_at=now + LEASE
            )
        return rows


def build_batch(subscriber: Subscriber) -> Batch:
    """The changes after the cursor: the range in flight again if there is one."""
    page = changes_after(
        subscriber.client,
        after=subscriber.cursor,
        limit=batch_size(),
        kinds=set(subscriber.kinds) or None,
        jurisdiction=subscriber.jurisdiction.code,
    )
    pending = subscriber.pending_until
    if pending is None or pending <= subscriber.cursor:
        return Batch(subscriber.cursor, max(page.next, subscriber.cursor), page.changes, page.more)
    changes = [c for c in page.changes if c["seq"] <= pending]
    # A smaller batch size since the first try can cut the same range shorter.
    until = pending if page.next >= pending else page.next
    return Batch(subscriber.cursor, until, changes, page.more or until < page.next)


def body_of(subscriber: Subscriber, batch: Batch) -> bytes:
    document = {
        "subscriber": subscriber.name,
        "after": batch.after,
        "cursor": batch.until,
        "changes": batch.changes,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def send(subscriber: Subscriber, batch: Batch) -> str:
    """POST one batch; "" when the receiver acknowledged it, else a short error."""
    body = body_of(subscriber, batch)
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": batch.key(subscriber),
        **sign(subscriber.secret, body),
    }
    timeout = float(getattr(settings, "SYNC_PUSH_TIMEOUT", 10.0))
    try:
        response = _session.post(
            subscriber.url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        )
    except requests.RequestException as exc:
        # Stored and shown on the subscribers page: in the platform's language.
        return _("Could not reach the endpoint (%(error)s).") % {"error": type(exc).__name__}
    if 200 <= response.status_code < 300:
        return ""
    return f"HTTP {response.status_code}"


def push_one(subscriber: Subscriber, now: datetime) -> tuple[int, bool]:
    """One batch for one claimed subscriber: (changes acknowledged, more waiting)."""
    batch = build_batch(subscriber)
    if batch.until <= subscriber.cursor:
        _release(subscriber.pk, now)  # nothing new: due again at the next tick
        return 0, False
    if not batch.changes:
        # Only events the client may not see: nothing to send, the cursor moves on.
        _acknowledge(subscriber, batch, now)
        return 0, batch.more
    if not _fix_range(subscriber, batch):
        return 0, False
    error = send(subscriber, batch)
    if error:
        _failed(subscriber, batch, error, now)
        return 0, False
    _acknowledge(subscriber, batch, now)
    return len(batch.changes), batch.more


def _current(subscriber: Subscriber, batch: Batch) -> Subscriber | None:
    """The row, locked, if its cursor is still where the batch started (an administrator
    may have reset it meanwhile: then this batch's outcome is moot)."""
    row = (
        Subscriber.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk=subscriber.pk, cursor=batch.after)
        .first()
    )
    return row


def _release(pk: int, now: datetime) -> None:
    Subscriber.objects.filter(pk=pk, next_attempt_at__gt=now).update(next_attempt_at=now)


def _fix_range(subscriber: Subscriber, batch: Batch) -> bool:
    with transaction.atomic():
        row = _current(subscriber, batch)
        if row is None:
            return False
        if row.pending_until != batch.until:
            row.pending_until = batch.until
            row.save(update_fields=["pending_until"])
        return True


def _acknowledge(subscriber: Subscriber, batch: Batch, now: datetime) -> None:
    with transaction.atomic():
        row = _current(subscriber, batch)
        if row is None:
            return
        attempts = row.attempts
        row.cursor = batch.until
        row.pending_until = None
        row.attempts = 0
        row.last_error = ""
        row.last_attempt_at = now
        row.last_success_at = now
        row.next_attempt_at = now
        row.save(
            update_fields=[
                "cursor",
                "pending_until",
                "attempts",
                "last_error",
                "last_attempt_at",
                "last_success_at",
                "next_attempt_at",
            ]
        )
        if attempts:
            services.record_recovered(row, attempts, None)
    subscriber.cursor = batch.until
    subscriber.pending_until = None


def _failed(subscriber: Subscriber, batch: Batch, error: str, now: datetime) -> None:
    error = error[:ERROR_LENGTH]
    logger.info("sync push to subscriber %s failed: %s", subscriber.pk, error)
    with transaction.atomic():
        row = _current(subscriber, batch)
        if row is None:
            return
        row.attempts += 1
        row.last_error = error
        row.last_attempt_at = now
        row.next_attempt_at = now + backoff(row.attempts)
        row.save(update_fields=["attempts", "last_error", "last_attempt_at", "next_attempt_at"])
        if row.attempts == 1:
            services.record_failing(row, error)
