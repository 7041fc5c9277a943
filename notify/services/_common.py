"""What the notify services share: keys, reply codes, rules, planning deliveries."""

from __future__ import annotations

import datetime
import hashlib
import logging
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q

from core.masking import mask_phone
from notify import messages
from notify.choices import Channel
from notify.models import Delivery, Notification, RecipientRule
from notify.types import Recipient

logger = logging.getLogger("notify")

_random = random.SystemRandom()

OPEN = Q(acknowledged_at__isnull=True, closed_at__isnull=True)
# Channels an acknowledgement or a close stops; in-app items stay as the record.
CHASE_CHANNELS = (Channel.SMS, Channel.VOICE, Channel.EMAIL)


def content_type_of(subject: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(subject, for_concrete_model=False)


def delivery_key(
    *,
    subject_label: str,
    object_id: int,
    serial: int,
    purpose: str,
    audience: str,
    recipient: str,
    channel: str,
    step: int,
) -> str:
    """The idempotency key: the same message to the same person about the same thing is
    the same key, however often it is written or handed over."""
    raw = f"{subject_label}:{object_id}:{serial}:{purpose}:{audience}:{recipient}:{channel}:{step}"
    return hashlib.sha256(raw.encode()).hexdigest()


def subject_label(content_type_id: int) -> str:
    """The subject's model as it enters the idempotency keys ("dispatch.calloutorder")."""
    ct = ContentType.objects.get_for_id(content_type_id)
    return f"{ct.app_label}.{ct.model}"


def subjects_of(notifications: Iterable[Notification]) -> dict[tuple[int, int], models.Model]:
    """The subjects of these notifications, one query per subject model."""
    wanted: dict[int, set[int]] = {}
    for notification in notifications:
        wanted.setdefault(notification.content_type_id, set()).add(notification.object_id)
    found: dict[tuple[int, int], models.Model] = {}
    for ct_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        for pk, obj in model._base_manager.in_bulk(sorted(ids)).items():
            found[(ct_id, pk)] = obj
    return found


def address_for(recipient: Recipient, channel: str) -> str:
    if channel == Channel.IN_APP:
        return ""
    if channel in (Channel.SMS, Channel.VOICE):
        return normalise_phone(recipient.phone)
    if channel == Channel.EMAIL:
        return (recipient.email or "").strip()
    return ""


def reaches(recipient: Recipient, channel: str) -> bool:
    if channel == Channel.IN_APP:
        return recipient.user_id is not None
    return bool(address_for(recipient, channel))


_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?1\d{10}(?!\d)")


def masked_error(text: str | None) -> str:
    """A gateway's error text as we store and show it: a backend that quotes the number
    it could not reach must not put the full number on the health page or in a log."""
    return _MOBILE.sub(lambda m: mask_phone(m.group(0)[-11:]), text or "")[:500]


def normalise_phone(phone: str | None) -> str:
    digits = "".join(ch for ch in (phone or "") if ch.isdigit() or ch == "-")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def recipients_json(audiences: Mapping[str, Sequence[Recipient]]) -> dict[str, list[dict]]:
    return {str(a): [r.as_json() for r in rs] for a, rs in audiences.items()}


# Above this many codes in one call (a warning to thousands, a roll call over every force)
# codes come from the five-digit counter, so a long fan-out never holds the four-digit
# codes the orders and notices of the same minutes are given.
SMALL_BATCH = 200
SHORT_COUNTER = "notify_reply_code_short"  # 1000–9999, cycling (migration 0012)
LONG_COUNTER = "notify_reply_code_long"  # 10000–99999, cycling


def free_reply_codes(count: int) -> list[str]:
    """``count`` codes no open notification holds: four digits for a small batch, five
    for a large one.

    On PostgreSQL the codes come from two shared counters (sequences), so transactions
    writing notifications at the same time never pick the same code: a random pick would
    collide with the codes of a long uncommitted fan-out, wait on its unique index entry
    until it commits and then fail. Codes an open notification still holds are skipped.
    SQLite has one writer at a time, so a random pick among free codes is enough there.
    """
    if count <= 0:
        return []
    taken = set(Notification.objects.filter(OPEN).values_list("reply_code", flat=True))
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        free = [c for c in (str(n) for n in range(1000, 10000)) if c not in taken]
        if len(free) >= count:
            return _random.sample(free, count)
        more = [c for c in (str(n) for n in range(10000, 100000)) if c not in taken]
        return _random.sample(free, len(free)) + _random.sample(more, count - len(free))
    codes: list[str] = []
    chosen: set[str] = set()
    counter, space = (SHORT_COUNTER, 9000) if count <= SMALL_BATCH else (LONG_COUNTER, 90000)
    drawn = 0
    with connection.cursor() as cursor:
        while len(codes) < count:
            if drawn >= space:  # a whole cycle without enough free codes: the next counter
                if counter == LONG_COUNTER:
                    raise RuntimeError("no free reply code: 99,000 notifications are open")
                counter, space, drawn = LONG_COUNTER, 90000, 0
            need = min(count - len(codes) + 16, space - drawn)
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [counter, need])
            drawn += need
            for (number,) in cursor.fetchall():
                code = str(number)
                if code in taken or code in chosen:
                    continue
                chosen.add(code)
                codes.append(code)
                if len(codes) == count:
                    break
    return codes


def load_rules(purposes: Iterable[str], organisation_ids: Iterable[int]) -> dict[tuple, Any]:
    """{(purpose, organisation_id or None, audience): (channels, is_active)}."""
    org_ids = [o for o in set(organisation_ids) if o is not None]
    condition = Q(organisation__isnull=True)
    if org_ids:
        condition |= Q(organisation_id__in=org_ids)
    rows = RecipientRule.objects.filter(condition, purpose__in=set(purposes)).values_list(
        "purpose", "organisation_id", "audience", "channels", "is_active"
    )
    return {(p, o, a): (list(ch or []), active) for p, o, a, ch, active in rows}


def step0_channels(rules: dict[tuple, Any], purpose: str, organisation_id: int | None):
    """[(audience, channel)] of the first sending: an organisation's rule overrides the
    default one of the same audience."""
    audiences = {a for (p, _o, a) in rules if p == purpose}
    wanted = []
    for audience in sorted(audiences):
        rule = rules.get((purpose, organisation_id, audience)) if organisation_id else None
        if rule is None:
            rule = rules.get((purpose, None, audience))
        if rule is None or not rule[1]:
            continue
        wanted.extend((audience, channel) for channel in rule[0] if channel in Channel.values)
    return wanted


def plan_deliveries(
    *,
    notification: Notification,
    subject_label: str,
    wanted: Sequence[tuple[str, str]],
    step: int,
    now: datetime.datetime,
) -> list[Delivery]:
    """Unsaved deliveries of one level: every recipient of each (audience, channel) the
    channel reaches, each person once per channel."""
    seen: set[tuple[str, str]] = set()
    planned = []
    for audience, channel in wanted:
        for data in notification.audiences.get(audience, []):
            recipient = Recipient.from_json(data)
            if not reaches(recipient, channel):
                continue
            address = address_for(recipient, channel)
            identity = f"user:{recipient.user_id}" if channel == Channel.IN_APP else address
            if (channel, identity) in seen:
                continue
            seen.add((channel, identity))
            key = delivery_key(
                subject_label=subject_label,
                object_id=notification.object_id,
                serial=notification.serial,
                purpose=notification.purpose,
                audience=audience,
                recipient=identity,
                channel=channel,
                step=step,
            )
            planned.append(
                Delivery(
                    notification=notification,
                    channel=channel,
                    audience=audience,
                    step=step,
                    recipient_label=recipient.label[:100],
                    user_id=recipient.user_id if channel == Channel.IN_APP else None,
                    address=address,
                    key=key,
                    next_attempt_at=now,
                    created_at=now,
                    link_token_hash=(
                        messages.token_hash(messages.link_token(key))
                        if channel == Channel.SMS
                        else ""
                    ),
                )
            )
    return planned


# Deliveries handed to one task after commit: a roll call over thousands of forces is
# sent by several tasks, each claiming its own rows.
TASK_CHUNK = 1000


def send_after_commit(delivery_ids: Sequence[int]) -> None:
    """Queue the sending of these deliveries once the caller's transaction commits. If
    queueing or (embedded mode) the inline send fails, the caller's request is not
    broken: the rows are durable and the periodic sweep sends them."""
    ids = list(delivery_ids)
    if not ids:
        return

    def queue() -> None:
        from notify.tasks import send_deliveries

        for start in range(0, len(ids), TASK_CHUNK):
            try:
                send_deliveries.delay(ids[start : start + TASK_CHUNK])
            except Exception:
                logger.exception("notify: sending after commit failed; the sweep will retry")

    transaction.on_commit(queue, robust=True)


def backoff(attempts: int) -> datetime.timedelta:
    """30 s, 1, 2, 4 … minutes, at most an hour."""
    return datetime.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def max_attempts() -> int:
    return max(int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 8)), 1)
