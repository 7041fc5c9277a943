"""会商研判 (Tieling §三.(二).3): meetings for an incident, a warning or a risk period, with
the departments and experts of the expert database who took part, the conclusions and the
response level they recommend — recorded, updated while open, concluded once."""

from __future__ import annotations

import datetime

import pytest

from command.choices import ConsultationStatus, IncidentLevel
from command.consultations import (
    conclude_consultation,
    consultations_for,
    record_consultation,
    update_consultation,
)
from command.events import ConsultationEvent
from command.models import Consultation
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from tests.command import consultation_fixtures
from tests.command.consultation_fixtures import HELD_AT, meeting

consult_world = consultation_fixtures.consult_world

pytestmark = pytest.mark.django_db


def test_a_meeting_for_an_incident_is_recorded_with_departments_and_experts(consult_world):
    w = consult_world
    c = meeting(w)
    assert (c.jurisdiction, c.incident, c.status) == (w.county_a, w.incident_a, "open")
    assert set(c.departments.all()) == {w.water_a, w.fire_a}
    assert set(c.experts.all()) == {w.expert_water, w.expert_city}
    event = Event.objects.get(type=ConsultationEvent.RECORDED)
    assert event.payload["experts"] == [w.expert_water.pk, w.expert_city.pk]


def test_a_risk_period_meeting_has_a_topic_and_the_bureaus_area(consult_world):
    w = consult_world
    c = meeting(w, incident_id=None, topic="汛期重点时段风险综合研判", experts=[])
    assert (c.incident, c.warning, c.jurisdiction) == (None, None, w.county_a)
    city = meeting(w, actor=w.admin_city, incident_id=None, topic="全市汛期研判", experts=[])
    assert city.jurisdiction == w.city


def test_a_meeting_is_for_an_incident_or_a_warning_not_both(warning_world):
    from earlywarning.models import HazardWarning

    w = warning_world
    from tests import factories as f

    incident = f.incident(w.duty_officer_a, jurisdiction=w.county_a)
    warning = HazardWarning.objects.first()
    with pytest.raises((ValidationFailed, NotFoundError)):
        record_consultation(
            actor=w.duty_officer_a,
            topic="x",
            held_at=HELD_AT,
            incident_id=incident.pk,
            warning_id=warning.pk if warning else 999999,
        )


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("duty_officer_a", None),
        ("approver_a", None),
        ("admin_a", None),
        ("admin_city", None),
        ("approver_city", None),
        ("dispatcher_a", PermissionDeniedError),
        ("editor_a", PermissionDeniedError),
        ("force_account_a", PermissionDeniedError),
        ("screen_a", PermissionDeniedError),
        ("sync_client", PermissionDeniedError),
        ("duty_officer_b", NotFoundError),
        ("approver_b", NotFoundError),
    ],
)
def test_who_records_a_consultation(consult_world, persona, outcome):
    w = consult_world
    actor = getattr(w, persona)
    if outcome is None:
        assert meeting(w, actor=actor).recorded_by == actor
    else:
        with pytest.raises(outcome):
            meeting(w, actor=actor)
        assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("duty_officer_a", None),
        ("approver_a", None),
        ("admin_city", None),
        ("dispatcher_a", PermissionDeniedError),
        ("screen_a", PermissionDeniedError),
        ("duty_officer_b", NotFoundError),
    ],
)
def test_who_updates_and_concludes_it(consult_world, persona, outcome):
    w = consult_world
    c = meeting(w)
    actor = getattr(w, persona)
    if outcome is None:
        update_consultation(actor=actor, consultation_id=c.pk, place="线上视频会商")
        conclude_consultation(
            actor=actor,
            consultation_id=c.pk,
            conclusions="建议启动防汛IV级应急响应，转移沿河群众。",
            recommended_level=IncidentLevel.IV,
        )
        c.refresh_from_db()
        assert (c.status, c.recommended_level, c.place) == ("concluded", "iv", "线上视频会商")
    else:
        with pytest.raises(outcome):
            update_consultation(actor=actor, consultation_id=c.pk, place="线上视频会商")
        with pytest.raises(outcome):
            conclude_consultation(actor=actor, consultation_id=c.pk, conclusions="结论")
        c.refresh_from_db()
        assert c.status == ConsultationStatus.OPEN


def test_departments_and_experts_come_from_the_area_or_above(consult_world):
    w = consult_world
    with pytest.raises(ValidationFailed) as raised:
        meeting(w, departments=[w.water_b], experts=[w.expert_b])
    assert set(raised.value.errors) == {"departments", "experts"}
    assert "孙阳谷" in raised.value.errors["experts"][0]


def test_a_meeting_needs_a_topic_a_time_and_a_known_level(consult_world):
    w = consult_world
    with pytest.raises(ValidationFailed) as raised:
        meeting(w, topic=" ", held_at=None, recommended_level="v")
    assert set(raised.value.errors) == {"topic", "held_at", "recommended_level"}


def test_updating_changes_the_participants_and_says_what_changed(consult_world):
    w = consult_world
    c = meeting(w)
    update_consultation(
        actor=w.duty_officer_a,
        consultation_id=c.pk,
        departments=[w.water_a],
        experts=[w.expert_water],
        situation="水位回落。",
    )
    assert set(c.departments.all()) == {w.water_a}
    assert set(c.experts.all()) == {w.expert_water}
    event = Event.objects.get(type=ConsultationEvent.UPDATED)
    assert set(event.payload["changed"]) == {"situation", "departments", "experts"}
    # Saving it as it is records nothing.
    update_consultation(actor=w.duty_officer_a, consultation_id=c.pk, situation="水位回落。")
    assert Event.objects.filter(type=ConsultationEvent.UPDATED).count() == 1


def test_a_concluded_meeting_is_not_changed_and_conclusions_are_required(consult_world):
    w = consult_world
    c = meeting(w)
    with pytest.raises(ValidationFailed):
        conclude_consultation(actor=w.duty_officer_a, consultation_id=c.pk, conclusions=" ")
    conclude_consultation(actor=w.duty_officer_a, consultation_id=c.pk, conclusions="继续监测")
    with pytest.raises(InvalidTransition) as raised:
        conclude_consultation(actor=w.duty_officer_a, consultation_id=c.pk, conclusions="再议")
    assert raised.value.code == "consultation_concluded"
    with pytest.raises(InvalidTransition):
        update_consultation(actor=w.duty_officer_a, consultation_id=c.pk, place="改")


def test_an_unknown_field_is_refused(consult_world):
    w = consult_world
    c = meeting(w)
    with pytest.raises(ValidationFailed) as raised:
        update_consultation(actor=w.duty_officer_a, consultation_id=c.pk, status="concluded")
    assert "status" in raised.value.errors


@pytest.mark.parametrize(
    ("persona", "count"),
    [
        ("duty_officer_a", 2),
        ("dispatcher_a", 2),
        ("screen_a", 2),
        ("sync_client", 2),
        ("admin_city", 2),
        ("duty_officer_b", 0),
        ("editor_a", 0),
        ("force_account_a", 0),
    ],
)
def test_who_reads_the_meetings(consult_world, persona, count):
    w = consult_world
    meeting(w)
    meeting(w, incident_id=None, topic="汛期研判")
    assert consultations_for(getattr(w, persona)).count() == count


def test_listing_meetings_takes_the_same_queries_however_many(
    consult_world, django_assert_num_queries
):
    w = consult_world
    for i in range(5):
        meeting(w, topic=f"会商{i}", held_at=HELD_AT + datetime.timedelta(hours=i))

    def read():
        return [
            (c.topic, [o.name for o in c.departments.all()], [e.name for e in c.experts.all()])
            for c in consultations_for(w.duty_officer_a)
        ]

    with django_assert_num_queries(4):
        rows = read()
    assert len(rows) == 5
