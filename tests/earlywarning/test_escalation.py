"""The acceptance story of issue 12 on a frozen clock: a water-bureau editor publishes an
orange flood warning for two townships; every grid person there gets an SMS; a reply
acknowledges; those who don't answer get the SMS again at 5 minutes, are called at 10,
and their supervisors are raised at 15 — on time, not before; an update re-asks
everyone, a cancellation stops the chase, expiry ends it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.models import Event
from earlywarning import services
from earlywarning.choices import WarningStatus
from earlywarning.models import WarningRecipient
from notify import services as notify_services
from notify.choices import Purpose
from notify.models import Notification, SimulatedMessage
from tests.earlywarning.helpers import calls_to, flood_data, published_flood, sms_to

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) + timedelta(days=1)
GRIDS = ("grid_a1", "grid_a2", "grid_a3", "grid_a4", "grid_a5")


def at(minutes: float):
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def notification_of(warning, grid) -> Notification:
    recipient = WarningRecipient.objects.get(warning=warning, grid=grid)
    return Notification.objects.get(purpose=Purpose.WARNING, object_id=recipient.pk)


def reply(grid, warning) -> str:
    code = notification_of(warning, grid).reply_code
    return notify_services.receive_reply(phone=grid.person_phone, body=f"{code} 收到").answer


def test_replies_acknowledge_and_the_silent_are_resent_called_and_raised_on_time(warning_world):
    w = warning_world
    with at(0):
        warning = published_flood(w)
    for name in GRIDS:
        assert sms_to(getattr(w, name).person_phone).count() == 1

    # 李大山 (grid a1) and 孙丽 (grid a4) answer by SMS.
    with at(1):
        answer = reply(w.grid_a1, warning)
        assert answer == "已签收橙色洪水预警，谢谢。"
        reply(w.grid_a4, warning)
        notify_services.tick()
    answered = WarningRecipient.objects.get(warning=warning, grid=w.grid_a1)
    assert answered.acknowledged_at == START + timedelta(minutes=1)
    assert answered.acknowledged_channel == "sms"
    assert answered.acknowledged_label == "短信回复，138****1001"
    event = Event.objects.get(type="warning.acknowledged", payload__recipient=answered.pk)
    assert event.jurisdiction == w.village_a1
    assert event.subject_id == str(warning.pk)
    assert "138****1001" in event.payload["label"]
    assert event.payload["channel"] == "sms"
    # A second reply changes nothing: "已签收".
    with at(2):
        assert "已签收" in reply(w.grid_a1, warning)
    assert Event.objects.filter(type="warning.acknowledged").count() == 2

    silent = [w.grid_a2, w.grid_a3, w.grid_a5]
    quiet = [w.grid_a1, w.grid_a4]

    # Not before 5 minutes.
    with at(4.99):
        notify_services.tick()
    for grid in silent + quiet:
        assert sms_to(grid.person_phone).filter(body__contains="请回复签收").count() == 1
    with at(5):
        notify_services.tick()
    for grid in silent:
        assert sms_to(grid.person_phone).filter(body__contains="请回复签收").count() == 2, grid
        assert not calls_to(grid.person_phone).exists()
    for grid in quiet:
        assert sms_to(grid.person_phone).filter(body__contains="请回复签收").count() == 1

    with at(9.99):
        notify_services.tick()
    for grid in silent:
        assert not calls_to(grid.person_phone).exists()
    with at(10):
        notify_services.tick()
    for grid in silent:
        calls = list(calls_to(grid.person_phone))
        assert len(calls) == 1
        assert "签收请按1" in calls[0].body
    for grid in quiet:
        assert not calls_to(grid.person_phone).exists()

    town_a_leader, town_a2_leader = "13905350001", "13905350002"
    with at(14.99):
        notify_services.tick()
    assert not SimulatedMessage.objects.filter(to__in=[town_a_leader, town_a2_leader]).exists()
    with at(15):
        notify_services.tick()
    # 刘镇长 supervises a2 and a3 (both silent): raised for each; 陈主任 for a5 only (a4
    # answered).
    assert sms_to(town_a_leader).count() == 2
    assert calls_to(town_a_leader).count() == 2
    assert sms_to(town_a2_leader).count() == 1
    assert calls_to(town_a2_leader).count() == 1
    # The county's duty officer is told in-app of each silent grid.
    grid_rows = WarningRecipient.objects.filter(warning=warning, kind="grid_person")
    raised = Notification.objects.filter(
        purpose=Purpose.WARNING,
        object_id__in=list(grid_rows.values_list("pk", flat=True)),
        deliveries__step=15,
        deliveries__user=w.duty_officer_a,
    )
    assert raised.count() == 3
    # The warning's timeline: one escalation line per level, not one per grid.
    lines = Event.objects.filter(type="notify.escalated", subject_id=str(warning.pk))
    assert sorted(e.payload["step"] for e in lines) == [5, 10, 15]
    assert not SimulatedMessage.objects.filter(to=w.grid_b1.person_phone).exists()

    # Nothing more after the last level.
    before = SimulatedMessage.objects.count()
    with at(60):
        notify_services.tick()
    assert SimulatedMessage.objects.count() == before


def test_a_page_acknowledgement_stops_the_chase_before_the_next_level(warning_world):
    w = warning_world
    with at(0):
        warning = published_flood(w)
    recipient = WarningRecipient.objects.get(warning=warning, grid=w.grid_a2)
    with at(3):
        services.acknowledge_recipient(actor=w.duty_officer_a, recipient_id=recipient.pk)
    recipient.refresh_from_db()
    assert recipient.acknowledged_label == f"值班员代签 {w.duty_officer_a}"
    assert recipient.acknowledged_channel == "web"
    with at(20):
        notify_services.tick()
    assert sms_to(w.grid_a2.person_phone).count() == 1
    assert not calls_to(w.grid_a2.person_phone).exists()
    notification = notification_of(warning, w.grid_a2)
    assert notification.acknowledged_at == START + timedelta(minutes=3)


def test_an_update_re_asks_everyone_and_the_old_version_is_chased_no_more(warning_world):
    w = warning_world
    with at(0):
        first = published_flood(w)
        reply(w.grid_a1, first)
    with at(2):
        draft = services.revise_warning(actor=w.editor_a, warning_id=first.pk)
        second = services.publish_warning(actor=w.editor_a, warning_id=draft.pk)
        notify_services.tick()
    # Everyone, the one who answered the first version too, is asked again.
    for name in GRIDS:
        grid = getattr(w, name)
        assert sms_to(grid.person_phone).filter(body__contains="请回复签收").count() == 2
    with at(6):
        notify_services.tick()
    # The re-send at 5 minutes of the first version never happens (it was closed at 2);
    # the second version's comes at 7.
    for name in GRIDS:
        grid = getattr(w, name)
        assert sms_to(grid.person_phone).filter(body__contains="请回复签收").count() == 2
    with at(7):
        notify_services.tick()
    assert sms_to(w.grid_a2.person_phone).filter(body__contains="请回复签收").count() == 3
    # A reply now answers the version in force.
    with at(8):
        reply(w.grid_a2, second)
    assert WarningRecipient.objects.get(warning=second, grid=w.grid_a2).acknowledged_at
    assert not WarningRecipient.objects.get(warning=first, grid=w.grid_a2).acknowledged_at


def test_cancellation_tells_everyone_and_stops_the_chase(warning_world):
    w = warning_world
    with at(0):
        warning = published_flood(w)
    with at(4):
        services.cancel_warning(actor=w.editor_a, warning_id=warning.pk, reason="水位回落")
        notify_services.tick()
    for name in GRIDS:
        grid = getattr(w, name)
        assert sms_to(grid.person_phone).filter(body__contains="解除洪水预警").count() == 1
    with at(30):
        notify_services.tick()
    for name in GRIDS:
        grid = getattr(w, name)
        assert sms_to(grid.person_phone).count() == 2  # the warning and its cancellation
        assert not calls_to(grid.person_phone).exists()
    assert not SimulatedMessage.objects.filter(to=w.grid_a1.supervisor_phone).exists()
    # A late reply is answered kindly and changes nothing.
    with at(31):
        code = notification_of(warning, w.grid_a3).reply_code
        outcome = notify_services.receive_reply(phone=w.grid_a3.person_phone, body=code)
    assert not outcome.ok
    assert not WarningRecipient.objects.filter(acknowledged_at__isnull=False).exists()


def test_expiry_ends_the_warning_and_its_chase(warning_world):
    w = warning_world
    with at(0):
        warning = published_flood(w, hours=0.1)  # 6 minutes
    with at(5):
        notify_services.tick()
        assert services.expire_due() == 0
    with at(6):
        assert services.expire_due() == 1
        assert services.expire_due() == 0
        notify_services.tick()
    warning.refresh_from_db()
    assert warning.status == WarningStatus.EXPIRED
    assert warning.ended_at == warning.expires_at
    event = Event.objects.get(type="warning.expired")
    assert event.subject_id == str(warning.pk) and event.actor is None
    with at(30):
        notify_services.tick()
    for name in GRIDS:
        grid = getattr(w, name)
        assert sms_to(grid.person_phone).count() == 2  # the first and the 5-minute re-send
        assert not calls_to(grid.person_phone).exists()
    recipient = WarningRecipient.objects.get(warning=warning, grid=w.grid_a1)
    with pytest.raises(services.WarningNotPublished):
        services.acknowledge_recipient(actor=w.duty_officer_a, recipient_id=recipient.pk)


def test_a_future_draft_is_published_and_effective_later(warning_world):
    w = warning_world
    with at(0):
        data = flood_data(
            w,
            effective_at=START + timedelta(hours=2),
            expires_at=START + timedelta(hours=8),
        )
        draft = services.create_draft(actor=w.editor_a, data=data)
        services.publish_warning(actor=w.editor_a, warning_id=draft.pk)
    with at(60):
        assert services.expire_due() == 0


def test_the_beat_schedule_expires_warnings_in_the_embedded_mode(warning_world):
    """``run_ticks`` (make run, no Celery beat) runs the warning tick with the others."""
    from io import StringIO

    from django.core.management import call_command

    w = warning_world
    with at(0):
        warning = published_flood(w, hours=0.1)
    with at(7):
        out = StringIO()
        call_command("run_ticks", "--once", stdout=out)
    assert "earlywarning.tasks.warning_tick: {'expired': 1}" in out.getvalue()
    warning.refresh_from_db()
    assert warning.status == WarningStatus.EXPIRED
