"""Incident rules (SPEC §3): who records and changes incidents, in which jurisdiction,
and the events they leave. Seeds: Liaocheng §三.三.1 (the bureau and the fire brigade of
the same level share every incident), Zhoushan §三.1 (graded handling: re-assessment)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from command import services
from command.choices import IncidentLevel, IncidentStatus
from command.models import Incident
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def data(w, **extra):
    values = {
        "title": "临清市先锋路商铺火灾",
        "source": "119",
        "incident_type": w.fire_type,
        "latitude": Decimal("36.840100"),
        "longitude": Decimal("115.711200"),
    }
    values.update(extra)
    return values


def events(incident, type_):
    return Event.objects.filter(
        subject_type="command.incident", subject_id=str(incident.pk), type=type_
    )


@pytest.mark.parametrize("persona", ["duty_officer_a", "dispatcher_a", "admin_a"])
def test_duty_officer_dispatcher_and_admin_record_incidents_in_their_jurisdiction(
    incident_world, persona
):
    """Liaocheng §三.三.1: the bureau and the fire brigade both receive and record."""
    w = incident_world
    actor = getattr(w, persona)
    with time_machine.travel(NOW, tick=False):
        incident = services.create_incident(actor=actor, data=data(w))
    assert incident.jurisdiction == w.county_a  # defaults to the recorder's
    assert incident.received_at == NOW
    assert incident.status == IncidentStatus.OPEN
    assert incident.level == IncidentLevel.UNASSESSED
    assert incident.reported_by == actor
    event = events(incident, "incident.created").get()
    assert event.jurisdiction == w.county_a and event.actor == actor
    assert event.payload["source"] == "119"
    assert incident.history.latest().history_user == actor


@pytest.mark.parametrize("persona", ["approver_a", "screen_a", "editor_a", "force_account_a"])
def test_other_roles_cannot_record_incidents(incident_world, persona):
    """SPEC §3: incidents are recorded by the duty room and the brigade's dispatchers (and
    handed down by the provincial sync client: tests/security/test_sync_client_writes.py)."""
    w = incident_world
    with pytest.raises(PermissionDeniedError):
        services.create_incident(actor=getattr(w, persona), data=data(w))


def test_incident_outside_the_recorders_jurisdiction_is_refused(incident_world):
    """Liaocheng §三.三.1: each level records the incidents of its own area."""
    w = incident_world
    with pytest.raises(ValidationFailed) as exc:
        services.create_incident(actor=w.duty_officer_a, data=data(w, jurisdiction=w.county_b))
    assert "jurisdiction" in exc.value.errors
    city_level = services.create_incident(actor=w.admin_city, data=data(w, jurisdiction=w.county_b))
    assert city_level.jurisdiction == w.county_b


def test_invalid_incident_is_refused_with_field_errors(incident_world):
    """SPEC §3: location is required and must be a real coordinate."""
    w = incident_world
    before = Incident.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.create_incident(
            actor=w.duty_officer_a, data=data(w, latitude=Decimal("95"), title="")
        )
    assert {"latitude", "title"} <= set(exc.value.errors)
    assert Incident.objects.count() == before


def test_level_change_is_recorded_as_a_reassessment(incident_world):
    """Zhoushan §三.1: 分级分类指挥 — an incident may start unassessed and be re-assessed,
    as a step with its reason; the plain update refuses a level change."""
    w = incident_world
    incident = w.incident_a
    with pytest.raises(ValidationFailed) as exc:
        services.update_incident(
            actor=w.dispatcher_a, incident_id=incident.pk, data={"level": IncidentLevel.III}
        )
    assert exc.value.code == "reassessment_required"
    services.reassess_incident(
        actor=w.dispatcher_a, incident_id=incident.pk, level=IncidentLevel.III, reason="被困4人"
    )
    event = events(incident, "incident.reassessed").get()
    assert event.payload["old_level"] == "iv" and event.payload["level"] == "iii"
    assert event.payload["reason"] == "被困4人"
    services.update_incident(
        actor=w.duty_officer_a, incident_id=incident.pk, data={"injuries": 2, "deaths": 0}
    )
    event = events(incident, "incident.updated").get()
    assert event.payload["changed"] == ["injuries"]
    assert event.jurisdiction == w.county_a


def test_an_update_that_changes_nothing_records_nothing(incident_world):
    w = incident_world
    before = Event.objects.count()
    services.update_incident(
        actor=w.duty_officer_a,
        incident_id=w.incident_a.pk,
        data={"title": w.incident_a.title},
    )
    assert Event.objects.count() == before


def test_status_and_recorder_are_not_changed_by_an_update(incident_world):
    """SPEC §3: an incident is closed by closing it, not by editing its status."""
    w = incident_world
    incident = services.update_incident(
        actor=w.duty_officer_a,
        incident_id=w.incident_a.pk,
        data={"status": IncidentStatus.CLOSED, "reported_by": w.admin_a, "description": "x"},
    )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN
    assert incident.reported_by == w.duty_officer_a
    assert incident.description == "x"


def test_other_county_gets_not_found_and_wrong_role_permission_denied(incident_world):
    """Liaocheng §三.三.1: each county's incidents are its own."""
    w = incident_world
    with pytest.raises(NotFoundError):
        services.update_incident(
            actor=w.duty_officer_b, incident_id=w.incident_a.pk, data={"injuries": 1}
        )
    with pytest.raises(NotFoundError):
        services.close_incident(actor=w.dispatcher_b, incident_id=w.incident_a.pk)
    with pytest.raises(PermissionDeniedError):
        services.update_incident(
            actor=w.screen_a, incident_id=w.incident_a.pk, data={"injuries": 1}
        )
    with pytest.raises(PermissionDeniedError):
        services.close_incident(actor=w.approver_a, incident_id=w.incident_a.pk)
    with pytest.raises(NotFoundError):
        services.close_incident(actor=w.duty_officer_a, incident_id=987654)


def test_moving_an_incident_out_of_the_jurisdiction_is_refused(incident_world):
    w = incident_world
    with pytest.raises(ValidationFailed) as exc:
        services.update_incident(
            actor=w.duty_officer_a,
            incident_id=w.incident_a.pk,
            data={"jurisdiction": w.county_b},
        )
    assert "jurisdiction" in exc.value.errors
    assert Incident.objects.get(pk=w.incident_a.pk).jurisdiction == w.county_a


def test_closed_incident_cannot_be_changed_or_closed_again(incident_world):
    """SPEC §3: once closed, the incident's record stands."""
    w = incident_world
    with time_machine.travel(NOW, tick=False) as traveller:
        traveller.shift(timedelta(hours=5))
        incident = services.close_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    assert incident.status == IncidentStatus.CLOSED
    assert incident.closed_at == NOW + timedelta(hours=5)
    assert events(incident, "incident.closed").get().jurisdiction == w.county_a
    with pytest.raises(InvalidTransition) as exc:
        services.close_incident(actor=w.duty_officer_a, incident_id=incident.pk)
    assert exc.value.code == "incident_closed"
    with pytest.raises(InvalidTransition) as exc:
        services.update_incident(
            actor=w.duty_officer_a, incident_id=incident.pk, data={"injuries": 3}
        )
    assert exc.value.code == "incident_closed"
