"""What comes back: delivery receipts, SMS replies, voice key presses and one-time
links (DESIGN10). Every acknowledgement goes through the registry's handler, which is
the same domain service the page calls; whatever matches nothing gets a clear Chinese
answer and changes nothing. Every reply is recorded (``InboundMessage``), and the
answer to an SMS is queued back to the phone like any other delivery."""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import ConflictError, DomainError, InvalidTransition
from core.masking import mask_phone
from notify import messages, registry
from notify.choices import PHONE_CHANNELS, Channel, DeliveryStatus, InboundCode
from notify.models import Delivery, InboundMessage, Notification
from notify.services._common import (
    OPEN,
    logger,
    masked_error,
    normalise_phone,
    send_after_commit,
)
from notify.services.outbox import acknowledged, record_failure
from notify.types import InboundOutcome, Responder

# Words that, alone, mean "yes, I acknowledge" when one notification is waiting.
_YES = frozenset({"1", "签收", "应答", "收到", "确认", "是"})
_CODE = re.compile(r"(?<!\d)(\d{4,5})(?!\d)")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# Answers to one phone per hour at most: an auto-responder must not start a loop.
ANSWERS_PER_HOUR = 5

RESPONDER_LABELS = {
    "sms": "短信回复，{phone}",
    "voice": "语音按键，{phone}",
    "link": "短信链接，{phone}",
}


def _outcome(code: str, answer: str) -> InboundOutcome:
    return InboundOutcome(ok=code == InboundCode.ACKNOWLEDGED, answer=answer, code=code)


def _verb(notification: Notification) -> str:
    handler = registry.handler_for(notification.purpose)
    return handler.verb if handler else "处理"


def _answer_for(
    notification: Notification,
    *,
    delivery: Delivery | None,
    channel: str,
    phone: str,
    text: str,
    now: datetime.datetime,
) -> InboundOutcome:
    """Acknowledge ``notification`` through its purpose's handler, or say why not."""
    handler = registry.handler_for(notification.purpose)
    if handler is None:
        return _outcome(InboundCode.REFUSED, "此通知无需回复。")
    if notification.acknowledged_at is not None:
        return _outcome(InboundCode.ALREADY, f"该事项已{handler.verb}，无需重复回复。")
    if notification.is_expired(now):
        return _outcome(InboundCode.EXPIRED, "该通知已过期，回复未处理。如有需要请联系值班室。")
    if notification.closed_at is not None:
        return _outcome(InboundCode.CLOSED, "该通知已结束，无需回复。")
    responder = Responder(
        channel=channel,
        label=RESPONDER_LABELS[channel].format(phone=mask_phone(phone)),
        delivery_id=delivery.pk if delivery is not None else None,
    )
    try:
        # A savepoint: a refusing handler leaves nothing half-done behind.
        with transaction.atomic():
            confirmation = handler.acknowledge(notification.object_id, responder, text)
            acknowledged(
                purpose=notification.purpose, subject=notification.subject, responder=responder
            )
    except (InvalidTransition, ConflictError):
        return _outcome(InboundCode.ALREADY, f"该事项已{handler.verb}，无需重复回复。")
    except DomainError as error:
        logger.info("notify: handler refused (%s)", error.code)
        return _outcome(InboundCode.REFUSED, "回复未能处理，请登录平台办理或联系值班室。")
    return _outcome(InboundCode.ACKNOWLEDGED, confirmation or f"已{handler.verb}，谢谢。")


def _lock_for_answer(notification: Notification) -> Notification:
    """Lock what an answer changes in the one order every path takes: the subject row
    (the order, recipient, target…) first, then its notification. A duty officer's
    签收 on the page goes subject → notification through the domain service; an SMS
    reply arriving at the same moment must not hold the notification while waiting for
    the subject, or the two deadlock."""
    model = notification.content_type.model_class()
    if model is not None:
        list(
            model._default_manager.select_for_update(of=("self",))
            .filter(pk=notification.object_id)
            .values_list("pk", flat=True)
        )
    return Notification.objects.select_for_update(of=("self",)).get(pk=notification.pk)


def _replayed(event_id: str | None) -> InboundOutcome | None:
    if not event_id:
        return None
    seen = InboundMessage.objects.filter(gateway_event_id=str(event_id)).first()
    if seen is None:
        return None
    return _outcome(seen.outcome, seen.answer)


def _record(*, outcome: InboundOutcome, **fields) -> InboundMessage:
    return InboundMessage.objects.create(outcome=outcome.code, answer=outcome.answer, **fields)


def _queue_answer(inbound: InboundMessage, phone: str, now: datetime.datetime) -> None:
    if not phone or not inbound.answer:
        return
    recent = Delivery.objects.filter(
        inbound__phone=phone, created_at__gte=now - datetime.timedelta(hours=1)
    ).count()
    if recent >= ANSWERS_PER_HOUR:
        return
    answer = Delivery.objects.create(
        notification=inbound.notification,
        inbound=inbound,
        channel=Channel.SMS,
        recipient_label="回复答复",
        address=phone,
        key=hashlib.sha256(f"answer:{inbound.pk}".encode()).hexdigest(),
        next_attempt_at=now,
        created_at=now,
    )
    send_after_commit([answer.pk])


def _clean(body: str) -> str:
    return unicodedata.normalize("NFKC", body or "").strip()


def receive_reply(
    *,
    phone: str,
    body: str,
    channel: str = "sms",
    backend: str = "",
    event_id: str | None = None,
    at: datetime.datetime | None = None,
) -> InboundOutcome:
    """An SMS reply: find what this phone was sent by the reply code in the text (or the
    one notification waiting for it, if the text is just "1"), acknowledge it through
    the handler, record the reply and queue the answer back."""
    now = at or timezone.now()
    phone = normalise_phone(phone)
    text = _clean(body)[:500]
    with transaction.atomic():
        replayed = _replayed(event_id)
        if replayed is not None:
            return replayed
        sent_to = Delivery.objects.filter(
            address=phone, channel__in=PHONE_CHANNELS, inbound__isnull=True
        )
        notification = delivery = None
        if not phone or not sent_to.exists():
            outcome = _outcome(
                InboundCode.UNKNOWN_NUMBER, "本号码未收到需要回复的通知，回复未处理。"
            )
        else:
            notification, outcome = _match(sent_to, text, now)
            if notification is not None:
                notification = _lock_for_answer(notification)
                delivery = (
                    sent_to.filter(notification=notification).order_by("-step", "-pk").first()
                )
                outcome = _answer_for(
                    notification,
                    delivery=delivery,
                    channel=Channel.SMS if channel != Channel.VOICE else Channel.VOICE,
                    phone=phone,
                    text=text,
                    now=now,
                )
        inbound = _record(
            outcome=outcome,
            channel=channel,
            phone=phone,
            body=text,
            received_at=now,
            backend=backend[:200],
            gateway_event_id=str(event_id) if event_id else None,
            delivery=delivery,
            notification=notification,
        )
        _queue_answer(inbound, phone, now)
    return outcome


def _match(sent_to, text: str, now) -> tuple[Notification | None, InboundOutcome | None]:
    mine = Notification.objects.filter(pk__in=sent_to.values("notification_id"))
    codes = _CODE.findall(text)
    if codes:
        found = list(mine.filter(reply_code__in=codes).order_by("-created_at", "-pk")[:20])
        if not found:
            return None, _outcome(
                InboundCode.NO_MATCH, f"回复码{codes[0]}无对应通知，请核对短信中的回复码。"
            )
        open_ones = [n for n in found if n.is_open and not n.is_expired(now)]
        return (open_ones or found)[0], None
    waiting = [
        n
        for n in mine.filter(OPEN, expires_at__gt=now).order_by("-created_at")[:20]
        if registry.handler_for(n.purpose) is not None
    ]
    if text not in _YES or not waiting:
        return None, _outcome(
            InboundCode.NO_MATCH, "未找到待回复的通知，请按短信提示回复4位回复码。"
        )
    if len(waiting) > 1:
        return None, _outcome(
            InboundCode.AMBIGUOUS,
            f"您有{len(waiting)}条待回复的通知，请回复短信中的4位回复码。",
        )
    return waiting[0], None


def receive_keypress(
    *,
    key: str = "",
    gateway_id: str = "",
    digit: str,
    event_id: str | None = None,
) -> InboundOutcome:
    """A key pressed in a voice call ("1" = acknowledge), as the gateway reports it."""
    now = timezone.now()
    with transaction.atomic():
        replayed = _replayed(event_id)
        if replayed is not None:
            return replayed
        delivery = _delivery_by(key, gateway_id, Channel.VOICE, lock=False)
        notification = delivery.notification if delivery is not None else None
        if notification is None:
            outcome = _outcome(InboundCode.NO_MATCH, "未找到该呼叫，按键未处理。")
        elif str(digit).strip() != "1":
            outcome = _outcome(InboundCode.REFUSED, f"按键无效，{_verb(notification)}请按1。")
        else:
            notification = _lock_for_answer(notification)
            delivery = Delivery.objects.select_for_update(of=("self",)).get(pk=delivery.pk)
            outcome = _answer_for(
                notification,
                delivery=delivery,
                channel=Channel.VOICE,
                phone=delivery.address,
                text=str(digit),
                now=now,
            )
        _record(
            outcome=outcome,
            channel=Channel.VOICE,
            phone=delivery.address if delivery is not None else "",
            body=f"按键{str(digit)[:5]}",
            received_at=now,
            gateway_event_id=str(event_id) if event_id else None,
            delivery=delivery,
            notification=notification,
        )
    return outcome


def _delivery_by(
    key: str, gateway_id: str, channel: str | None = None, *, lock: bool = True
) -> Delivery | None:
    if not key and not gateway_id:
        return None
    condition = Q(key=key) if key else Q(gateway_id=gateway_id)
    found = Delivery.objects.filter(condition)
    if lock:
        found = found.select_for_update(of=("self",))
    if channel is not None:
        found = found.filter(channel=channel)
    return found.first()


def redeem_link(*, token: str) -> InboundOutcome:
    """The button of the one-time link page: acknowledge the one subject the link was
    sent about. A link works once, and not after its notification's deadline."""
    now = timezone.now()
    with transaction.atomic():
        delivery = None
        if token and _TOKEN.match(token):
            delivery = Delivery.objects.filter(
                link_token_hash=messages.token_hash(token), channel=Channel.SMS
            ).first()
        notification = delivery.notification if delivery is not None else None
        if notification is None:
            return _outcome(InboundCode.REFUSED, "链接无效。")
        # Subject, notification, then the link's delivery: the order every answer takes.
        notification = _lock_for_answer(notification)
        delivery = Delivery.objects.select_for_update(of=("self",)).get(pk=delivery.pk)
        if delivery.link_used_at is not None:
            outcome = _outcome(InboundCode.ALREADY, "此链接已使用，无需重复操作。")
        else:
            outcome = _answer_for(
                notification,
                delivery=delivery,
                channel="link",
                phone=delivery.address,
                text="",
                now=now,
            )
            if outcome.code in (InboundCode.ACKNOWLEDGED, InboundCode.ALREADY):
                delivery.link_used_at = now
                delivery.save(update_fields=["link_used_at"])
        _record(
            outcome=outcome,
            channel="link",
            phone=delivery.address,
            received_at=now,
            delivery=delivery,
            notification=notification,
        )
    return outcome


def record_receipt(
    *,
    key: str = "",
    gateway_id: str = "",
    status: str,
    error: str = "",
    at: datetime.datetime | None = None,
) -> bool:
    """A delivery receipt from a gateway ("delivered" or "failed"). False if it names no
    delivery of ours. An acknowledged delivery stays acknowledged."""
    at = at or timezone.now()
    with transaction.atomic():
        delivery = _delivery_by(key, gateway_id)
        if delivery is None:
            return False
        if delivery.status in (DeliveryStatus.ACKNOWLEDGED, DeliveryStatus.CANCELLED):
            return True
        if status == DeliveryStatus.DELIVERED:
            if delivery.status != DeliveryStatus.DELIVERED:
                delivery.status = DeliveryStatus.DELIVERED
                delivery.delivered_at = at
                delivery.save(update_fields=["status", "delivered_at"])
        elif status == DeliveryStatus.FAILED:
            if delivery.status != DeliveryStatus.FAILED:
                delivery.status = DeliveryStatus.FAILED
                delivery.last_error = masked_error(error or "failed")
                delivery.save(update_fields=["status", "last_error"])
                record_failure(delivery, delivery.notification)
        else:
            return False
    return True
