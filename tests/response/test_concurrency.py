"""Two people at once (PostgreSQL row locks): two activations for one incident give one
response; a web acknowledgement racing SMS replies gives one acknowledgement."""

from __future__ import annotations

import pytest

from core.exceptions import ConflictError, InvalidTransition
from core.models import Event
from notify import services as notify_services
from notify.choices import InboundCode, Purpose
from notify.models import Delivery, Notification
from response import services
from response.models import ResponseActivation
from tests.dispatch.test_concurrency import _run_concurrently

CONCURRENT = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_activating_at_once_start_one_response(response_world, instruction_rules):
    w = response_world
    officers = [w.duty_officer_a, w.approver_a]

    def activate(i: int) -> str:
        try:
            services.activate_response(
                actor=officers[i % 2],
                hazard="flood",
                level="iv" if i % 2 else "iii",
                incident_id=w.incident_a.pk,
            )
        except ConflictError as refused:
            return refused.code
        return "activated"

    results, errors = _run_concurrently(activate, CONCURRENT)
    assert errors == []
    assert results.count("activated") == 1, results
    assert set(results) == {"activated", "response_already_active"}
    assert ResponseActivation.objects.filter(incident=w.incident_a).count() == 1
    assert Event.objects.filter(type="response.activated").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_click_and_sms_replies_at_once_acknowledge_once(response_world, instruction_rules):
    w = response_world
    activation = services.activate_response(
        actor=w.duty_officer_a, hazard="flood", level="iv", incident_id=w.incident_a.pk
    )
    instruction = activation.instructions.get(department=w.water_a)
    notification = Notification.objects.get(purpose=Purpose.INSTRUCTION, object_id=instruction.pk)
    phone = Delivery.objects.get(notification=notification, channel="sms").address

    def answer(i: int) -> str:
        if i % 2:
            try:
                services.acknowledge_instruction(actor=w.editor_a, instruction_id=instruction.pk)
            except InvalidTransition as refused:
                return refused.code
            return "acknowledged"
        outcome = notify_services.receive_reply(
            phone=phone, body=notification.reply_code, event_id=f"gateway-{i}"
        )
        return outcome.code

    results, errors = _run_concurrently(answer, CONCURRENT)
    assert errors == []
    assert results.count("acknowledged") == 1, results
    assert set(results) <= {"acknowledged", "already_acknowledged", InboundCode.ALREADY}
    assert Event.objects.filter(type="instruction.acknowledged").count() == 1
