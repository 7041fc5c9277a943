"""Durable outbound push: a real HTTP receiver on loopback that is down, then fails, then
recovers, ends with every change once, in order, every request signed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.exceptions import ValidationFailed
from core.models import Event
from core.roles import Role
from sync import pusher, services
from sync.events import SyncEvent
from sync.models import Subscriber
from sync.selectors import changes_after
from tests import factories as f
from tests.sync.receiver import Receiver, free_port


@pytest.fixture
def small_batches(settings):
    settings.SYNC_PUSH_BATCH = 3
    settings.SYNC_PUSH_TIMEOUT = 2.0


def _subscriber(w, url, *, client=None, jurisdiction=None, cursor=0):
    issued = services.create_subscriber(
        actor=w.admin_city,
        data={
            "name": "省平台",
            "url": url,
            "jurisdiction": (jurisdiction or w.city).code,
            "client": (client or w.sync_client).pk,
            "cursor": cursor,
        },
    )
    return issued.subscriber, issued.secret


def _expected(subscriber) -> list[int]:
    page = changes_after(
        subscriber.client, after=0, limit=1000, jurisdiction=subscriber.jurisdiction.code
    )
    assert not page.more
    return [c["seq"] for c in page.changes]


def _events(subscriber, type_) -> int:
    return Event.objects.filter(
        type=type_, subject_type="sync.subscriber", subject_id=str(subscriber.pk)
    ).count()


def test_a_receiver_down_then_failing_then_back_gets_every_change_once_in_order(
    world, small_batches
):
    w = world
    port = free_port()
    subscriber, secret = _subscriber(w, f"http://127.0.0.1:{port}/push")
    now = timezone.now()

    # Down: the port is closed. One "failing" event, however many attempts.
    assert pusher.push_due(now=now) == 0
    subscriber.refresh_from_db()
    assert subscriber.attempts == 1 and subscriber.cursor == 0
    assert subscriber.pending_until is not None
    assert "ConnectionError" in subscriber.last_error
    assert subscriber.next_attempt_at == now + timedelta(seconds=30)
    assert pusher.push_due(now=now + timedelta(seconds=10)) == 0  # backing off: not due
    assert pusher.push_due(now=now + timedelta(seconds=31)) == 0
    subscriber.refresh_from_db()
    assert subscriber.attempts == 2
    assert subscriber.next_attempt_at == now + timedelta(seconds=31 + 60)

    f.force(w.editor_b, w.water_b, name="阳谷县第二抢险队")  # changes keep coming meanwhile

    with Receiver(secret, port=port, fail=2) as receiver:
        later = now + timedelta(minutes=5)
        assert pusher.push_due(now=later) == 0  # 500
        subscriber.refresh_from_db()
        assert subscriber.attempts == 3 and subscriber.last_error == "HTTP 500"
        assert _events(subscriber, SyncEvent.SUBSCRIBER_FAILING) == 1
        assert pusher.push_due(now=later + timedelta(hours=1)) == 0  # 500 again

        f.force(w.editor_a, w.water_a, name="临清市第二抢险队")
        pushed = pusher.push_due(now=later + timedelta(hours=2))
        assert pushed > 3  # several batches in one tick
        subscriber.refresh_from_db()
        assert subscriber.attempts == 0 and subscriber.last_error == ""
        assert _events(subscriber, SyncEvent.SUBSCRIBER_RECOVERED) == 1
        # The "recovered" event is recorded with the first acknowledged batch and goes
        # out in the same tick; the next tick has nothing left to send.
        assert pusher.push_due(now=later + timedelta(hours=3)) == 0

        expected = _expected(subscriber)
        assert receiver.applied == expected
        assert len(set(receiver.applied)) == len(receiver.applied)
        assert SyncEvent.SUBSCRIBER_RECOVERED in receiver.types
        assert receiver.bad_signatures == 0
        assert max(receiver.keys.values()) == 1
        subscriber.refresh_from_db()
        assert subscriber.cursor == receiver.cursor >= expected[-1]
        assert subscriber.last_success_at == later + timedelta(hours=2)
        assert _events(subscriber, SyncEvent.SUBSCRIBER_FAILING) == 1


def test_a_crash_after_the_post_resends_the_same_batch_under_the_same_key(
    world, small_batches, monkeypatch
):
    w = world
    port = free_port()
    subscriber, secret = _subscriber(w, f"http://127.0.0.1:{port}/push")
    now = timezone.now()
    with Receiver(secret, port=port) as receiver:
        acknowledge = pusher._acknowledge

        def crash(*args, **kwargs):
            raise RuntimeError("worker killed after the POST")

        monkeypatch.setattr(pusher, "_acknowledge", crash)
        with pytest.raises(RuntimeError):
            pusher.push_due(now=now)
        first_key = next(iter(receiver.keys))
        subscriber.refresh_from_db()
        assert subscriber.cursor == 0 and subscriber.pending_until is not None
        assert first_key == f"{subscriber.pk}:0:{subscriber.pending_until}"
        applied = list(receiver.applied)

        monkeypatch.setattr(pusher, "_acknowledge", acknowledge)
        # The claim's lease keeps the next tick away until it ends.
        assert pusher.push_due(now=now + timedelta(seconds=10)) == 0
        assert receiver.keys[first_key] == 1
        pusher.push_due(now=now + pusher.LEASE + timedelta(seconds=1))
        assert receiver.keys[first_key] == 2  # the same batch, the same key
        assert receiver.applied[: len(applied)] == applied  # applied once
        assert receiver.applied == _expected(subscriber)


def test_changes_outside_the_clients_jurisdiction_are_not_sent(world, small_batches):
    w = world
    county_client = f.user("sync_a", w.bureau_a, Role.SYNC_CLIENT)
    port = free_port()
    subscriber, secret = _subscriber(
        w, f"http://127.0.0.1:{port}/push", client=county_client, jurisdiction=w.county_a
    )
    f.force(w.editor_b, w.water_b, name="阳谷县第三抢险队")
    f.force(w.editor_a, w.water_a, name="临清市第三抢险队")
    with Receiver(secret, port=port) as receiver:
        pusher.push_due(now=timezone.now())
    sent = Event.objects.filter(seq__in=receiver.applied)
    assert sent.exists()
    assert {e.jurisdiction.code for e in sent} <= {"371581", "371581101"}
    assert not sent.filter(subject_label="阳谷县第三抢险队").exists()
    assert sent.filter(subject_label="临清市第三抢险队").exists()
    subscriber.refresh_from_db()
    # The cursor moved past what the client may not see.
    assert subscriber.cursor == Event.objects.order_by("-seq").first().seq


def test_a_paused_subscriber_receives_nothing_until_resumed(world, small_batches):
    w = world
    port = free_port()
    subscriber, secret = _subscriber(w, f"http://127.0.0.1:{port}/push")
    services.pause_subscriber(actor=w.admin_city, subscriber_id=subscriber.pk)
    with Receiver(secret, port=port) as receiver:
        assert pusher.push_due(now=timezone.now()) == 0
        assert receiver.requests == 0
        services.resume_subscriber(actor=w.admin_city, subscriber_id=subscriber.pk)
        assert pusher.push_due(now=timezone.now()) > 0
        assert receiver.applied == _expected(subscriber)


def test_a_new_subscriber_starts_at_the_latest_change_by_default(world):
    w = world
    issued = services.create_subscriber(
        actor=w.admin_city,
        data={
            "name": "邻市",
            "url": "https://example.org/push",
            "jurisdiction": w.city.code,
            "client": w.sync_client.pk,
        },
    )
    latest = Event.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert issued.subscriber.cursor == latest - 1  # everything before its own creation
    assert len(issued.secret) >= 32
    assert Subscriber.objects.get().secret == issued.secret


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour():
    assert [pusher.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [
        30,
        60,
        120,
        3600,
        3600,
    ]


def test_the_beat_schedule_and_run_ticks_push_every_ten_seconds(world, small_batches):
    from config.celery import app
    from sync.tasks import push_subscribers

    entry = next(
        e for e in app.conf.beat_schedule.values() if e["task"] == "sync.tasks.push_subscribers"
    )
    assert entry["schedule"] <= 10
    port = free_port()
    subscriber, secret = _subscriber(world, f"http://127.0.0.1:{port}/push")
    with Receiver(secret, port=port) as receiver:
        result = push_subscribers.apply()
    assert result.successful() and result.result == len(receiver.applied) > 0
    subscriber.refresh_from_db()
    assert subscriber.cursor == receiver.cursor


def test_a_subscriber_pushes_only_for_a_client_of_its_own_jurisdiction(world):
    county_client = f.user("sync_a", world.bureau_a, Role.SYNC_CLIENT)
    with pytest.raises(ValidationFailed) as refused:
        _subscriber(world, "http://127.0.0.1:9/push", client=county_client)
    assert "client" in refused.value.errors
    assert not Subscriber.objects.exists()


def test_a_subscriber_refuses_subject_kinds_the_feed_does_not_know(world):
    with pytest.raises(ValidationFailed) as refused:
        services.create_subscriber(
            actor=world.admin_city,
            data={
                "name": "省平台",
                "url": "http://127.0.0.1:9/push",
                "jurisdiction": world.city.code,
                "client": world.sync_client.pk,
                "kinds": ["incident", "bogus"],
            },
        )
    assert "bogus" in refused.value.errors["kinds"][0]
    assert not Subscriber.objects.exists()
