"""An incident with an active response closes only by ending it, with a reason
(command.closing, registered by the response app)."""

from __future__ import annotations

import pytest

from command import services as command_services
from command.choices import IncidentStatus
from core.exceptions import ConflictError, InvalidTransition, PermissionDeniedError
from response import services
from response.choices import ActivationStatus, InstructionStatus
from response.models import ResponseActivation

pytestmark = pytest.mark.django_db


def _activate(w):
    return services.activate_response(
        actor=w.duty_officer_a, hazard="flood", level="iv", incident_id=w.incident_a.pk
    )


def test_closing_an_incident_with_an_active_response_is_refused_and_names_it(response_world):
    w = response_world
    _activate(w)
    with pytest.raises((ConflictError, InvalidTransition)) as refused:
        command_services.close_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    assert refused.value.code == "open_work"
    lines = refused.value.errors["open_work"]
    assert len(lines) == 1
    assert "Flood" in lines[0] or "洪涝" in lines[0]
    w.incident_a.refresh_from_db()
    assert w.incident_a.status == IncidentStatus.OPEN


def test_ending_the_open_work_ends_the_response_and_cancels_its_instructions(response_world):
    w = response_world
    activation = _activate(w)
    command_services.close_incident(
        actor=w.duty_officer_a,
        incident_id=w.incident_a.pk,
        end_open_work=True,
        reason="险情排除，转入善后",
    )
    activation.refresh_from_db()
    assert activation.status == ActivationStatus.ENDED
    assert activation.steps.filter(kind="ended", reason="险情排除，转入善后").exists()
    assert not activation.instructions.exclude(status=InstructionStatus.CANCELLED).exists()
    w.incident_a.refresh_from_db()
    assert w.incident_a.status == IncidentStatus.CLOSED


def test_a_fire_dispatcher_cannot_end_the_bureaus_response_by_closing(response_world):
    w = response_world
    _activate(w)
    with pytest.raises(PermissionDeniedError):
        command_services.close_incident(
            actor=w.dispatcher_a, incident_id=w.incident_a.pk, end_open_work=True, reason="收队"
        )
    assert ResponseActivation.objects.get(incident=w.incident_a).status == ActivationStatus.ACTIVE
    w.incident_a.refresh_from_db()
    assert w.incident_a.status == IncidentStatus.OPEN


def test_no_response_is_started_for_a_call_transferred_to_12345(response_world):
    w = response_world
    command_services.transfer_to_hotline(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, summary="咨询防汛物资发放，转12345。"
    )
    with pytest.raises(InvalidTransition) as refused:
        _activate(w)
    assert refused.value.code == "not_emergency"
