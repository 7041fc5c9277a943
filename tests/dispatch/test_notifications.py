"""The dispatch chain reaches people wherever they are (issue 10): approving a plan texts
every force's duty phone and leader (Liaocheng §三.一.2: orders go directly to each
force), a reply with the code acknowledges the order like the page does, and without
an acknowledgement the chase escalates on time and stops at the first answer (Zhoushan
§三.1: every linkage unit responds at once and reports back)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db.models import Q
from django.utils import timezone

from core.models import Event
from dispatch import services, tasks
from dispatch.choices import OrderStatus, PlanStatus, SpecialPeriodKind
from dispatch.models import CallOutOrder, Notice, SpecialPeriod
from dispatch.selectors import incident_timeline
from dispatch.sentences import feed_sentence
from forces.models import Force
from hall.selectors import screen_labels
from notify import services as notify_services
from notify.choices import Audience, Channel, DeliveryStatus, InboundCode, Purpose
from notify.models import Delivery, Notification, SimulatedMessage
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _domain_handlers():
    """The registry is process-wide and other tests replace a purpose's handler with
    their own: these tests need the real ones, as AppConfig.ready() registers them."""
    from dispatch.notifications import register_handlers as dispatch_handlers
    from duty.rollcalls.notifications import register_handlers as duty_handlers

    dispatch_handlers()
    duty_handlers()


DUTY_A = "0635-2100001"  # 临清市水利抢险队 24-hour duty phone
DUTY_POWER = "0635-2100002"  # 临清供电抢修队
LEADER_A = "13812345678"  # 队长 张建国
WATER_DUTY = "0635-2300001"  # 临清市水利局 duty room (notices; the force's supervisor)
OFFICER_PHONE = "13900002222"  # the county bureau's duty officer
CODE = re.compile(r"回复(\d{4,5})签收")


@pytest.fixture
def w(incident_world):
    w = incident_world
    Force.objects.filter(pk=w.force_a.pk).update(duty_phone=DUTY_A)
    Force.objects.filter(pk=w.force_power_a.pk).update(duty_phone=DUTY_POWER)
    w.water_a.duty_phone = WATER_DUTY
    w.water_a.save(update_fields=["duty_phone"])
    w.duty_officer_a.phone = OFFICER_PHONE
    w.duty_officer_a.save(update_fields=["phone"])
    return w


def approve(w, capture, forces=None):
    plan = f.plan(w.dispatcher_a, w.incident_a, forces or [w.force_a], submit=True)
    with capture(execute=True):
        orders = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    return plan, orders


def texts(to, channel=Channel.SMS):
    return list(
        SimulatedMessage.objects.filter(to=to, channel=channel, delivery__inbound__isnull=True)
        .order_by("pk")
        .values_list("body", flat=True)
    )


def order_messages(order, **filters):
    return SimulatedMessage.objects.filter(
        delivery__notification__purpose=Purpose.ORDER,
        delivery__notification__object_id=order.pk,
        delivery__inbound__isnull=True,
        **filters,
    )


def reply_code(body):
    return CODE.search(body).group(1)


def tick():
    """The one beat tick: overdue alerts, then notify's escalation and sweep."""
    return tasks.mark_overdue_orders()


# --- sending -----------------------------------------------------------------------------


def test_approving_a_plan_texts_each_forces_duty_phone_and_leader(
    w, django_capture_on_commit_callbacks
):
    plan, orders = approve(w, django_capture_on_commit_callbacks, [w.force_a, w.force_power_a])
    by_force = {o.force_id: o for o in orders}
    [to_duty] = texts(DUTY_A)
    [to_leader] = texts(LEADER_A)
    [to_power] = texts(DUTY_POWER)  # a force without a leader's phone: its duty phone only
    number = by_force[w.force_a.pk].number
    assert to_duty.startswith(
        f"【联调联战】出动指令{number}：洪水，卫运河临清段漫堤。任务：抢险救援。"
    )
    assert re.search(r"回复\d{4}签收，或点 http\S+/a/\S+$", to_duty)
    assert by_force[w.force_power_a.pk].number in to_power
    # The leader gets the same order text, with its own link.
    assert to_leader.split("或点")[0] == to_duty.split("或点")[0]
    # The force account sees it in-app; nothing goes to anyone else's phone.
    assert Delivery.objects.filter(
        channel=Channel.IN_APP, user=w.force_account_a, notification__purpose=Purpose.ORDER
    ).exists()
    assert not texts(OFFICER_PHONE)
    # The industry department's duty room gets the notice for the record (报备).
    [notice_sms] = texts(WATER_DUTY)
    assert notice_sms.startswith(f"【联调联战】报备：临清市水利抢险队已接出动指令{number}")
    assert Delivery.objects.filter(
        channel=Channel.IN_APP, user=w.editor_a, notification__purpose=Purpose.NOTICE
    ).exists()
    # The order itself is still delivered in-app once, as before.
    assert all(o.delivered_at for o in CallOutOrder.objects.filter(plan=plan))


def test_order_messages_carry_no_personal_data(w, django_capture_on_commit_callbacks):
    approve(w, django_capture_on_commit_callbacks)
    bodies = list(SimulatedMessage.objects.values_list("body", flat=True))
    assert bodies
    for body in bodies:
        assert "张建国" not in body and LEADER_A not in body and OFFICER_PHONE not in body
        assert not re.search(r"\d{17}[\dXx]", body)  # never an ID number


def test_each_message_is_sent_once_however_often_the_sweep_runs(
    w, django_capture_on_commit_callbacks
):
    approve(w, django_capture_on_commit_callbacks)
    before = SimulatedMessage.objects.count()
    tick()
    tick()
    services.deliver_order(order_id=CallOutOrder.objects.get().pk)  # the in-app outbox
    assert SimulatedMessage.objects.count() == before


# --- acknowledging by any channel ------------------------------------------------------------


def test_a_reply_with_the_code_acknowledges_the_order(w, django_capture_on_commit_callbacks):
    _plan, [order] = approve(w, django_capture_on_commit_callbacks)
    [to_leader] = texts(LEADER_A)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = notify_services.receive_reply(
            phone=LEADER_A, body=f"{reply_code(to_leader)} 收到"
        )
    assert outcome.ok and outcome.code == InboundCode.ACKNOWLEDGED
    assert outcome.answer == f"已签收出动指令{order.number}，请按要求出动。"
    order.refresh_from_db()
    assert order.status == OrderStatus.ACKNOWLEDGED and order.acknowledged_at
    assert order.acknowledged_via == "sms"
    assert order.acknowledged_label == "短信回复，138****5678"
    assert order.last_step_by is None and not order.last_step_on_behalf
    # The timeline and the live feed say who answered and how (masked).
    event = Event.objects.get(type="order.acknowledged", subject_id=str(order.pk))
    assert event.payload["via"] == "sms"
    assert event.payload["via_label"] == "短信回复，138****5678"
    assert any("短信回复，138****5678" in e.text for e in incident_timeline(w.incident_a))
    sentence = feed_sentence(event.type, event.subject_label, event.payload, screen_labels())
    assert "短信回复，138****5678" in sentence
    # The notification is acknowledged through the same delivery that was answered.
    notification = Notification.objects.get(purpose=Purpose.ORDER, object_id=order.pk)
    assert notification.acknowledged_label == "短信回复，138****5678"
    assert (
        Delivery.objects.get(
            notification=notification, address=LEADER_A, step=0, inbound__isnull=True
        ).status
        == DeliveryStatus.ACKNOWLEDGED
    )
    # The phone gets the answer back.
    assert SimulatedMessage.objects.filter(
        to=LEADER_A, delivery__inbound__isnull=False, body__contains=order.number
    ).exists()


def test_the_order_page_shows_how_it_was_acknowledged_and_every_delivery(
    w, client, django_capture_on_commit_callbacks
):
    _plan, [order] = approve(w, django_capture_on_commit_callbacks)
    notify_services.receive_reply(phone=LEADER_A, body=reply_code(texts(LEADER_A)[0]))
    client.force_login(w.dispatcher_a)
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'id="order-acknowledged-via"' in page and "短信回复，138****5678" in page
    # The label already says the channel: it is said once.
    assert page.count("短信回复") == 1
    about_order = Q(
        notification__purpose__in=[Purpose.ORDER, Purpose.ORDER_OVERDUE],
        notification__object_id=order.pk,
    )
    about_notice = Q(notification__purpose=Purpose.NOTICE, notification__object_id=order.notice.pk)
    shown = Delivery.objects.filter(about_order | about_notice, inbound__isnull=True).count()
    assert shown == 5  # the force account, duty phone, leader; the department's room, editor
    assert page.count('class="delivery-row"') == shown
    assert 'data-channel="sms" data-status="acknowledged"' in page
    assert "138****5678" in page and LEADER_A not in page  # the leader's mobile is masked


def test_acknowledging_on_the_page_records_web_and_the_users_name(
    w, django_capture_on_commit_callbacks
):
    _plan, [order] = approve(w, django_capture_on_commit_callbacks)
    services.acknowledge_order(actor=w.force_account_a, order_id=order.pk)
    order.refresh_from_db()
    assert (order.acknowledged_via, order.acknowledged_label) == ("web", str(w.force_account_a))
    notification = Notification.objects.get(purpose=Purpose.ORDER, object_id=order.pk)
    assert notification.acknowledged_channel == "web"
    # A reply after the page answered changes nothing and says so.
    outcome = notify_services.receive_reply(phone=DUTY_A, body=notification.reply_code)
    assert outcome.code == InboundCode.ALREADY and not outcome.ok
    order.refresh_from_db()
    assert order.acknowledged_via == "web"


def test_unknown_numbers_and_codes_that_match_nothing_change_nothing(
    w, django_capture_on_commit_callbacks
):
    _plan, [order] = approve(w, django_capture_on_commit_callbacks)
    code = reply_code(texts(DUTY_A)[0])
    stranger = notify_services.receive_reply(phone="13000000000", body=code)
    assert stranger.code == InboundCode.UNKNOWN_NUMBER
    wrong = notify_services.receive_reply(phone=DUTY_A, body="0000")
    assert wrong.code in (InboundCode.NO_MATCH, InboundCode.UNKNOWN_NUMBER)
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED and order.acknowledged_via == ""
    assert not Event.objects.filter(type="order.acknowledged").exists()


def test_a_channel_answer_only_acknowledges(w, django_capture_on_commit_callbacks):
    """A responder (built by notify after verifying the reply) can acknowledge, never
    step further on the force's behalf; without one, no actor means no step."""
    from core.exceptions import PermissionDeniedError
    from notify.types import Responder

    _plan, [order] = approve(w, django_capture_on_commit_callbacks)
    responder = Responder(channel="sms", label="短信回复，138****5678")
    with pytest.raises(PermissionDeniedError):
        services.advance_order(actor=None, order_id=order.pk, action="depart", responder=responder)
    with pytest.raises(PermissionDeniedError):
        services.acknowledge_order(actor=None, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED


# --- escalation ------------------------------------------------------------------------------


def test_without_acknowledgement_the_chase_escalates_on_time(w, django_capture_on_commit_callbacks):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with time_machine.travel(start, tick=False) as clock:
        _plan, [order] = approve(w, django_capture_on_commit_callbacks)
        assert order_messages(order).count() == 2  # duty phone and leader, by SMS
        clock.shift(timedelta(minutes=2, seconds=59))
        tick()
        assert order_messages(order).count() == 2
        clock.shift(timedelta(seconds=1))  # 3 min: the SMS again
        tick()
        assert len(texts(DUTY_A)) == 2 and len(texts(LEADER_A)) == 2
        clock.shift(timedelta(minutes=3))  # 6 min: a voice call
        tick()
        assert len(texts(DUTY_A, Channel.VOICE)) == 1 and len(texts(LEADER_A, Channel.VOICE)) == 1
        assert texts(DUTY_A, Channel.VOICE)[0].endswith("签收请按1。")
        clock.shift(timedelta(minutes=4))  # 10 min: the supervisor and the duty officer
        tick()
        assert (
            order_messages(order, delivery__audience=Audience.ORG_LEADER, to=WATER_DUTY).count()
            == 1
        )
        assert len(texts(OFFICER_PHONE)) == 1
        assert Delivery.objects.filter(
            notification__purpose=Purpose.ORDER,
            user=w.duty_officer_a,
            channel=Channel.IN_APP,
            step=10,
        ).exists()
        steps = Event.objects.filter(type="notify.escalated", subject_id=str(order.pk))
        assert sorted(e.payload["step"] for e in steps) == [3, 6, 10]
        # Each step is on the incident's timeline.
        lines = [e for e in incident_timeline(w.incident_a) if e.type == "notify.escalated"]
        assert len(lines) == 3
        # Each line names the order: two orders escalate at the same minute.
        assert all(order.number in line.text for line in lines)
        # The tick is idempotent: nothing more at the same moment.
        count = SimulatedMessage.objects.count()
        tick()
        assert SimulatedMessage.objects.count() == count


@pytest.mark.parametrize("by", ["page", "reply"])
def test_the_first_acknowledgement_stops_the_chase(w, django_capture_on_commit_callbacks, by):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with time_machine.travel(start, tick=False) as clock:
        _plan, [order] = approve(w, django_capture_on_commit_callbacks)
        clock.shift(timedelta(minutes=3))
        tick()
        assert order_messages(order).count() == 4
        clock.shift(timedelta(minutes=1))
        if by == "page":
            services.acknowledge_order(actor=w.force_account_a, order_id=order.pk)
        else:
            notify_services.receive_reply(phone=DUTY_A, body=reply_code(texts(DUTY_A)[-1]))
        order.refresh_from_db()
        assert order.status == OrderStatus.ACKNOWLEDGED
        for minutes in (2, 4, 30):
            clock.shift(timedelta(minutes=minutes))
            tick()
        assert order_messages(order).count() == 4
        assert not order_messages(order, channel=Channel.VOICE).exists()
        assert [
            e.payload["step"]
            for e in Event.objects.filter(type="notify.escalated", subject_id=str(order.pk))
        ] == [3]


# --- the other purposes ----------------------------------------------------------------------


def test_a_submitted_plan_rings_the_approvers_of_its_level_until_decided(
    w, django_capture_on_commit_callbacks
):
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    notification = Notification.objects.get(purpose=Purpose.PLAN_SUBMITTED, object_id=plan.pk)
    users = set(
        Delivery.objects.filter(notification=notification, channel=Channel.IN_APP).values_list(
            "user", flat=True
        )
    )
    assert users == {w.approver_a.pk}  # not county B's, not the city's
    assert f"调用方案#{plan.pk}待审批" in notification.body
    services.reject_plan(actor=w.approver_a, plan_id=plan.pk, reason="力量不足")
    notification.refresh_from_db()
    assert notification.closed_at is not None


def test_an_overdue_order_alerts_the_dispatchers_and_duty_officers(
    w, django_capture_on_commit_callbacks
):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with time_machine.travel(start, tick=False) as clock:
        _plan, [order] = approve(w, django_capture_on_commit_callbacks)
        clock.shift(timedelta(minutes=6))  # the seed policy: acknowledge within 5 minutes
        tick()
        tick()
        [overdue] = Notification.objects.filter(purpose=Purpose.ORDER_OVERDUE, object_id=order.pk)
        assert "未按时签收" in overdue.body
        assert set(
            Delivery.objects.filter(notification=overdue).values_list("user", flat=True)
        ) == {w.dispatcher_a.pk, w.duty_officer_a.pk}
        services.acknowledge_order(actor=w.dispatcher_a, order_id=order.pk)
        overdue.refresh_from_db()
        assert overdue.closed_at is not None


def test_a_reply_from_the_department_reads_the_notice(w, django_capture_on_commit_callbacks):
    _plan, [order] = approve(w, django_capture_on_commit_callbacks)
    outcome = notify_services.receive_reply(phone=WATER_DUTY, body=reply_code(texts(WATER_DUTY)[0]))
    assert outcome.ok
    notice = Notice.objects.get(order=order)
    assert notice.read_at and notice.read_by is None
    assert (notice.read_via, notice.read_label) == ("sms", "短信回复，0635-****001")
    assert Event.objects.filter(type="notice.read", subject_id=str(notice.pk)).exists()
    # The order itself is still the force's to acknowledge.
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED


def test_the_department_reads_its_notice_on_the_page(w, django_capture_on_commit_callbacks):
    from core.exceptions import InvalidTransition, NotFoundError, PermissionDeniedError

    _plan, [order] = approve(w, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDeniedError):
        services.read_notice(actor=w.approver_a, notice_id=order.notice.pk)
    with pytest.raises((PermissionDeniedError, NotFoundError)):  # a force account of it
        services.read_notice(actor=w.force_account_a, notice_id=order.notice.pk)
    notice = services.read_notice(actor=w.editor_a, notice_id=order.notice.pk)
    assert notice.read_by == w.editor_a and notice.read_via == "web"
    notification = Notification.objects.get(purpose=Purpose.NOTICE, object_id=notice.pk)
    assert notification.acknowledged_label == str(w.editor_a)
    with pytest.raises(InvalidTransition):
        services.read_notice(actor=w.editor_a, notice_id=notice.pk)


def test_a_special_period_asks_the_departments_consent_by_sms(
    w, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    SpecialPeriod.objects.create(
        kind=SpecialPeriodKind.SENSITIVE,
        name="重要会议期间",
        jurisdiction=w.county_a,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    [ask] = texts(WATER_DUTY)
    assert f"调用方案#{plan.pk}" in ask and "请登录平台答复" in ask
    # A reply says it arrived; it is not a consent.
    outcome = notify_services.receive_reply(phone=WATER_DUTY, body=reply_code(ask))
    assert outcome.ok and "请登录平台答复" in outcome.answer
    assert not plan.consents.exists()
    services.record_consent(actor=w.editor_a, plan_id=plan.pk, organisation_id=w.water_a.pk)
    services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert not Notification.objects.filter(
        purpose__in=[Purpose.CONSENT, Purpose.PLAN_SUBMITTED],
        object_id=plan.pk,
        acknowledged_at__isnull=True,
        closed_at__isnull=True,
    ).exists()


def test_approval_writes_notifications_in_a_constant_number_of_queries(
    w, django_capture_on_commit_callbacks
):
    """Notifications are written in bulk: more forces, not more notify queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    extra = [f.force(w.editor_a, w.water_a, name=f"临清抢险{n}队") for n in range(6)]

    def notify_queries(forces):
        plan = f.plan(w.dispatcher_a, w.incident_a, forces, submit=True)
        with CaptureQueriesContext(connection) as queries:
            services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
        return sum("notify_" in q["sql"] for q in queries.captured_queries)

    one = notify_queries([w.force_a])
    many = notify_queries(extra)
    assert many <= one


def test_the_department_signs_for_its_notice_on_the_notice_list(
    w, client, django_capture_on_commit_callbacks
):
    _plan, [order] = approve(w, django_capture_on_commit_callbacks)
    url = f"/dispatch/notices/{order.notice.pk}/read/"
    client.force_login(w.approver_a)  # sees the notice, but does not sign for it
    assert client.post(url).status_code == 403
    client.force_login(w.editor_a)
    listing = client.get("/dispatch/notices/").content.decode()
    assert "notice-read-button" in listing
    assert client.post(url).status_code == 302
    listing = client.get("/dispatch/notices/").content.decode()
    assert 'class="small text-success notice-read" data-via="web"' in listing
    assert "notice-read-button" not in listing
    notification = Notification.objects.get(purpose=Purpose.NOTICE, object_id=order.notice.pk)
    assert notification.acknowledged_at is not None


def test_the_one_time_link_in_the_sms_acknowledges_the_order(w, django_capture_on_commit_callbacks):
    _plan, [order] = approve(w, django_capture_on_commit_callbacks)
    token = re.search(r"/a/(\S+)$", texts(LEADER_A)[0]).group(1)
    outcome = notify_services.redeem_link(token=token)
    assert outcome.ok
    order.refresh_from_db()
    assert (order.acknowledged_via, order.acknowledged_label) == ("link", "短信链接，138****5678")
    assert not notify_services.redeem_link(token=token).ok  # once only


def test_pressing_1_in_the_voice_call_acknowledges_the_order(w, django_capture_on_commit_callbacks):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with time_machine.travel(start, tick=False) as clock:
        _plan, [order] = approve(w, django_capture_on_commit_callbacks)
        clock.shift(timedelta(minutes=6))
        tick()
        call = SimulatedMessage.objects.get(to=DUTY_A, channel=Channel.VOICE)
        outcome = notify_services.receive_keypress(key=call.key, digit="1")
    assert outcome.ok
    order.refresh_from_db()
    assert order.acknowledged_via == "voice"
    assert order.acknowledged_label == "语音按键，0635-****001"
