"""The gateway's way back in: delivery receipts, SMS replies and voice key presses.

``POST /api/v1/notify/callback/`` has no login: the gateway proves itself with the
protocol's HMAC signature (notify.signing) over a timestamp within 300 s. Each event
carries an ``event_id``; one already seen is answered 409 and changes nothing (a
gateway treats 409 as "already delivered"). Answers:

- 200 ``{"ok", "code", "answer"}`` — processed (``answer`` is what the phone is told);
- 400 ``{"code": "invalid", …}`` — malformed event;
- 403 ``{"code": "bad_signature", …}`` — not signed by our gateway (a security event);
- 409 ``{"code": "replayed", …}`` — this event_id was already processed.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.audit import SecurityEvent, record_security_event
from notify import signing

logger = logging.getLogger(__name__)

EVENT_TYPES = ("receipt", "reply", "keypress")
RECEIPT_STATUSES = ("delivered", "failed")
# Long enough to cover the signature window on both sides of our clock: an event older
# than that is refused by its timestamp before its id is looked at.
SEEN_SECONDS = 2 * signing.WINDOW + 60
BACKEND = "notify.backends.http.HttpGatewayBackend"


class Replayed(Exception):
    pass


def _refusal(status: int, code: str, detail: str) -> Response:
    return Response({"code": code, "detail": detail}, status=status)


def _text(event: dict, name: str, limit: int) -> str:
    value = event.get(name)
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(name)
    value.encode("utf-8")  # a lone surrogate is not text
    if len(value) > limit:
        raise ValueError(name)
    return value


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    raise ValueError("at")


def _seen_key(event_id: str) -> str:
    return f"notify:callback:{event_id}"


def _already_processed(event_id: str) -> bool:
    """A reply or key press leaves an InboundMessage with this gateway_event_id (unique);
    a receipt leaves only the cache entry (it is idempotent anyway)."""
    from notify.models import InboundMessage

    return InboundMessage.objects.filter(gateway_event_id=event_id).exists()


class CallbackEventSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=EVENT_TYPES)
    key = serializers.CharField(required=False, help_text="idempotency key of our message")
    id = serializers.CharField(required=False, help_text="the gateway's message id")
    status = serializers.ChoiceField(choices=RECEIPT_STATUSES, required=False)
    error = serializers.CharField(required=False)
    body = serializers.CharField(required=False, help_text="reply text")
    digit = serializers.CharField(required=False, help_text="key pressed in the call")
    at = serializers.CharField(required=False, help_text="unix seconds or ISO 8601")


class GatewayCallbackView(APIView):
    authentication_classes = ()
    permission_classes = ()

    @extend_schema(
        request=CallbackEventSerializer,
        responses={
            200: inline_serializer(
                "CallbackOutcome",
                {
                    "ok": serializers.BooleanField(),
                    "code": serializers.CharField(),
                    "answer": serializers.CharField(),
                },
            ),
            400: OpenApiResponse(description="malformed event"),
            403: OpenApiResponse(description="bad or stale signature"),
            409: OpenApiResponse(description="event already processed"),
        },
        summary="Delivery receipts, replies and key presses from the SMS/voice gateway",
    )
    def post(self, request, *args, **kwargs):
        raw = request.body
        try:
            secret = signing.gateway_secret()
        except OSError:
            logger.error("NOTIFY_GATEWAY_SECRET_FILE unreadable: every callback is refused")
            secret = b""
        try:
            signing.verify(
                secret,
                raw,
                request.headers.get(signing.TIMESTAMP_HEADER),
                request.headers.get(signing.SIGNATURE_HEADER),
            )
        except signing.BadSignature as exc:
            record_security_event(
                type=SecurityEvent.CALLBACK_REFUSED,
                request=request,
                payload={"reason": str(exc), "path": request.path[:200]},
            )
            return _refusal(403, "bad_signature", _("The gateway callback is not signed."))

        try:
            event = json.loads(raw)
            if not isinstance(event, dict):
                raise ValueError("not an object")
            event_id = _text(event, "event_id", 100)
            kind = _text(event, "type", 16)
            if not event_id or kind not in EVENT_TYPES:
                raise ValueError("event_id/type")
            at = _time(event.get("at"))
        except (ValueError, UnicodeError, OverflowError, OSError):
            return _refusal(400, "invalid", _("Malformed gateway event."))

        # Claim the id before acting, so two copies racing each other act once; the claim
        # is released if acting fails, so the gateway's retry is not refused.
        claimed = cache.add(_seen_key(event_id), 1, timeout=SEEN_SECONDS)
        if claimed is False or _already_processed(event_id):
            logger.warning("gateway callback %r replayed", event_id[:100])
            return _refusal(409, "replayed", _("This gateway event was already processed."))
        try:
            outcome = self._act(kind, event, event_id, at)
        except ValueError:
            cache.delete(_seen_key(event_id))
            return _refusal(400, "invalid", _("Malformed gateway event."))
        except IntegrityError:
            # The same event processed by another request meanwhile (gateway_event_id).
            return _refusal(409, "replayed", _("This gateway event was already processed."))
        except Exception:
            cache.delete(_seen_key(event_id))
            raise
        return Response(outcome)

    @staticmethod
    def _act(kind: str, event: dict, event_id: str, at: datetime | None) -> dict:
        from notify import services

        if kind == "receipt":
            status = _text(event, "status", 16)
            if status not in RECEIPT_STATUSES:
                raise ValueError("status")
            key, gateway_id = _text(event, "key", 64), _text(event, "id", 100)
            if not key and not gateway_id:
                raise ValueError("key")
            with transaction.atomic():
                matched = services.record_receipt(
                    key=key,
                    gateway_id=gateway_id,
                    status=status,
                    error=_text(event, "error", 500),
                    at=at,
                )
            return {
                "ok": bool(matched),
                "code": "recorded" if matched else "no_match",
                "answer": "",
            }
        if kind == "reply":
            phone = _text(event, "from", 32)
            if not phone:
                raise ValueError("from")
            with transaction.atomic():
                outcome = services.receive_reply(
                    phone=phone,
                    body=_text(event, "body", 500),
                    channel="sms",
                    backend=BACKEND,
                    event_id=event_id,
                    at=at,
                )
        else:
            key, gateway_id = _text(event, "key", 64), _text(event, "id", 100)
            digit = _text(event, "digit", 8)
            if not (key or gateway_id) or not digit:
                raise ValueError("key/digit")
            with transaction.atomic():
                outcome = services.receive_keypress(
                    key=key, gateway_id=gateway_id, digit=digit, event_id=event_id
                )
        return {"ok": outcome.ok, "code": outcome.code, "answer": outcome.answer}
