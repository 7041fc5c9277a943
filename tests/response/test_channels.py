"""An instruction reaches its department's duty phone by SMS and its accounts in the app;
a reply acknowledges it; the silent are re-sent, called and raised on time; done and
ended instructions stop the chase; the overdue tick runs on the beat."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from core.models import Event
from notify import services as notify_services
from notify.choices import InboundCode, Purpose
from notify.models import Delivery, Notification, SimulatedMessage
from response import services
from response.choices import InstructionStatus

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) + timedelta(days=1)


def at(minutes: float):
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def _activate(w):
    activation = services.activate_response(
        actor=w.duty_officer_a, hazard="flood", level="iv", incident_id=w.incident_a.pk
    )
    notify_services.send_pending()  # what the after-commit hand-over does
    return activation


def _sms_address(instruction) -> tuple[str, Notification]:
    note = Notification.objects.get(purpose=Purpose.INSTRUCTION, object_id=instruction.pk)
    return Delivery.objects.get(notification=note, channel="sms").address, note


def test_an_sms_reply_from_the_duty_phone_acknowledges_the_instruction(response_world):
    w = response_world
    with at(0):
        instruction = _activate(w).instructions.get(department=w.water_a)
    phone, note = _sms_address(instruction)
    assert SimulatedMessage.objects.filter(channel="sms", to=phone).count() == 1
    with at(2):
        outcome = notify_services.receive_reply(phone=phone, body=f"{note.reply_code} 收到")
    assert outcome.code == InboundCode.ACKNOWLEDGED
    assert outcome.answer.startswith("已签收临清市防汛Ⅳ级应急响应指令")
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.ACKNOWLEDGED
    assert instruction.acknowledged_via == "sms"
    assert instruction.acknowledged_at == START + timedelta(minutes=2)
    event = Event.objects.get(type="instruction.acknowledged")
    assert event.organisation_id == w.water_a.pk and event.actor_id is None
    again = notify_services.receive_reply(phone=phone, body=note.reply_code)
    assert again.code == InboundCode.ALREADY


def test_a_silent_department_is_sent_again_called_and_raised_on_time(response_world):
    w = response_world
    with at(0):
        instruction = _activate(w).instructions.get(department=w.water_a)
    phone, _note = _sms_address(instruction)
    with at(9):
        notify_services.tick()
    assert SimulatedMessage.objects.filter(channel="sms", to=phone).count() == 1
    with at(10.5):
        notify_services.tick()
    assert SimulatedMessage.objects.filter(channel="sms", to=phone).count() == 2
    with at(20.5):
        notify_services.tick()
    assert SimulatedMessage.objects.filter(channel="voice", to=phone).count() == 1
    with at(30.5):
        notify_services.tick()
    # The bureau's duty officer of county A is raised in the app.
    raised = Delivery.objects.filter(
        notification__object_id=instruction.pk,
        notification__purpose=Purpose.INSTRUCTION,
        channel="in_app",
        step=30,
    )
    assert list(raised.values_list("user_id", flat=True)) == [w.duty_officer_a.pk]


def test_a_completed_instruction_is_not_chased(response_world):
    w = response_world
    with at(0):
        instruction = _activate(w).instructions.get(department=w.water_a)
        services.complete_instruction(
            actor=w.editor_a, instruction_id=instruction.pk, report="已巡查，水位平稳"
        )
    phone, _note = _sms_address(instruction)
    with at(25):
        notify_services.tick()
    assert SimulatedMessage.objects.filter(to=phone).count() == 1


def test_the_beat_flags_overdue_instructions_in_the_embedded_mode(response_world):
    """``run_ticks`` (make run, no Celery beat) runs the response tick with the others."""
    w = response_world
    with at(0):
        _activate(w)
    with at(61):
        out = StringIO()
        call_command("run_ticks", "--once", stdout=out)
    assert "response.tasks.response_tick: {'overdue': 1}" in out.getvalue()
    with at(62):
        out = StringIO()
        call_command("run_ticks", "--once", stdout=out)
    assert "response.tasks.response_tick: {'overdue': 0}" in out.getvalue()
