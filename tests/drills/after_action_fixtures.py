"""A closed incident of county A with a drill follow-up action beside it, for the
after-action report tests."""

from __future__ import annotations

import datetime

import pytest

from command import services as command_services
from drills.after_action import ProblemInput, save_after_action

SECTIONS = {
    "summary": "7月12日14时卫运河临清段漫堤，大队出动3车15人，18时险情排除。",
    "what_worked": "与水利抢险队联动顺畅，30分钟内到场。",
    "what_failed": "夜间照明不足，通信中继未及时架设。",
    "suggestions": "配备移动照明车；建立通信中继预置点。",
}


@pytest.fixture
def closed_world(incident_world):
    w = incident_world
    command_services.close_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    w.incident_a.refresh_from_db()
    command_services.close_incident(actor=w.duty_officer_b, incident_id=w.incident_b.pk)
    w.incident_b.refresh_from_db()
    return w


def problem(w, text="夜间照明不足", owner=None, days=30):
    return ProblemInput(
        problem=text,
        owner=owner or w.fire_a,
        deadline=datetime.date.today() + datetime.timedelta(days=days),
        action="配备移动照明车",
        owner_person="赵队长",
    )


def draft(w, actor=None, problems=None, **texts):
    return save_after_action(
        actor=actor or w.dispatcher_a,
        incident_id=w.incident_a.pk,
        problems=problems,
        **{**SECTIONS, **texts},
    )
