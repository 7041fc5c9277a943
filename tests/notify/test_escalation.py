"""Escalation levels happen on time (frozen clock) and stop at the first acknowledgement."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.models import Event
from notify import services
from notify.choices import Channel, DeliveryStatus, Purpose
from notify.models import Delivery, EscalationStep
from notify.types import Responder
from tests.notify.conftest import order_notification

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0)


def at(minutes: float):
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def steps_sent(notification) -> dict[int, set[tuple[str, str]]]:
    found: dict[int, set[tuple[str, str]]] = {}
    for d in notification.deliveries.filter(inbound__isnull=True):
        found.setdefault(d.step, set()).add((d.audience, d.channel))
    return found


def test_without_acknowledgement_each_level_comes_on_time(nw):
    with at(0):
        notification = order_notification(nw.world)
        services.tick()
    with at(2.9):
        assert services.tick()["escalated"] == 0
    assert set(steps_sent(notification)) == {0}

    with at(3):
        assert services.tick()["escalated"] == 1
    assert steps_sent(notification)[3] == {("force_duty_phone", "sms"), ("force_leader", "sms")}
    with at(3.5):
        assert services.tick()["escalated"] == 0  # idempotent
    with at(6):
        services.tick()
    assert steps_sent(notification)[6] == {
        ("force_duty_phone", "voice"),
        ("force_leader", "voice"),
    }
    with at(10):
        services.tick()
    assert steps_sent(notification)[10] == {
        ("org_leader", "sms"),
        ("duty_officers", "in_app"),
        ("duty_officers", "sms"),
    }
    with at(30):
        assert services.tick()["escalated"] == 0

    events = Event.objects.filter(type="notify.escalated").order_by("seq")
    assert [e.payload["step"] for e in events] == [3, 6, 10]
    assert {e.subject_id for e in events} == {str(nw.world.force_a.pk)}
    assert events[0].payload["channels"] == ["sms"]
    assert events[2].organisation_id == nw.world.force_a.organisation_id
    # Re-sends carry new keys, so the gateway sends them again.
    keys = list(Delivery.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    # Every level was handed to the simulator by the ticks.
    assert not Delivery.objects.filter(status=DeliveryStatus.QUEUED).exists()


def test_an_acknowledgement_stops_the_chase_at_once(nw):
    with at(0):
        notification = order_notification(nw.world)
    with at(3):
        services.escalate()
    with at(4):
        services.acknowledged(
            purpose=Purpose.ORDER,
            subject=nw.world.force_a,
            responder=Responder(channel="web", label="force_a"),
        )
    with at(20):
        result = services.tick()
    assert result["escalated"] == 0
    assert set(steps_sent(notification)) == {0, 3}
    # What the first level had not yet sent is not sent any more.
    assert set(
        notification.deliveries.filter(channel=Channel.SMS).values_list("status", flat=True)
    ) == {DeliveryStatus.CANCELLED}
    assert Event.objects.filter(type="notify.escalated").count() == 1


def test_a_late_tick_does_every_due_level_once(nw):
    with at(0):
        notification = order_notification(nw.world)
    with at(11):
        assert services.escalate() == 3
        assert services.escalate() == 0
    assert set(steps_sent(notification)) == {0, 3, 6, 10}
    notification.refresh_from_db()
    assert notification.escalated_through == 10


def test_an_organisations_policy_replaces_the_default_one(nw):
    EscalationStep.objects.create(
        purpose=Purpose.ORDER,
        after_minutes=1,
        audience="force_duty_phone",
        channel=Channel.VOICE,
        organisation=nw.world.force_a.organisation,
    )
    with at(0):
        notification = order_notification(nw.world)
    with at(15):
        assert services.escalate() == 1
    assert steps_sent(notification)[1] == {("force_duty_phone", "voice")}
    assert set(steps_sent(notification)) == {0, 1}


def test_a_closed_or_expired_notification_is_not_chased(nw):
    with at(0):
        notification = order_notification(nw.world, expires_at=START + timedelta(minutes=5))
    with at(7):
        result = services.tick()
    assert result["expired"] == 1
    notification.refresh_from_db()
    assert notification.closed_at is not None
    assert set(steps_sent(notification)) == {0}
    with at(8):
        services.close(purpose=Purpose.ORDER, subject=nw.world.force_a)  # nothing open: no-op
