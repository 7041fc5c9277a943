"""The response services on the simple path: activate, acknowledge, start, complete,
raise, lower, end, seats, overdue."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.exceptions import (
    ConflictError,
    InvalidTransition,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from notify.choices import Purpose
from notify.models import Notification
from response import services
from response.choices import ActivationStatus, InstructionStatus, StepKind
from response.models import ResponseInstruction


def _activate(w, level="iv", **extra):
    return services.activate_response(
        actor=w.duty_officer_a,
        hazard="flood",
        level=level,
        incident_id=w.incident_a.pk,
        reason="卫运河临清站超警戒水位",
        **extra,
    )


@pytest.mark.django_db(transaction=False)
def test_activating_a_level_iv_flood_sends_each_department_its_instructions(response_world):
    w = response_world
    activation = _activate(w)
    instructions = list(activation.instructions.order_by("due_at"))
    assert [i.department for i in instructions] == [w.water_a, w.housing_a, w.natres_a]
    assert all(i.status == InstructionStatus.SENT for i in instructions)
    assert instructions[0].due_at == activation.activated_at + datetime.timedelta(minutes=60)
    notifications = Notification.objects.filter(purpose=Purpose.INSTRUCTION)
    assert notifications.count() == 3
    water = notifications.get(organisation=w.water_a)
    assert "加强水库、河道巡查" in water.body
    assert water.audiences["org_duty_phone"][0]["phone"] == "0635-2421234"
    assert [r["user_id"] for r in water.audiences["org_users"]] == [w.editor_a.pk]
    sent = Event.objects.filter(type="instruction.sent")
    assert sent.count() == 3
    assert set(sent.values_list("organisation_id", flat=True)) == {
        w.water_a.pk,
        w.natres_a.pk,
        w.housing_a.pk,
    }
    assert Event.objects.filter(type="response.activated", subject_id=str(activation.pk)).exists()
    assert activation.steps.get().kind == StepKind.ACTIVATED


def test_activation_without_a_manual_names_what_is_missing(response_world):
    w = response_world
    with pytest.raises(ValidationFailed) as caught:
        services.activate_response(
            actor=w.duty_officer_a,
            hazard="hazardous_chemicals",
            level="ii",
            incident_id=w.incident_a.pk,
        )
    assert caught.value.code == "no_manual"
    assert "临清市" in caught.value.detail


def test_a_second_activation_for_the_same_incident_is_refused(response_world):
    w = response_world
    _activate(w)
    with pytest.raises(ConflictError):
        _activate(w, level="iii")


def test_a_city_manual_serves_a_county_without_its_own(response_world):
    w = response_world
    city_water = w.water_a  # any department under the city
    services.save_manual(
        actor=w.approver_city,
        jurisdiction=w.city,
        hazard="flood",
        level="iv",
        title="聊城市防汛Ⅳ级应急响应手册",
        lines=[services.ManualLine("阳谷县城区排涝", w.water_b, 30)],
    )
    activation = services.activate_response(
        actor=w.duty_officer_b, hazard="flood", level="iv", incident_id=w.incident_b.pk
    )
    assert [i.department for i in activation.instructions.all()] == [w.water_b]
    assert city_water is not None


def test_department_acknowledges_starts_and_completes_with_a_report(response_world):
    w = response_world
    activation = _activate(w)
    instruction = activation.instructions.get(department=w.water_a)
    services.acknowledge_instruction(actor=w.editor_a, instruction_id=instruction.pk)
    with pytest.raises(InvalidTransition):
        services.acknowledge_instruction(actor=w.editor_a, instruction_id=instruction.pk)
    services.start_instruction(actor=w.editor_a, instruction_id=instruction.pk)
    with pytest.raises(ValidationFailed):
        services.complete_instruction(actor=w.editor_a, instruction_id=instruction.pk, report=" ")
    done = services.complete_instruction(
        actor=w.editor_a, instruction_id=instruction.pk, report="已巡查卫运河堤防12公里，水位平稳"
    )
    assert done.status == InstructionStatus.DONE
    assert done.acknowledged_label == str(w.editor_a)
    note = Notification.objects.get(purpose=Purpose.INSTRUCTION, organisation=w.water_a)
    assert note.acknowledged_at is not None


def test_duty_officer_signs_on_the_departments_behalf(response_world):
    w = response_world
    activation = _activate(w)
    instruction = activation.instructions.get(department=w.natres_a)
    done = services.acknowledge_instruction(actor=w.duty_officer_a, instruction_id=instruction.pk)
    assert done.acknowledged_label.startswith("值班员代签")


def test_another_department_may_not_work_the_instruction(response_world):
    w = response_world
    activation = _activate(w)
    instruction = activation.instructions.get(department=w.natres_a)
    with pytest.raises(PermissionDeniedError):
        services.acknowledge_instruction(actor=w.editor_a, instruction_id=instruction.pk)


def test_raising_adds_the_new_levels_lines_not_already_sent(response_world):
    w = response_world
    activation = _activate(w)
    services.change_level(
        actor=w.duty_officer_a, activation_id=activation.pk, level="iii", reason="水位持续上涨"
    )
    lines = list(activation.instructions.values_list("department__name", "level"))
    assert len(lines) == 5  # the water line of III repeats IV's: not sent twice
    assert ("临清市交通运输局", "iii") in lines and ("临清市卫生健康局", "iii") in lines
    assert activation.steps.last().kind == StepKind.RAISED
    with pytest.raises(InvalidTransition):
        services.change_level(
            actor=w.duty_officer_a, activation_id=activation.pk, level="iii", reason="同级"
        )


def test_lowering_cancels_the_open_lines_of_higher_levels(response_world):
    w = response_world
    activation = _activate(w)
    services.change_level(
        actor=w.duty_officer_a, activation_id=activation.pk, level="iii", reason="水位持续上涨"
    )
    health = activation.instructions.get(department=w.health_a)
    services.change_level(
        actor=w.duty_officer_a, activation_id=activation.pk, level="iv", reason="水位回落"
    )
    health.refresh_from_db()
    assert health.status == InstructionStatus.CANCELLED
    assert activation.instructions.filter(level="iv", status=InstructionStatus.SENT).count() == 3
    note = Notification.objects.get(purpose=Purpose.INSTRUCTION, object_id=health.pk)
    assert note.closed_at is not None


def test_ending_cancels_open_lines_closes_notifications_and_empties_seats(response_world):
    w = response_world
    activation = _activate(w)
    seat = services.join_seat(
        actor=w.duty_officer_a,
        activation_id=activation.pk,
        organisation_id=w.water_a.pk,
        person="王水利",
        phone="13906351234",
    )
    services.end_response(actor=w.duty_officer_a, activation_id=activation.pk, reason="险情解除")
    activation.refresh_from_db()
    seat.refresh_from_db()
    assert activation.status == ActivationStatus.ENDED
    assert seat.left_at is not None
    assert set(activation.instructions.values_list("status", flat=True)) == {
        InstructionStatus.CANCELLED
    }
    assert not Notification.objects.filter(
        purpose=Purpose.INSTRUCTION, closed_at__isnull=True, acknowledged_at__isnull=True
    ).exists()
    with pytest.raises(InvalidTransition):
        services.end_response(actor=w.duty_officer_a, activation_id=activation.pk, reason="再次")


def test_overdue_tick_flags_each_late_instruction_once(response_world):
    w = response_world
    activation = _activate(w)
    later = timezone.now() + datetime.timedelta(minutes=95)
    assert services.flag_overdue(now=later) == 2  # water (60) and housing (90)
    assert services.flag_overdue(now=later) == 0
    assert Event.objects.filter(type="instruction.overdue").count() == 2
    assert activation.instructions.filter(overdue=True).count() == 2


def test_a_seat_is_taken_once_per_department(response_world):
    w = response_world
    activation = _activate(w)
    seat = services.join_seat(
        actor=w.editor_a, activation_id=activation.pk, organisation_id=w.water_a.pk, person="王水利"
    )
    with pytest.raises(ConflictError):
        services.join_seat(
            actor=w.duty_officer_a,
            activation_id=activation.pk,
            organisation_id=w.water_a.pk,
            person="李四",
        )
    with pytest.raises(PermissionDeniedError):
        services.join_seat(
            actor=w.editor_a,
            activation_id=activation.pk,
            organisation_id=w.natres_a.pk,
            person="张三",
        )
    services.leave_seat(actor=w.editor_a, seat_id=seat.pk)
    assert ResponseInstruction.objects.count() == 3
