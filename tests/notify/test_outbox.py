"""The outbox: durable rows in the caller's transaction, sent once after commit."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from notify import services
from notify.backends.base import BaseBackend, SendResult, TemporaryFailure
from notify.choices import Channel, DeliveryStatus, Purpose
from notify.models import Delivery, GatewayStatus, Notification, SimulatedMessage
from notify.types import NotifyRequest
from tests.notify.conftest import audiences_of, order_notification

pytestmark = pytest.mark.django_db


def test_an_order_writes_in_app_and_sms_deliveries_per_the_default_rules(nw):
    notification = order_notification(nw.world)
    rows = {(d.channel, d.audience, d.address) for d in notification.deliveries.all()}
    assert rows == {
        (Channel.IN_APP, "force_account", ""),
        (Channel.SMS, "force_duty_phone", "0635-2345678"),
        (Channel.SMS, "force_leader", "13812345678"),
    }
    assert all(d.status == DeliveryStatus.QUEUED for d in notification.deliveries.all())
    assert len(notification.reply_code) == 4


def test_notifying_twice_writes_one_set(nw):
    first = order_notification(nw.world)
    second = order_notification(nw.world)
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 3


def test_after_commit_the_simulator_receives_each_sms_once_with_code_and_link(
    nw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = order_notification(nw.world)
    sms = list(SimulatedMessage.objects.order_by("to"))
    assert [m.to for m in sms] == ["0635-2345678", "13812345678"]
    body = sms[0].body
    assert body.startswith("【联调联战】出动指令LQ-TEST")
    assert f"回复{notification.reply_code}签收" in body
    assert "/a/" in body
    assert set(notification.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # The sweep finds nothing left to send: nothing is handed over twice.
    assert services.send_pending() == 0
    assert SimulatedMessage.objects.count() == 2


def test_a_rolled_back_change_sends_nothing(nw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            order_notification(nw.world)
            raise RuntimeError("the caller's change failed")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert services.send_pending() == 0
    assert SimulatedMessage.objects.count() == 0


class Flaky(BaseBackend):
    """Down for the first ``failures`` hand-overs; counts the keys it accepted."""

    failures = 2
    calls = 0
    accepted: list[str] = []

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise TemporaryFailure("gateway down")
        type(self).accepted.extend(m.key for m in messages)
        return [
            SendResult(key=m.key, accepted=True, gateway_id=f"gw-{m.key[:6]}") for m in messages
        ]


@pytest.fixture
def flaky(settings):
    Flaky.calls = 0
    Flaky.failures = 2
    Flaky.accepted = []
    settings.NOTIFY_BACKENDS = {**settings.NOTIFY_BACKENDS, "sms": "tests.notify.test_outbox.Flaky"}
    return Flaky


def test_a_gateway_that_fails_first_gets_each_message_later_once(nw, flaky):
    from datetime import timedelta

    from django.utils import timezone

    order_notification(nw.world)
    now = timezone.now()
    assert services.send_pending(now=now) == 1  # in-app only; the SMS batch failed
    sms = Delivery.objects.filter(channel=Channel.SMS)
    assert {(d.status, d.attempts) for d in sms} == {(DeliveryStatus.QUEUED, 1)}
    assert all(d.next_attempt_at > now for d in sms)
    status = GatewayStatus.objects.get(channel=Channel.SMS)
    assert status.consecutive_failures == 1 and status.last_error == "gateway down"

    assert services.send_pending(now=now) == 0  # not due yet
    later = now + timedelta(minutes=5)
    assert services.send_pending(now=later) == 0  # second failure
    assert services.send_pending(now=later + timedelta(minutes=5)) == 2
    assert services.send_pending(now=later + timedelta(hours=2)) == 0
    assert sorted(flaky.accepted) == sorted(sms.values_list("key", flat=True))
    assert len(flaky.accepted) == len(set(flaky.accepted)) == 2
    assert {d.status for d in sms.all()} == {DeliveryStatus.SENT}
    assert GatewayStatus.objects.get(channel=Channel.SMS).consecutive_failures == 0


def test_after_the_last_attempt_a_delivery_fails_and_the_subject_shows_it(nw, flaky, settings):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import Event

    settings.NOTIFY_MAX_ATTEMPTS = 2
    flaky.failures = 99
    order_notification(nw.world)
    now = timezone.now()
    services.send_pending(now=now)
    services.send_pending(now=now + timedelta(hours=1))
    sms = Delivery.objects.filter(channel=Channel.SMS)
    assert {(d.status, d.attempts) for d in sms} == {(DeliveryStatus.FAILED, 2)}
    events = Event.objects.filter(type="notify.failed")
    assert events.count() == 2
    assert {e.subject_id for e in events} == {str(nw.world.force_a.pk)}
    assert "13812345678" not in str([e.payload for e in events])
    assert "138****5678" in str([e.payload for e in events])


def test_acknowledging_stops_what_is_still_queued(nw):
    from notify.types import Responder

    notification = order_notification(nw.world)
    services.acknowledged(
        purpose=Purpose.ORDER,
        subject=nw.world.force_a,
        responder=Responder(channel="web", label="force_a"),
    )
    notification.refresh_from_db()
    assert notification.acknowledged_at is not None
    assert notification.acknowledged_label == "force_a"
    assert set(
        notification.deliveries.filter(channel=Channel.SMS).values_list("status", flat=True)
    ) == {DeliveryStatus.CANCELLED}
    # Idempotent.
    services.acknowledged(
        purpose=Purpose.ORDER,
        subject=nw.world.force_a,
        responder=Responder(channel="sms", label="again"),
    )
    notification.refresh_from_db()
    assert notification.acknowledged_label == "force_a"


def test_notify_many_uses_the_same_number_of_queries_for_few_and_many(world):
    from tests import factories as f

    forces = [world.force_a, world.force_power_a, world.force_b]
    forces += [
        f.force(world.editor_a, world.water_a, leader_phone=f"1381234{n:04d}") for n in range(9)
    ]

    def run(subjects, purpose):
        requests = [
            NotifyRequest(
                purpose=purpose,
                subject=force,
                jurisdiction=force.jurisdiction,
                organisation=force.organisation,
                audiences=audiences_of(world, force),
                title="点名",
                body="点名测试",
            )
            for force in subjects
        ]
        with CaptureQueriesContext(connection) as queries:
            made = services.notify_many(requests)
        assert len(made) == len(subjects)
        return len(queries)

    few = run(forces[:2], Purpose.ROLL_CALL)
    many = run(forces[2:], Purpose.ROLL_CALL)
    assert few == many
    assert Notification.objects.count() == len(forces)
    codes = list(Notification.objects.values_list("reply_code", flat=True))
    assert len(set(codes)) == len(codes)


def test_an_organisations_rule_overrides_the_default_one_and_email_goes_out(nw, mailoutbox):
    from notify.models import RecipientRule
    from notify.types import Recipient

    world = nw.world
    RecipientRule.objects.create(
        purpose=Purpose.NOTICE,
        audience="org_duty_phone",
        channels=["email"],
        organisation=world.water_a,
    )
    notification = services.notify(
        purpose=Purpose.NOTICE,
        subject=world.force_a,
        jurisdiction=world.county_a,
        organisation=world.water_a,
        audiences={
            "org_duty_phone": [
                Recipient("值班室", phone="0635-2000000", email="duty@water.example.gov.cn")
            ],
            "org_users": [Recipient(world.editor_a.username, user_id=world.editor_a.pk)],
        },
        title="报备通知：卫运河临清段漫堤",
        body="请水利局报备",
        link="/dispatch/notices/1/",
    )
    assert {(d.channel, d.audience) for d in notification.deliveries.all()} == {
        (Channel.EMAIL, "org_duty_phone"),
        (Channel.IN_APP, "org_users"),
    }
    services.send_pending()
    [mail] = mailoutbox
    assert mail.to == ["duty@water.example.gov.cn"]
    assert mail.subject == "【联调联战】报备通知：卫运河临清段漫堤"
    assert "http://127.0.0.1:8000/dispatch/notices/1/" in mail.body
    # Another department keeps the default: SMS to its duty phone.
    other = services.notify(
        purpose=Purpose.NOTICE,
        subject=world.force_b,
        jurisdiction=world.county_b,
        organisation=world.water_b,
        audiences={"org_duty_phone": [Recipient("值班室", phone="0635-3000000")]},
        title="报备通知",
        body="请水利局报备",
    )
    assert [d.channel for d in other.deliveries.all()] == [Channel.SMS]


def test_an_inactive_rule_of_an_organisation_sends_nothing_to_that_audience(nw):
    from notify.models import RecipientRule

    RecipientRule.objects.create(
        purpose=Purpose.ORDER,
        audience="force_leader",
        channels=["sms"],
        organisation=nw.world.force_a.organisation,
        is_active=False,
    )
    notification = order_notification(nw.world)
    assert "force_leader" not in {d.audience for d in notification.deliveries.all()}
