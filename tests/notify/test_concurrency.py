"""Several workers sending, ticking and answering at once: each message is handed over
once, each level written once, each reply counted once (row locks: PostgreSQL only)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import close_old_connections, connection

from notify import services
from notify.backends.base import BaseBackend, SendResult
from notify.choices import Channel, DeliveryStatus, Purpose
from notify.models import Delivery, InboundMessage
from notify.types import NotifyRequest
from tests import factories as f
from tests.notify.conftest import audiences_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 6


def _run_concurrently(fn, n):
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = fn(i)
        except Exception as exc:  # asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


class Slow(BaseBackend):
    """A gateway that takes its time and records every key it is handed."""

    max_batch = 10
    handed: list[str] = []
    lock = threading.Lock()

    def send_messages(self, messages):
        time.sleep(0.05)
        with Slow.lock:
            Slow.handed.extend(m.key for m in messages)
        return [SendResult(key=m.key, accepted=True, gateway_id=m.key[:8]) for m in messages]


def test_workers_sending_at_once_hand_each_message_over_once(world, settings, default_rules):
    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        "sms": "tests.notify.test_concurrency.Slow",
    }
    Slow.handed = []
    forces = [
        f.force(world.editor_a, world.water_a, leader_phone=f"1391234{n:04d}") for n in range(30)
    ]
    services.notify_many(
        [
            NotifyRequest(
                purpose=Purpose.ROLL_CALL,
                subject=force,
                jurisdiction=force.jurisdiction,
                organisation=force.organisation,
                audiences=audiences_of(world, force),
                title="点名",
                body="点名",
            )
            for force in forces
        ]
    )
    _results, errors = _run_concurrently(lambda i: services.send_pending(), WORKERS)
    assert errors == []
    sms = Delivery.objects.filter(channel=Channel.SMS)
    assert sms.count() == 30
    assert sorted(Slow.handed) == sorted(sms.values_list("key", flat=True))
    assert not Delivery.objects.filter(status=DeliveryStatus.QUEUED).exists()


def test_concurrent_ticks_write_each_level_once(world, default_rules, handler):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import Event
    from tests.notify.conftest import order_notification

    order_notification(world)
    later = timezone.now() + timedelta(minutes=11)
    _results, errors = _run_concurrently(lambda i: services.escalate(now=later), WORKERS)
    assert errors == []
    assert Event.objects.filter(type="notify.escalated").count() == 3
    steps = Delivery.objects.values_list("step", "audience", "channel")
    assert len(steps) == len(set(steps))


def test_the_same_reply_from_two_gateway_deliveries_counts_once(world, default_rules, handler):
    from tests.notify.conftest import order_notification

    recorder = handler
    notification = order_notification(world)
    results, errors = _run_concurrently(
        lambda i: services.receive_reply(
            phone="13812345678", body=notification.reply_code, event_id=f"e{i}"
        ),
        WORKERS,
    )
    assert errors == []
    assert sorted(r.code for r in results) == ["acknowledged"] + ["already"] * (WORKERS - 1)
    assert len(recorder.calls) == 1
    assert InboundMessage.objects.count() == WORKERS
