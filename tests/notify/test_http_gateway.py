"""The generic signed HTTP gateway, against a real gateway process on loopback
(tests/notify/gateway_server.py): each message reaches a phone once, whatever fails
on the way; receipts, replies and key presses come back through the signed callback."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from forces.models import Force
from notify import services
from notify.backends.base import OutboundMessage, TemporaryFailure
from notify.backends.http import HttpGatewayBackend
from notify.choices import Audience, Channel, DeliveryStatus, Purpose
from notify.models import Delivery, GatewayStatus
from notify.types import NotifyRequest, Recipient
from tests.notify.conftest import order_notification
from tests.notify.gateway_server import GatewayServer

SECRET = "loopback-gateway-secret-7f3a"
HTTP_BACKEND = "notify.backends.http.HttpGatewayBackend"


@pytest.fixture
def gateway():
    server = GatewayServer(SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def via_gateway(gateway, settings):
    """SMS and voice go to the loopback gateway."""
    settings.NOTIFY_GATEWAY_URL = gateway.url
    settings.NOTIFY_GATEWAY_SECRET = SECRET
    settings.NOTIFY_GATEWAY_SECRET_FILE = ""
    settings.NOTIFY_GATEWAY_TIMEOUT = 2
    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        Channel.SMS: HTTP_BACKEND,
        Channel.VOICE: HTTP_BACKEND,
    }
    return gateway


def message(n: int, to: str = "13812345678") -> OutboundMessage:
    return OutboundMessage(key=f"key-{n:04d}", channel="sms", to=to, body=f"【联调联战】第{n}条")


# --- the backend and the protocol -------------------------------------------------------


def test_each_post_is_signed_and_carries_key_channel_phone_body_and_callback(via_gateway):
    [result] = HttpGatewayBackend().send_messages([message(1)])
    assert result.accepted and result.gateway_id == "gw-1"
    assert via_gateway.unsigned == 0
    [sent] = via_gateway.sent
    assert sent == {
        "key": "key-0001",
        "channel": "sms",
        "to": "13812345678",
        "body": "【联调联战】第1条",
        "callback": "http://127.0.0.1:8000/api/v1/notify/callback/",
    }


def test_a_gateway_with_another_secret_refuses_and_the_batch_waits(via_gateway):
    backend = HttpGatewayBackend(secret="not-the-gateways-secret")
    with pytest.raises(TemporaryFailure, match="401"):
        backend.send_messages([message(1)])
    assert via_gateway.unsigned == 1 and via_gateway.sent == []


def test_batches_of_max_batch_go_over_one_kept_alive_connection(via_gateway):
    results = HttpGatewayBackend(max_batch=100).send_messages([message(n) for n in range(250)])
    assert all(r.accepted for r in results) and len(results) == 250
    assert via_gateway.batch_sizes == [100, 100, 50]
    HttpGatewayBackend(max_batch=100).send_messages([message(n) for n in range(250, 260)])
    # Two backend instances, four POSTs, one TCP connection: the session is pooled.
    assert len(via_gateway.peers) == 1


def test_the_gateway_accepts_a_key_once_and_answers_the_same_id_again(via_gateway):
    backend = HttpGatewayBackend()
    first = backend.send_messages([message(1), message(2)])
    again = backend.send_messages([message(2), message(3)])
    assert first[1].gateway_id == again[0].gateway_id
    assert via_gateway.sent_keys() == ["key-0001", "key-0002", "key-0003"]


def test_a_5xx_is_a_temporary_failure_of_the_batch(via_gateway):
    via_gateway.fail_first = 1
    with pytest.raises(TemporaryFailure, match="503"):
        HttpGatewayBackend().send_messages([message(1)])
    assert HttpGatewayBackend().send_messages([message(1)])[0].accepted


def test_a_slow_gateway_times_out_as_a_temporary_failure(via_gateway):
    via_gateway.delay = 1.5
    started = time.monotonic()
    with pytest.raises(TemporaryFailure, match="timed out"):
        HttpGatewayBackend(timeout=0.3).send_messages([message(1)])
    assert time.monotonic() - started < 1.4


def test_a_refused_connection_is_a_temporary_failure(via_gateway):
    via_gateway.stop()
    with pytest.raises(TemporaryFailure, match="unreachable"):
        HttpGatewayBackend().send_messages([message(1)])


def test_a_rejected_number_fails_that_message_for_good_and_only_that_one(via_gateway):
    via_gateway.reject = {"10000"}
    bad, good = HttpGatewayBackend().send_messages([message(1, to="10000"), message(2)])
    assert not bad.accepted and bad.permanent and bad.error == "空号"
    assert good.accepted and not good.permanent


def test_a_message_missing_from_the_answer_waits_and_a_garbled_answer_holds_the_batch(
    via_gateway, monkeypatch
):
    accept = via_gateway.accept

    def forgets_the_last(body, headers, peer=()):
        status, answer = accept(body, headers, peer)
        return status, {"results": answer["results"][:-1]}

    monkeypatch.setattr(via_gateway, "accept", forgets_the_last)
    first, missing = HttpGatewayBackend().send_messages([message(1), message(2)])
    assert first.accepted
    assert not missing.accepted and not missing.permanent

    monkeypatch.setattr(via_gateway, "accept", lambda *args: (200, {"ok": True}))
    with pytest.raises(TemporaryFailure, match="not a result list"):
        HttpGatewayBackend().send_messages([message(3)])


def test_a_failure_after_some_batches_went_through_holds_only_the_rest(via_gateway):
    backend = HttpGatewayBackend(max_batch=2)
    post = backend._post

    def post_then_gateway_goes_down(chunk):
        results = post(chunk)
        via_gateway.fail_first = via_gateway.failed + 1  # the next POST gets a 503
        return results

    backend._post = post_then_gateway_goes_down
    results = backend.send_messages([message(n) for n in range(4)])
    assert [r.accepted for r in results] == [True, True, False, False]
    assert not any(r.permanent for r in results)
    assert via_gateway.sent_keys() == ["key-0000", "key-0001"]


# --- through the outbox -----------------------------------------------------------------


def forces(world, count: int) -> list[Force]:
    Force.objects.bulk_create(
        [
            Force(
                name=f"网关测试队{n:03d}",
                category="government",
                organisation=world.water_a,
                jurisdiction=world.county_a,
                duty_phone=f"1390000{n:04d}",
                headcount=10,
            )
            for n in range(count)
        ]
    )
    return list(Force.objects.filter(name__startswith="网关测试队").order_by("name"))


def roll_call_requests(world, targets: list[Force]) -> list[NotifyRequest]:
    return [
        NotifyRequest(
            purpose=Purpose.ROLL_CALL,
            subject=force,
            jurisdiction=world.county_a,
            organisation=force.organisation,
            audiences={
                Audience.FORCE_DUTY_PHONE: [
                    Recipient(label="24小时值班电话", phone=force.duty_phone)
                ]
            },
            title=f"点名：{force.name}",
            body="点名：请在10:30前应答",
        )
        for force in targets
    ]


def sms_keys() -> list[str]:
    return sorted(Delivery.objects.filter(channel=Channel.SMS).values_list("key", flat=True))


@pytest.mark.django_db
def test_each_message_reaches_the_gateway_once_when_it_fails_the_first_attempts(
    nw, via_gateway, django_capture_on_commit_callbacks
):
    via_gateway.fail_first = 2
    with django_capture_on_commit_callbacks(execute=True):
        order_notification(nw.world)
    sms = Delivery.objects.filter(channel=Channel.SMS)
    assert set(sms.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}
    assert GatewayStatus.objects.get(channel=Channel.SMS).consecutive_failures == 1

    now = timezone.now()
    assert services.send_pending(now=now) == 0  # not due yet: backoff
    assert services.send_pending(now=now + timedelta(seconds=31)) == 0  # 503 again
    assert services.send_pending(now=now + timedelta(minutes=5)) == 2
    assert services.send_pending(now=now + timedelta(hours=2)) == 0  # nothing twice

    assert sorted(via_gateway.sent_keys()) == sms_keys()
    assert via_gateway.failed == 2
    assert set(sms.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert set(sms.values_list("attempts", flat=True)) == {3}
    assert set(sms.values_list("backend", flat=True)) == {HTTP_BACKEND}
    status = GatewayStatus.objects.get(channel=Channel.SMS, backend=HTTP_BACKEND)
    assert status.consecutive_failures == 0 and status.last_ok_at is not None
    ids = dict(sms.values_list("key", "gateway_id"))
    assert ids == via_gateway.ids


class WorkerKilled(BaseException):
    """What a worker's death looks like from inside: not an Exception a backend's caller
    may handle, so the sending transaction is rolled back, as on SIGKILL."""


class DiesMidBatch(HttpGatewayBackend):
    """Hands over its batches like the real backend, and dies right after the gateway
    accepted the second one — before the outbox could commit anything."""

    posts = 0

    def send_messages(self, messages):
        results = super().send_messages(messages)
        type(self).posts += 1
        if type(self).posts == 2:
            raise WorkerKilled
        return results


@pytest.mark.django_db
def test_a_worker_killed_mid_batch_leaves_every_key_accepted_exactly_once_after_the_sweep(
    world, default_rules, via_gateway, settings
):
    services.notify_many(roll_call_requests(world, forces(world, 12)))
    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        Channel.SMS: "tests.notify.test_http_gateway.DiesMidBatch",
    }
    settings.NOTIFY_GATEWAY_BATCH = 5
    DiesMidBatch.posts = 0
    with pytest.raises(WorkerKilled):
        services.send_pending()
    # The gateway took ten messages; our transaction died: none is recorded as sent.
    assert len(via_gateway.sent) == 10
    assert not Delivery.objects.exclude(status=DeliveryStatus.QUEUED).exists()

    settings.NOTIFY_BACKENDS = {**settings.NOTIFY_BACKENDS, Channel.SMS: HTTP_BACKEND}
    assert services.send_pending() == 12  # the sweep
    assert services.send_pending(now=timezone.now() + timedelta(hours=2)) == 0

    keys = sms_keys()
    assert len(keys) == 12
    assert sorted(via_gateway.sent_keys()) == keys  # each reached a phone once
    assert sum(via_gateway.handed[k] for k in keys) == 22  # ten were handed over twice
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert dict(Delivery.objects.values_list("key", "gateway_id")) == via_gateway.ids


def database_url() -> str:
    """The test database, as a URL for another process."""
    from django.db import connection

    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_while_the_gateway_answers_loses_and_doubles_nothing(
    world, default_rules, via_gateway, settings, monkeypatch
):
    """The real thing on PostgreSQL: send_pending in its own process, SIGKILLed after
    the gateway took its first batch and before the answer reached it."""
    import os
    import signal
    import subprocess
    import sys

    from notify.services import outbox

    with monkeypatch.context() as held:  # written now, sent by the worker below
        held.setattr(outbox, "send_after_commit", lambda ids: None)
        services.notify_many(roll_call_requests(world, forces(world, 12)))
    via_gateway.hold = True
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "NOTIFY_SMS_BACKEND": HTTP_BACKEND,
        "NOTIFY_GATEWAY_URL": via_gateway.url,
        "NOTIFY_GATEWAY_SECRET": SECRET,
        "NOTIFY_GATEWAY_SECRET_FILE": "",
        "NOTIFY_GATEWAY_BATCH": "5",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from notify import services; services.send_pending()",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not via_gateway.sent and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker ended before the gateway saw it"
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
        via_gateway.hold = False
        via_gateway.release.set()
    assert len(via_gateway.sent) == 5  # the first batch reached phones

    # PostgreSQL rolls the dead worker's transaction back when its connection drops.
    deadline = time.monotonic() + 10
    while services.send_pending() == 0 and time.monotonic() < deadline:
        time.sleep(0.1)  # the dead backend may still hold its row locks for a moment
    services.send_pending()

    keys = sms_keys()
    assert len(keys) == 12
    assert sorted(via_gateway.sent_keys()) == keys
    assert sum(via_gateway.handed[k] for k in keys) == 17  # five handed over twice
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert dict(Delivery.objects.values_list("key", "gateway_id")) == via_gateway.ids


# --- back in through the signed callback ------------------------------------------------

CALLBACK = "/api/v1/notify/callback/"


# live_server commits for real; the flush after such a test takes the default rules (a
# data migration) with it, which the ``default_rules`` fixture (via ``nw``) puts back.
live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_gateway(via_gateway, live_server, settings):
    """The gateway posts its callbacks over HTTP to the platform under test."""
    settings.NOTIFY_GATEWAY_CALLBACK_URL = live_server.url + CALLBACK
    return via_gateway


@live
def test_receipts_and_a_reply_reach_the_platform_through_the_signed_callback(nw, live_gateway):
    notification = order_notification(nw.world)  # commits: sent to the gateway at once
    sms = {d.address: d for d in notification.deliveries.filter(channel=Channel.SMS)}
    assert {m["to"] for m in live_gateway.sent} == set(sms)
    callback = live_gateway.sent[0]["callback"]
    assert callback.endswith(CALLBACK)

    for message in list(live_gateway.sent):
        status, answer = live_gateway.post(callback, live_gateway.receipt(message["key"]))
        assert (status, answer["code"]) == (200, "recorded")
    assert {d.status for d in notification.deliveries.filter(channel=Channel.SMS)} == {
        DeliveryStatus.DELIVERED
    }

    leader = "13812345678"
    status, answer = live_gateway.post(
        callback, live_gateway.reply(leader, f"{notification.reply_code} 收到")
    )
    assert status == 200 and answer["ok"] and answer["code"] == "acknowledged"
    [(subject_id, responder, _text)] = nw.handler.calls
    assert subject_id == nw.world.force_a.pk
    assert responder.channel == "sms" and "138****5678" in responder.label
    notification.refresh_from_db()
    assert notification.acknowledged_at is not None
    # The answer goes back to the phone through the same gateway, once.
    answers = [m for m in live_gateway.sent if m["to"] == leader and m["key"] != sms[leader].key]
    assert len(answers) == 1 and answer["answer"] in answers[0]["body"]


@live
def test_a_key_pressed_in_a_voice_call_acknowledges_through_the_callback(nw, live_gateway):
    from notify.models import RecipientRule

    RecipientRule.objects.filter(
        purpose=Purpose.ORDER, audience=Audience.FORCE_DUTY_PHONE, organisation=None
    ).update(channels=[Channel.VOICE])
    notification = order_notification(nw.world)
    [call] = [m for m in live_gateway.sent if m["channel"] == Channel.VOICE]
    assert call["body"].endswith("签收请按1。")

    status, answer = live_gateway.post(call["callback"], live_gateway.keypress(call["key"], "1"))
    assert status == 200 and answer["code"] == "acknowledged"
    [(_id, responder, _text)] = nw.handler.calls
    assert responder.channel == "voice"
    notification.refresh_from_db()
    assert notification.acknowledged_at is not None


@live
def test_a_replayed_callback_is_refused_over_http_and_changes_nothing(nw, live_gateway):
    notification = order_notification(nw.world)
    reply = live_gateway.reply("13812345678", notification.reply_code)
    callback = live_gateway.sent[0]["callback"]
    assert live_gateway.post(callback, reply)[0] == 200
    status, answer = live_gateway.post(callback, reply)
    assert (status, answer["code"]) == (409, "replayed")
    assert len(nw.handler.calls) == 1
