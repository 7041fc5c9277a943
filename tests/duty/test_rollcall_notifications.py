"""Roll calls reach every force by SMS as well as in-app, and an answer by reply counts
like an answer on the page (issue 10; Liaocheng §三.二.2: the fire brigade checks every
force's duty; Zhoushan §三.2: linkage units keep a 24-hour duty and answer at once)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Event
from duty.models import RollCallOutcome
from duty.rollcalls import services
from forces.models import Force
from notify import services as notify_services
from notify.choices import Channel, InboundCode, Purpose
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


DUTY_A = "0635-2100001"
DUTY_POWER = "0635-2100002"
CODE = re.compile(r"回复(\d{4,5})应答")


@pytest.fixture
def w(world):
    Force.objects.filter(pk=world.force_a.pk).update(duty_phone=DUTY_A)
    Force.objects.filter(pk=world.force_power_a.pk).update(duty_phone=DUTY_POWER)
    return world


def start(w, capture, **kwargs):
    with capture(execute=True):
        return services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a, **kwargs)


def texts(to, channel=Channel.SMS):
    return list(
        SimulatedMessage.objects.filter(to=to, channel=channel, delivery__inbound__isnull=True)
        .order_by("pk")
        .values_list("body", flat=True)
    )


def reply_code(body):
    return CODE.search(body).group(1)


def test_a_roll_call_reaches_every_force_by_sms_and_in_app(w, django_capture_on_commit_callbacks):
    roll_call = start(w, django_capture_on_commit_callbacks)
    deadline = timezone.localtime(roll_call.deadline)
    for phone in (DUTY_A, DUTY_POWER):
        [sms] = texts(phone)
        started = timezone.localtime(roll_call.started_at)
        name = f"临清市{started.month}月{started.day}日{started:%H:%M}点名"
        assert sms.startswith(f"【联调联战】{name}：请在{deadline:%H:%M}前应答。")
        assert CODE.search(sms) and "/a/" in sms
    # The force accounts see it in-app; the page's own delivery marks still happen.
    users = set(
        Delivery.objects.filter(
            notification__purpose=Purpose.ROLL_CALL, channel=Channel.IN_APP
        ).values_list("user", flat=True)
    )
    assert users == {w.force_account_a.pk, w.force_account_power_a.pk}
    assert roll_call.targets.filter(notified_at__isnull=False).count() == 2
    # County B's force is not in county A's roll call.
    assert not Notification.objects.filter(
        purpose=Purpose.ROLL_CALL, organisation=w.water_b
    ).exists()


def test_an_sms_reply_answers_like_the_page(w, django_capture_on_commit_callbacks):
    roll_call = start(w, django_capture_on_commit_callbacks)
    [sms] = texts(DUTY_A)
    outcome = notify_services.receive_reply(phone=DUTY_A, body=reply_code(sms))
    assert outcome.ok and outcome.code == InboundCode.ACKNOWLEDGED
    assert outcome.answer.startswith("已应答临清市") and outcome.answer.endswith("点名（按时）。")
    target = roll_call.targets.get(force=w.force_a)
    assert target.outcome == RollCallOutcome.ON_TIME and target.answered_at
    assert target.answered_by is None
    assert (target.answered_via, target.answered_label) == ("sms", "短信回复，0635-****001")
    event = Event.objects.get(type="rollcall.answered", subject_id=str(roll_call.pk))
    assert event.payload["force"] == w.force_a.pk and event.payload["via"] == "sms"
    # The other force still waits; the progress page shows who was reached how.
    assert roll_call.targets.get(force=w.force_power_a).outcome == RollCallOutcome.WAITING


def test_the_progress_page_shows_who_was_reached_how(w, client, django_capture_on_commit_callbacks):
    roll_call = start(w, django_capture_on_commit_callbacks)
    notify_services.receive_reply(phone=DUTY_A, body=reply_code(texts(DUTY_A)[0]))
    client.force_login(w.dispatcher_a)
    page = client.get(f"/duty/rollcalls/{roll_call.pk}/").content.decode()
    assert 'data-via="sms"' in page and "短信回复，0635-****001" in page
    assert 'data-channel="sms" data-status="acknowledged"' in page
    assert 'data-channel="sms" data-status="sent"' in page  # the force that has not answered
    assert DUTY_A not in page.split('id="rollcall-counts"')[1]
    # The force account's own page lists the answer its duty phone gave.
    client.force_login(w.force_account_a)
    answers = client.get("/duty/rollcalls/answer/").content.decode()
    assert 'data-via="sms"' in answers and "短信回复，0635-****001" in answers


def test_a_page_answer_records_the_account_and_stops_the_chase(
    w, django_capture_on_commit_callbacks
):
    begin = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with time_machine.travel(begin, tick=False) as clock:
        roll_call = start(w, django_capture_on_commit_callbacks)
        target = roll_call.targets.get(force=w.force_a)
        services.answer_roll_call(actor=w.force_account_a, target_id=target.pk, people_on_duty=6)
        target.refresh_from_db()
        assert (target.answered_via, target.answered_label) == ("web", str(w.force_account_a))
        notification = Notification.objects.get(purpose=Purpose.ROLL_CALL, object_id=target.pk)
        assert notification.acknowledged_channel == "web"
        clock.shift(timedelta(minutes=5))  # the seeded step: a voice call to the duty phone
        notify_services.tick()
        assert texts(DUTY_A, Channel.VOICE) == []  # answered: not called
        [call] = texts(DUTY_POWER, Channel.VOICE)  # not answered: called
        assert call.endswith("应答请按1。")


def test_late_and_unknown_replies_change_nothing(w, django_capture_on_commit_callbacks):
    begin = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with time_machine.travel(begin, tick=False) as clock:
        roll_call = start(w, django_capture_on_commit_callbacks, window_minutes=10, late_minutes=5)
        code = reply_code(texts(DUTY_A)[0])
        stranger = notify_services.receive_reply(phone="13000000000", body=code)
        assert stranger.code == InboundCode.UNKNOWN_NUMBER
        clock.shift(timedelta(minutes=16))  # past closes_at
        services.tick()
        outcome = notify_services.receive_reply(phone=DUTY_A, body=code)
        assert not outcome.ok
        assert outcome.code in (InboundCode.EXPIRED, InboundCode.CLOSED, InboundCode.NO_MATCH)
        target = roll_call.targets.get(force=w.force_a)
        assert target.outcome == RollCallOutcome.NO_ANSWER and target.answered_via == ""
        assert not Event.objects.filter(type="rollcall.answered").exists()


def test_a_late_reply_in_the_late_window_counts_as_late(w, django_capture_on_commit_callbacks):
    begin = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with time_machine.travel(begin, tick=False) as clock:
        roll_call = start(w, django_capture_on_commit_callbacks, window_minutes=10)
        code = reply_code(texts(DUTY_A)[0])
        clock.shift(timedelta(minutes=12))
        outcome = notify_services.receive_reply(phone=DUTY_A, body=code)
        assert outcome.answer.endswith("点名（迟到）。")
        assert roll_call.targets.get(force=w.force_a).outcome == RollCallOutcome.LATE


def test_closing_a_roll_call_by_hand_stops_the_chase(w, django_capture_on_commit_callbacks):
    begin = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with time_machine.travel(begin, tick=False) as clock:
        roll_call = start(w, django_capture_on_commit_callbacks)
        services.close_roll_call(actor=w.dispatcher_a, roll_call_id=roll_call.pk)
        assert not Notification.objects.filter(
            purpose=Purpose.ROLL_CALL, closed_at__isnull=True, acknowledged_at__isnull=True
        ).exists()
        clock.shift(timedelta(minutes=5))
        notify_services.tick()
        assert not SimulatedMessage.objects.filter(channel=Channel.VOICE).exists()
        outcome = notify_services.receive_reply(phone=DUTY_A, body=reply_code(texts(DUTY_A)[0]))
        assert not outcome.ok
        assert roll_call.targets.get(force=w.force_a).outcome == RollCallOutcome.NO_ANSWER


def test_a_backfilled_roll_call_reaches_nobody(w):
    """A roll call written after it closed (history, the demo) sends nothing."""
    past = timezone.now() - timedelta(days=3)
    services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a, now=past)
    assert not Notification.objects.filter(purpose=Purpose.ROLL_CALL).exists()


def test_starting_a_roll_call_takes_a_constant_number_of_notify_queries(w):
    """notify_many writes every target's notification in bulk (5,000 forces in the
    bench): more forces, not more queries."""

    def notify_queries():
        with CaptureQueriesContext(connection) as queries:
            services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
        return sum("notify_" in q["sql"] for q in queries.captured_queries)

    few = notify_queries()
    for n in range(12):
        f.force(w.editor_a, w.water_a, name=f"临清巡查{n}队")
    many = notify_queries()
    assert many <= few


def test_closing_a_roll_call_by_hand_takes_a_constant_number_of_notify_queries(w):
    """Closing by hand ends every waiting target's chase in bulk, not one target at a
    time (thousands of forces in a city-wide roll call)."""

    def close_queries():
        roll_call = services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
        with CaptureQueriesContext(connection) as queries:
            services.close_roll_call(actor=w.dispatcher_a, roll_call_id=roll_call.pk)
        assert not Notification.objects.filter(
            purpose=Purpose.ROLL_CALL, closed_at__isnull=True, acknowledged_at__isnull=True
        ).exists()
        return sum("notify_" in q["sql"] for q in queries.captured_queries)

    few = close_queries()
    for n in range(12):
        f.force(w.editor_a, w.water_a, name=f"临清巡查{n}队")
    many = close_queries()
    assert many <= few


def test_a_roll_calls_escalation_is_one_line_on_the_roll_call_per_level(
    w, django_capture_on_commit_callbacks
):
    """Five minutes without an answer: a voice call to every force that has not
    answered, told once on the roll call (a city roll call calls thousands of forces),
    counting the forces it chases."""
    begin = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with time_machine.travel(begin, tick=False) as clock:
        roll_call = start(w, django_capture_on_commit_callbacks)
        targets = roll_call.targets.count()
        assert targets >= 2
        notify_services.receive_reply(phone=DUTY_A, body=reply_code(texts(DUTY_A)[0]))
        clock.shift(timedelta(minutes=5))
        notify_services.tick()
        lines = Event.objects.filter(type="notify.escalated")
        assert lines.count() == 1
        line = lines.get()
        assert (line.subject_type, line.subject_id) == ("duty.rollcall", str(roll_call.pk))
        assert line.payload["subjects"] == targets - 1  # force_a answered by SMS
        assert line.organisation_id is None
        assert not texts(DUTY_A, Channel.VOICE) and texts(DUTY_POWER, Channel.VOICE)
        notify_services.tick()
        assert lines.count() == 1
