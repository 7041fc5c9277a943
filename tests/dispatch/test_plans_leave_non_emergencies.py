"""A call transferred to 12345 or handed to the maritime SAR centre has left the emergency
flow: the fire brigade drafts no call-out plan for it (command.selectors.in_emergency_flow)."""

from __future__ import annotations

import pytest

from command import services as command_services
from core.exceptions import InvalidTransition
from tests import factories as f
from tests.command.intake_fixtures import intake_world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_no_plan_is_drafted_for_a_call_transferred_to_12345(intake_world):  # noqa: F811
    w = intake_world
    command_services.transfer_to_hotline(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, summary="路灯不亮，请城管维修。"
    )
    with pytest.raises(InvalidTransition) as refused:
        f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    assert refused.value.code == "not_emergency"


def test_no_plan_is_drafted_for_a_call_handed_to_the_maritime_centre(intake_world):  # noqa: F811
    w = intake_world
    command_services.hand_to_maritime(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, note="货船搁浅，请水上搜救中心处置。"
    )
    with pytest.raises(InvalidTransition) as refused:
        f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    assert refused.value.code == "not_emergency"


def test_an_emergency_call_still_gets_its_plan(intake_world):  # noqa: F811
    w = intake_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    assert plan.lines.count() == 1
