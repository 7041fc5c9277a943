"""The gateway callback has no login: only the HMAC signature over a fresh timestamp
lets an event in. Forged, tampered, stale or replayed callbacks are refused, change
nothing, and a forged one is a security event."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from core.audit import SecurityEvent
from core.models import Event
from notify.choices import Channel, DeliveryStatus
from notify.models import Delivery, InboundMessage
from tests.notify import conftest as notify_fixtures
from tests.notify.conftest import order_notification
from tests.notify.gateway_server import GatewayServer, sign

# The notify tests' acknowledgement handler and personas, shared with this directory.
handler = notify_fixtures.handler
default_rules = notify_fixtures.default_rules
nw = notify_fixtures.nw

pytestmark = pytest.mark.django_db

SECRET = "callback-secret-for-tests"
CALLBACK = "/api/v1/notify/callback/"


@pytest.fixture
def gateway(settings):
    settings.NOTIFY_GATEWAY_SECRET = SECRET
    settings.NOTIFY_GATEWAY_SECRET_FILE = ""
    # Not started: only its event builders and signature are used here.
    server = GatewayServer(SECRET)
    yield server
    server.httpd.server_close()


@pytest.fixture
def sent(nw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = order_notification(nw.world)
    return notification


def post(body: bytes, headers: dict[str, str]):
    client = Client(raise_request_exception=False)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return client.post(CALLBACK, body, content_type="application/json", **extra)


def sms_of(notification) -> Delivery:
    return notification.deliveries.filter(channel=Channel.SMS).order_by("pk").first()


def refused_events():
    return Event.objects.filter(type=SecurityEvent.CALLBACK_REFUSED)


def test_a_correctly_signed_receipt_is_accepted(gateway, sent):
    delivery = sms_of(sent)
    response = post(*gateway.signed(gateway.receipt(delivery.key)))
    assert response.status_code == 200, response.content
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_receipt_signed_with_another_secret_is_refused_and_recorded(gateway, sent):
    delivery = sms_of(sent)
    response = post(*gateway.signed(gateway.receipt(delivery.key), secret=b"guessed"))
    assert response.status_code == 403
    assert response.json()["code"] == "bad_signature" and response.json()["detail"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    [event] = refused_events()
    assert event.payload["reason"] == "signature mismatch"
    assert SECRET not in json.dumps(event.payload)


def test_a_forged_reply_acknowledges_nothing(gateway, sent, nw):
    body, headers = gateway.signed(
        gateway.reply("13812345678", sent.reply_code), secret=b"attacker"
    )
    assert post(body, headers).status_code == 403
    assert nw.handler.calls == [] and not InboundMessage.objects.exists()
    sent.refresh_from_db()
    assert sent.acknowledged_at is None


def test_a_body_changed_after_signing_is_refused(gateway, sent):
    delivery = sms_of(sent)
    body, headers = gateway.signed(gateway.receipt(delivery.key, status="delivered"))
    tampered = body.replace(b'"delivered"', b'"failed"')
    assert post(tampered, headers).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_a_stale_timestamp_is_refused_even_with_a_good_signature(gateway, sent):
    event = gateway.receipt(sms_of(sent).key)
    body, headers = gateway.signed(event, now=time.time() - 301)
    assert post(body, headers).status_code == 403
    body, headers = gateway.signed(event, now=time.time() + 301)
    assert post(body, headers).status_code == 403
    assert refused_events().count() == 2


def test_missing_or_malformed_signature_headers_are_refused(gateway, sent):
    body, headers = gateway.signed(gateway.receipt(sms_of(sent).key))
    assert post(body, {}).status_code == 403
    assert post(body, {**headers, "X-Linkage-Timestamp": "yesterday"}).status_code == 403
    assert post(body, {**headers, "X-Linkage-Signature": "md5=00"}).status_code == 403


def test_without_a_configured_secret_every_callback_is_refused(gateway, sent, settings):
    settings.NOTIFY_GATEWAY_SECRET = ""
    event = gateway.receipt(sms_of(sent).key)
    body = json.dumps(event).encode()
    assert post(body, sign(b"", body)).status_code == 403


def test_a_replayed_reply_is_a_409_and_is_not_processed_again(gateway, sent, nw):
    signed = gateway.signed(gateway.reply("13812345678", sent.reply_code))
    first = post(*signed)
    assert first.status_code == 200 and first.json()["code"] == "acknowledged"
    again = post(*signed)
    assert again.status_code == 409 and again.json()["code"] == "replayed"
    assert len(nw.handler.calls) == 1
    assert InboundMessage.objects.count() == 1


def test_a_replayed_receipt_is_a_409(gateway, sent):
    signed = gateway.signed(gateway.receipt(sms_of(sent).key))
    assert post(*signed).status_code == 200
    assert post(*signed).status_code == 409


def test_a_replay_under_a_fresh_signature_is_still_refused_by_its_event_id(gateway, sent, nw):
    event = gateway.reply("13812345678", sent.reply_code)
    assert post(*gateway.signed(event)).status_code == 200
    later = gateway.signed(event, now=time.time() + 5)
    assert post(*later).status_code == 409
    assert len(nw.handler.calls) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"type": "receipt"}',
        b'{"event_id": "e1", "type": "launch"}',
        b'{"event_id": "e2", "type": "receipt", "status": "delivered"}',
        b'{"event_id": "e3", "type": "reply", "from": "\\ud800", "body": "1"}',
        b'{"event_id": "e4", "type": "receipt", "key": "k", "status": "delivered", "at": 1e300}',
    ],
)
def test_a_signed_but_malformed_event_is_a_400_not_a_500(gateway, sent, body):
    response = post(body, sign(SECRET.encode(), body))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
