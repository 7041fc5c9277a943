"""One-time links: random, stored only as a hash, expiring, single use, one subject."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notify import selectors, services
from notify.choices import InboundCode
from notify.messages import token_hash
from notify.models import Delivery, SimulatedMessage
from tests.notify.conftest import order_notification

pytestmark = pytest.mark.django_db


def link_of(phone: str) -> str:
    body = SimulatedMessage.objects.get(to=phone).body
    return re.search(r"/a/([A-Za-z0-9_-]+)", body).group(1)


def test_the_link_in_the_sms_opens_its_subject_once(nw):
    notification = order_notification(nw.world)
    services.send_pending()
    token = link_of("13812345678")
    assert len(token) >= 16  # ≥ 72 random bits
    delivery = Delivery.objects.get(address="13812345678")
    assert delivery.link_token_hash == token_hash(token)
    assert token not in str(list(Delivery.objects.values()))  # never stored as such

    assert selectors.link_target(token) == notification
    outcome = services.redeem_link(token=token)
    assert outcome.code == InboundCode.ACKNOWLEDGED and outcome.ok
    [(_id, responder, _text)] = nw.handler.calls
    assert responder.channel == "link" and responder.label == "短信链接，138****5678"
    assert responder.delivery_id == delivery.pk

    assert selectors.link_target(token) is None
    again = services.redeem_link(token=token)
    assert again.code == InboundCode.ALREADY and not again.ok
    assert len(nw.handler.calls) == 1


def test_the_other_phones_link_after_an_acknowledgement_is_already_answered(nw):
    order_notification(nw.world)
    services.send_pending()
    services.redeem_link(token=link_of("13812345678"))
    outcome = services.redeem_link(token=link_of("0635-2345678"))
    assert outcome.code == InboundCode.ALREADY
    assert len(nw.handler.calls) == 1


def test_an_expired_link_changes_nothing(nw):
    order_notification(nw.world, expires_at=timezone.now() + timedelta(hours=2))
    services.send_pending()
    token = link_of("13812345678")
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        assert selectors.link_target(token) is None
        outcome = services.redeem_link(token=token)
    assert outcome.code == InboundCode.EXPIRED
    assert nw.handler.calls == []


@pytest.mark.parametrize("token", ["", "x", "A" * 16, "../../etc/passwd", "A" * 500])
def test_a_made_up_token_opens_nothing(nw, token):
    order_notification(nw.world)
    services.send_pending()
    assert selectors.link_target(token) is None
    assert services.redeem_link(token=token).code == InboundCode.REFUSED
    assert nw.handler.calls == []


class Recording:
    """An SMS gateway that keeps every text it is handed, by key."""

    bodies: dict[str, list[str]] = {}

    def __init__(self, **options):
        pass

    max_batch = 100

    def send_messages(self, batch):
        from notify.backends import SendResult

        for message in batch:
            Recording.bodies.setdefault(message.key, []).append(message.body)
        return [SendResult(key=m.key, accepted=True, gateway_id="g") for m in batch]


def test_a_resend_after_a_lost_commit_carries_the_same_link(nw, settings):
    """The gateway accepted, then our transaction was lost: the re-send has the same key
    and the same text, so the link the phone already holds still works."""
    from django.db import transaction

    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        "sms": "tests.notify.test_links.Recording",
    }
    Recording.bodies = {}
    order_notification(nw.world)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.send_pending()
        raise RuntimeError("worker killed before commit")
    assert Delivery.objects.filter(status="queued").count() == 3
    services.send_pending()
    key = Delivery.objects.get(address="13812345678").key
    first, second = Recording.bodies[key]
    assert first == second
    token = re.search(r"/a/([A-Za-z0-9_-]+)", first).group(1)
    assert services.redeem_link(token=token).code == InboundCode.ACKNOWLEDGED
