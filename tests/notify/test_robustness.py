"""A broken gateway never breaks the caller: in embedded mode the send after commit runs
inline, and whatever it cannot send stays queued for the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notify import services
from notify.backends.base import BaseBackend
from notify.choices import Channel, DeliveryStatus
from notify.messages import render, scrub
from notify.models import Delivery, Notification, SimulatedMessage
from tests.notify.conftest import order_notification

pytestmark = pytest.mark.django_db(transaction=True)


class Exploding(BaseBackend):
    def send_messages(self, messages):
        raise RuntimeError("the SDK crashed")


def test_a_backend_that_raises_after_commit_does_not_break_the_caller(
    world, settings, default_rules, handler
):
    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        "sms": "tests.notify.test_robustness.Exploding",
    }
    with transaction.atomic():  # the caller's request
        order_notification(world)
    # Committed, the inline send ran and failed: the caller saw nothing of it.
    sms = Delivery.objects.filter(channel=Channel.SMS)
    assert {(d.status, d.attempts) for d in sms} == {(DeliveryStatus.QUEUED, 1)}
    assert "RuntimeError" in sms[0].last_error
    assert Delivery.objects.get(channel=Channel.IN_APP).status == DeliveryStatus.SENT

    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        "sms": "notify.backends.simulator.SimulatorBackend",
    }
    result = services.tick(now=timezone.now() + timedelta(minutes=1))
    assert result["sent"] == 2
    assert SimulatedMessage.objects.count() == 2


def test_an_id_number_never_leaves_in_a_message(world):
    text = "出动指令：联系人身份证号370102199003071234，地点某处"
    assert "370102199003071234" not in scrub(text)
    assert "LQ20260101-01" in scrub("出动指令LQ20260101-01")
    notification = Notification(
        purpose="plan_submitted", title=text, body=text, reply_code="1234", link=""
    )
    for channel in Channel.values:
        assert "370102199003071234" not in render(
            channel=channel, key="k", notification=notification
        )
