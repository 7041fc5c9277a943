"""Notifications and personal data (issue 10): phones leave the outbox masked — on the
subject's timeline, in who-answered labels, in logs — one-time links are unguessable
and stored only as hashes, and a reply reveals nothing about other people's messages."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from core.models import Event
from notify import messages, selectors, services
from notify.choices import Channel, Purpose
from notify.models import Delivery, InboundMessage, SimulatedMessage
from notify.types import Recipient
from tests.notify.conftest import default_rules, handler, nw, order_notification
from tests.notify.test_outbox import Flaky

pytestmark = pytest.mark.django_db
__all__ = ["default_rules", "handler", "nw"]  # fixtures shared with tests/notify

FULL = "13812345678"


def test_no_full_phone_number_reaches_the_timeline_labels_or_logs(nw, settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.NOTIFY_MAX_ATTEMPTS = 1
    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        "voice": "tests.notify.test_outbox.Flaky",
    }
    Flaky.calls, Flaky.failures, Flaky.accepted = 0, 99, []
    notification = order_notification(nw.world)
    services.send_pending()
    services.escalate(now=notification.created_at + timedelta(minutes=7))
    services.send_pending(now=notification.created_at + timedelta(minutes=8))
    services.receive_reply(phone=FULL, body=notification.reply_code)
    services.receive_reply(phone="13999999999", body="1")

    events = Event.objects.filter(type__startswith="notify.")
    assert events.filter(type="notify.failed").exists()
    assert events.filter(type="notify.escalated").exists()
    for event in events:
        assert FULL not in str(event.payload) and FULL not in event.subject_label
    notification.refresh_from_db()
    assert notification.acknowledged_label == "短信回复，138****5678"
    assert all(FULL not in record.getMessage() for record in caplog.records)
    assert all(FULL not in d.shown_address for d in Delivery.objects.all())
    assert all(FULL not in m.shown_phone for m in InboundMessage.objects.all())


def test_link_tokens_are_long_distinct_keyed_and_stored_only_as_hashes(nw, settings):
    order_notification(nw.world)
    services.send_pending()
    tokens = [
        re.search(r"/a/([A-Za-z0-9_-]+)", m.body).group(1)
        for m in SimulatedMessage.objects.filter(channel=Channel.SMS)
    ]
    assert len(tokens) == len(set(tokens)) == 2
    assert all(len(t) >= 16 for t in tokens)  # 96 bits
    stored = str(list(Delivery.objects.values_list("link_token_hash", "key", "gateway_id")))
    assert not any(t in stored for t in tokens)
    key = Delivery.objects.filter(channel=Channel.SMS).first().key
    before = messages.link_token(key)
    settings.SECRET_KEY = "another-secret-key-another-secret-key-another-secret-key"
    assert messages.link_token(key) != before  # not derivable from the key alone


def test_a_reply_from_a_stranger_learns_nothing_and_is_not_shown_to_the_jurisdiction(nw):
    notification = order_notification(nw.world)
    services.send_pending()
    outcome = services.receive_reply(phone="13999999999", body=notification.reply_code)
    assert outcome.code == "unknown_number"
    assert notification.reply_code not in outcome.answer
    assert nw.world.force_a.name not in outcome.answer
    # Unmatched: no jurisdiction, so superusers only.
    assert selectors.inbound_for(nw.world.admin_a).count() == 0
    assert selectors.simulator_outbox(nw.world.admin_a).filter(to="13999999999").count() == 0


def test_a_reply_code_from_another_phone_does_not_acknowledge(nw):
    """Knowing a code is not enough: the reply must come from a phone the notification
    was sent to."""
    mine = order_notification(nw.world)
    other = services.notify(
        purpose=Purpose.ORDER,
        subject=nw.world.force_power_a,
        jurisdiction=nw.world.county_a,
        audiences={"force_leader": [Recipient("队长", phone="13500001234")]},
        title="另一条",
        body="另一条出动指令",
    )
    services.send_pending()
    outcome = services.receive_reply(phone=FULL, body=other.reply_code)
    assert outcome.code == "no_match"
    assert nw.handler.calls == []
    for notification in (mine, other):
        notification.refresh_from_db()
        assert notification.acknowledged_at is None


class Quoting:
    """A gateway whose errors quote the number it could not reach."""

    max_batch = 100

    def __init__(self, **options):
        pass

    def send_messages(self, batch):
        from notify.backends import SendResult

        return [
            SendResult(key=m.key, accepted=False, error=f"invalid number {m.to}", permanent=True)
            for m in batch
        ]


def test_a_gateway_error_quoting_a_number_is_stored_masked(nw, settings):
    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        "sms": "tests.security.test_notify_outbox.Quoting",
    }
    order_notification(nw.world)
    services.send_pending()
    leader = Delivery.objects.get(address=FULL)
    assert leader.status == "failed"
    assert leader.last_error == "invalid number 138****5678"
    assert services.record_receipt(key=leader.key, status="failed", error=f"+86{FULL} 空号")
    failed = Event.objects.filter(type="notify.failed")
    assert failed.exists() and FULL not in str([e.payload for e in failed])
