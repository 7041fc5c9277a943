"""A plan warns about a force already deployed and needs a confirmation to call it out
again; a line with 0 people is refused (issue 13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.exceptions import ValidationFailed
from core.models import Event
from dispatch import services
from dispatch.models import CallOutPlan
from tests import factories as f

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/dispatch/plans/"


def out_on_incident_a(w):
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    services.approve_plan(actor=w.approver_a, plan_id=plan.pk)


@pytest.fixture
def second_incident(incident_world):
    w = incident_world
    w.incident_a2 = f.incident(w.duty_officer_a, title="松林镇积水", jurisdiction=w.county_a)
    return w


def draft(w, *, people=6, allow_deployed=False):
    return services.draft_plan(
        actor=w.dispatcher_a,
        incident_id=w.incident_a2.pk,
        task="排涝",
        reason="积水深",
        lines=[services.LineInput(force_id=w.force_a.pk, people=people)],
        allow_deployed=allow_deployed,
    )


def test_a_deployed_force_is_refused_without_confirmation_and_named(second_incident):
    w = second_incident
    out_on_incident_a(w)
    with pytest.raises(ValidationFailed) as exc:
        draft(w)
    assert exc.value.code == "force_deployed"
    assert "临清市水利抢险队" in exc.value.detail and "卫运河临清段漫堤" in exc.value.detail
    assert "allow_deployed" in exc.value.errors and "lines.0.force" in exc.value.errors
    assert not CallOutPlan.objects.filter(incident=w.incident_a2).exists()


def test_confirmation_proceeds_and_is_recorded(second_incident):
    w = second_incident
    out_on_incident_a(w)
    plan = draft(w, allow_deployed=True)
    (line,) = plan.lines.all()
    assert line.already_deployed is True
    event = Event.objects.get(type="plan.drafted", subject_id=str(plan.pk))
    assert event.payload["deployed_confirmed"] == [w.force_a.pk]


def test_a_standby_force_needs_no_confirmation(second_incident):
    w = second_incident
    plan = draft(w)
    assert plan.lines.get().already_deployed is False


@pytest.mark.parametrize("people", [0, -1])
def test_a_line_with_nobody_is_refused_with_a_field_error(second_incident, people):
    w = second_incident
    with pytest.raises(ValidationFailed) as exc:
        draft(w, people=people)
    assert "lines.0.people" in exc.value.errors
    assert not CallOutPlan.objects.filter(incident=w.incident_a2).exists()


def test_editing_a_draft_to_zero_people_is_refused(second_incident):
    w = second_incident
    plan = draft(w)
    with pytest.raises(ValidationFailed):
        services.update_plan(
            actor=w.dispatcher_a,
            plan_id=plan.pk,
            task="排涝",
            reason="积水深",
            lines=[services.LineInput(force_id=w.force_a.pk, people=0)],
        )
    assert plan.lines.get().people == 6


def test_api_answers_400_for_zero_people_and_for_an_unconfirmed_deployed_force(
    second_incident, api
):
    w = second_incident
    api = api(w.dispatcher_a)
    body = {
        "incident": w.incident_a2.pk,
        "task": "排涝",
        "reason": "积水深",
        "lines": [{"force": w.force_a.pk, "people": 0}],
    }
    response = api.post(PLANS, body, format="json")
    assert response.status_code == 400
    assert "lines.0.people" in response.json()["errors"]

    out_on_incident_a(w)
    body["lines"][0]["people"] = 8
    response = api.post(PLANS, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "force_deployed"
    response = api.post(PLANS, {**body, "allow_deployed": True}, format="json")
    assert response.status_code == 201
    assert response.json()["lines"][0]["already_deployed"] is True


def form_data(w, *, people="6", confirm=False):
    data = {
        "task": "排涝",
        "reason": "积水深",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-force": str(w.force_a.pk),
        "lines-0-task": "",
        "lines-0-people": people,
        "lines-0-equipment": "",
    }
    if confirm:
        data["allow_deployed"] = "on"
    return data


def test_plan_page_warns_and_asks_to_confirm_a_deployed_force(second_incident, client):
    w = second_incident
    out_on_incident_a(w)
    client.force_login(w.dispatcher_a)
    url = reverse("dispatch:plan_create", args=[w.incident_a2.pk])

    refused = client.post(url, form_data(w))

    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'id="deployed-warning"' in page and 'name="allow_deployed"' in page
    assert "卫运河临清段漫堤" in page
    assert not CallOutPlan.objects.filter(incident=w.incident_a2).exists()

    confirmed = client.post(url, form_data(w, confirm=True))
    assert confirmed.status_code == 302
    plan = CallOutPlan.objects.get(incident=w.incident_a2)
    assert plan.lines.get().already_deployed
    detail = client.get(plan.get_absolute_url()).content.decode()
    assert "already-deployed" in detail


def test_plan_page_shows_the_zero_people_error_on_the_line(second_incident, client):
    w = second_incident
    client.force_login(w.dispatcher_a)
    url = reverse("dispatch:plan_create", args=[w.incident_a2.pk])
    response = client.post(url, form_data(w, people="0"))
    assert response.status_code == 400
    page = response.content.decode()
    # The error sits under the line's people field.
    row = page[page.index('name="lines-0-people"') :]
    assert "field-error" in row[: row.index("</td>")]
    assert not CallOutPlan.objects.filter(incident=w.incident_a2).exists()
