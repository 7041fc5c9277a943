"""The intake steps read as sentences on the incident's timeline, not as event codes."""

from __future__ import annotations

import pytest
from django.utils import translation

from command import services
from core.models import Event
from dispatch.sentences import timeline_sentence
from tests.command.intake_fixtures import intake_world  # noqa: F401

pytestmark = pytest.mark.django_db


def _sentences(incident) -> list[str]:
    events = Event.objects.filter(subject_id=str(incident.pk), type__startswith="incident.")
    with translation.override("zh-hans"):
        return [timeline_sentence(e, {}) for e in events.order_by("seq")]


def test_a_hand_over_and_a_progress_note_read_as_sentences(intake_world):  # noqa: F811
    w = intake_world
    services.hand_over(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, to_unit_id=w.ecology_a.pk
    )
    services.add_note(actor=w.ecology_user, incident_id=w.incident_a.pk, text="监测人员已到场")
    sentences = _sentences(w.incident_a)
    assert f"已移交：{w.bureau_a.name} → {w.ecology_a.name}" in sentences
    assert f"{w.ecology_a.name} 反馈了进展" in sentences
    assert not any(s.startswith("incident.") for s in sentences)


def test_a_12345_transfer_and_its_reply_name_the_work_order(intake_world):  # noqa: F811
    w = intake_world
    services.transfer_to_hotline(
        actor=w.duty_officer_a,
        incident_id=w.incident_a.pk,
        summary="路灯不亮",
        work_order_number="LC2026120400317",
    )
    services.record_hotline_reply(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, reply="已修复"
    )
    sentences = _sentences(w.incident_a)
    assert "已转12345热线（工单号 LC2026120400317）" in sentences
    assert "12345热线已答复（工单号 LC2026120400317）" in sentences


def test_who_commands_names_the_maritime_centre_and_the_hall_leaves_out_12345_calls(
    intake_world,  # noqa: F811
    client,
):
    from hall.selectors import command_panel

    w = intake_world
    services.hand_to_maritime(actor=w.duty_officer_a, incident_id=w.incident_a.pk, note="货船搁浅")
    client.force_login(w.duty_officer_a)
    page = client.get(f"/command/incidents/{w.incident_a.pk}/").content.decode()
    assert f'data-authority="fire_brigade">{w.maritime.name}</strong>' in page
    assert w.incident_a.pk not in [row.pk for row in command_panel(w.duty_officer_a)["rows"]]
