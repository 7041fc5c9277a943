"""SMS replies and voice key presses acknowledge through the same handler as the page;
anything that matches nothing gets a clear answer and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notify import services
from notify.choices import Channel, DeliveryStatus, InboundCode, Purpose
from notify.models import Delivery, InboundMessage, Notification, SimulatedMessage
from notify.types import Recipient, Responder
from tests.notify.conftest import order_notification

pytestmark = pytest.mark.django_db

LEADER = "13812345678"


def sent(notification):
    services.send_pending()
    notification.refresh_from_db()
    return notification


def answers_to(phone):
    return list(
        SimulatedMessage.objects.filter(to=phone, delivery__inbound__isnull=False)
        .order_by("pk")
        .values_list("body", flat=True)
    )


def test_a_reply_with_the_code_acknowledges_through_the_handler_and_is_answered(
    nw, django_capture_on_commit_callbacks
):
    notification = sent(order_notification(nw.world))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.receive_reply(phone=LEADER, body=f"{notification.reply_code} 收到")
    assert outcome.ok and outcome.code == InboundCode.ACKNOWLEDGED
    assert outcome.answer == f"已签收：{nw.world.force_a.name}"
    [(subject_id, responder, text)] = nw.handler.calls
    assert subject_id == nw.world.force_a.pk
    assert responder.channel == "sms"
    assert responder.label == "短信回复，138****5678"
    assert text == f"{notification.reply_code} 收到"
    notification.refresh_from_db()
    assert notification.acknowledged_label == "短信回复，138****5678"
    answered = Delivery.objects.get(pk=responder.delivery_id)
    assert answered.address == LEADER and answered.status == DeliveryStatus.ACKNOWLEDGED
    assert answers_to(LEADER) == [f"【联调联战】已签收：{nw.world.force_a.name}"]
    inbound = InboundMessage.objects.get()
    assert inbound.outcome == InboundCode.ACKNOWLEDGED and inbound.notification == notification


def test_a_plain_1_acknowledges_the_one_waiting_notification(nw):
    notification = sent(order_notification(nw.world))
    outcome = services.receive_reply(phone=f"+86 {LEADER}", body="１")
    assert outcome.code == InboundCode.ACKNOWLEDGED
    notification.refresh_from_db()
    assert notification.acknowledged_at is not None


def test_a_plain_1_with_two_waiting_notifications_is_ambiguous_and_changes_nothing(nw):
    order_notification(nw.world)
    order_notification(nw.world, force=nw.world.force_b)  # default leader phone: none
    services.notify(
        purpose=Purpose.ORDER,
        subject=nw.world.force_power_a,
        jurisdiction=nw.world.county_a,
        audiences={"force_leader": [Recipient("队长", phone=LEADER)]},
        title="第二条",
        body="第二条出动指令",
    )
    outcome = services.receive_reply(phone=LEADER, body="1")
    assert outcome.code == InboundCode.AMBIGUOUS and not outcome.ok
    assert "2条" in outcome.answer and "回复码" in outcome.answer
    assert nw.handler.calls == []
    assert not Notification.objects.filter(acknowledged_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("phone", "body", "code", "says"),
    [
        ("13999999999", "1", InboundCode.UNKNOWN_NUMBER, "未收到"),
        (LEADER, "99999", InboundCode.NO_MATCH, "回复码99999无对应通知"),
        (LEADER, "好的", InboundCode.NO_MATCH, "请按短信提示"),
    ],
)
def test_replies_that_match_nothing_are_answered_and_change_nothing(
    nw, django_capture_on_commit_callbacks, phone, body, code, says
):
    sent(order_notification(nw.world))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.receive_reply(phone=phone, body=body)
    assert outcome.code == code and not outcome.ok
    assert says in outcome.answer
    assert nw.handler.calls == []
    assert not Notification.objects.filter(acknowledged_at__isnull=False).exists()
    assert answers_to(phone) == [f"【联调联战】{outcome.answer}"]
    assert InboundMessage.objects.get().outcome == code


def test_a_wrong_code_names_the_code(nw):
    notification = sent(order_notification(nw.world))
    wrong = "1000" if notification.reply_code != "1000" else "1001"
    outcome = services.receive_reply(phone=LEADER, body=wrong)
    assert outcome.code == InboundCode.NO_MATCH
    assert wrong in outcome.answer


def test_a_second_reply_is_already_answered(nw):
    notification = sent(order_notification(nw.world))
    services.receive_reply(phone=LEADER, body=notification.reply_code)
    again = services.receive_reply(phone="0635-2345678", body=notification.reply_code)
    assert again.code == InboundCode.ALREADY
    assert again.answer == "该事项已签收，无需重复回复。"
    assert len(nw.handler.calls) == 1


def test_a_reply_after_the_deadline_is_late_and_changes_nothing(nw):
    notification = sent(
        order_notification(nw.world, expires_at=timezone.now() + timedelta(minutes=30))
    )
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        outcome = services.receive_reply(phone=LEADER, body=notification.reply_code)
    assert outcome.code == InboundCode.EXPIRED
    assert "已过期" in outcome.answer
    assert nw.handler.calls == []


def test_a_purpose_without_a_handler_needs_no_reply(nw):
    notification = services.notify(
        purpose=Purpose.PLAN_SUBMITTED,
        subject=nw.world.force_a,
        jurisdiction=nw.world.county_a,
        audiences={"approvers": [Recipient("审批人", phone="13600000000")]},
        title="预案待审批",
        body="预案待审批",
    )
    services.send_pending()
    assert "回复" not in SimulatedMessage.objects.get(to="13600000000").body
    outcome = services.receive_reply(phone="13600000000", body=notification.reply_code)
    assert outcome.code == InboundCode.REFUSED and outcome.answer == "此通知无需回复。"


def test_a_replayed_gateway_event_is_processed_once(nw):
    notification = sent(order_notification(nw.world))
    first = services.receive_reply(phone=LEADER, body=notification.reply_code, event_id="ev-1")
    second = services.receive_reply(phone=LEADER, body=notification.reply_code, event_id="ev-1")
    assert first == second
    assert InboundMessage.objects.count() == 1
    assert len(nw.handler.calls) == 1


def test_answers_to_one_phone_are_limited_so_auto_responders_cannot_loop(nw):
    for _ in range(8):
        services.receive_reply(phone="13999999999", body="自动回复：我正在开会")
    assert InboundMessage.objects.count() == 8
    assert Delivery.objects.filter(address="13999999999").count() == 5


def test_pressing_1_in_the_voice_call_acknowledges(nw):
    notification = order_notification(nw.world)
    voice = Delivery.objects.create(
        notification=notification,
        channel=Channel.VOICE,
        audience="force_leader",
        step=6,
        address=LEADER,
        key="v" * 64,
    )
    services.send_pending()
    voice.refresh_from_db()
    assert SimulatedMessage.objects.get(key=voice.key).body.endswith("签收请按1。")
    wrong = services.receive_keypress(gateway_id=voice.gateway_id, digit="2")
    assert wrong.code == InboundCode.REFUSED and nw.handler.calls == []
    outcome = services.receive_keypress(key=voice.key, digit="1", event_id="call-1")
    assert outcome.code == InboundCode.ACKNOWLEDGED
    [(_id, responder, _text)] = nw.handler.calls
    assert responder.channel == "voice" and responder.label == "语音按键，138****5678"
    assert services.receive_keypress(key="nope", digit="1").code == InboundCode.NO_MATCH


def test_a_handler_that_refuses_leaves_nothing_changed(nw):
    from core.exceptions import PermissionDeniedError
    from notify import registry

    def refuse(subject_id, responder, text):
        Delivery.objects.all().delete()  # rolled back with the handler's savepoint
        raise PermissionDeniedError("no")

    notification = sent(order_notification(nw.world))
    registry.register(Purpose.ORDER, acknowledge=refuse, verb="签收")
    outcome = services.receive_reply(phone=LEADER, body=notification.reply_code)
    assert outcome.code == InboundCode.REFUSED
    assert Delivery.objects.filter(notification=notification, inbound__isnull=True).count() == 3
    notification.refresh_from_db()
    assert notification.acknowledged_at is None


def test_receipts_mark_deliveries_delivered_or_failed(nw):
    notification = sent(order_notification(nw.world))
    sms = notification.deliveries.filter(channel=Channel.SMS).order_by("pk")
    first, second = list(sms)
    assert services.record_receipt(key=first.key, status="delivered")
    assert services.record_receipt(gateway_id=second.gateway_id, status="failed", error="空号")
    assert not services.record_receipt(key="unknown", status="delivered")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == DeliveryStatus.DELIVERED and first.delivered_at is not None
    assert second.status == DeliveryStatus.FAILED and second.last_error == "空号"
    services.acknowledged(
        purpose=Purpose.ORDER,
        subject=nw.world.force_a,
        responder=Responder(channel="sms", label="x", delivery_id=first.pk),
    )
    assert services.record_receipt(key=first.key, status="delivered")
    first.refresh_from_db()
    assert first.status == DeliveryStatus.ACKNOWLEDGED
