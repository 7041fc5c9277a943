"""Acknowledging by SMS is as strict as acknowledging on the page (issue 10): a phone
answers only what it was sent, and what an answer records (the order, its event, the
API) names the phone masked, never in full."""

from __future__ import annotations

import json
import re

import pytest

from core.models import Event
from dispatch import services
from dispatch.choices import OrderStatus
from duty.models import RollCallOutcome
from duty.rollcalls import services as rollcall_services
from forces.models import Force
from notify import services as notify_services
from notify.models import SimulatedMessage
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _domain_handlers():
    """The registry is process-wide and other tests replace a purpose's handler with
    their own: these tests need the real ones, as AppConfig.ready() registers them."""
    from dispatch.notifications import register_handlers as dispatch_handlers
    from duty.rollcalls.notifications import register_handlers as duty_handlers

    dispatch_handlers()
    duty_handlers()


DUTY_A = "0635-2100001"
DUTY_POWER = "0635-2100002"
LEADER_A = "13812345678"


@pytest.fixture
def w(incident_world):
    Force.objects.filter(pk=incident_world.force_a.pk).update(duty_phone=DUTY_A)
    Force.objects.filter(pk=incident_world.force_power_a.pk).update(duty_phone=DUTY_POWER)
    return incident_world


def code_sent_to(phone, verb="签收"):
    body = SimulatedMessage.objects.filter(to=phone).order_by("pk").first().body
    return re.search(rf"回复(\d{{4,5}}){verb}", body).group(1)


def test_a_phone_cannot_acknowledge_an_order_it_was_not_sent(w, django_capture_on_commit_callbacks):
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_power_a], submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        orders = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    # The power company's duty phone replies with the water force's code.
    outcome = notify_services.receive_reply(phone=DUTY_POWER, body=code_sent_to(DUTY_A))
    assert not outcome.ok
    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.ISSUED and order.acknowledged_via == ""


def test_a_phone_cannot_answer_another_forces_roll_call(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        roll_call = rollcall_services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
    outcome = notify_services.receive_reply(phone=DUTY_POWER, body=code_sent_to(DUTY_A, "应答"))
    assert not outcome.ok
    assert roll_call.targets.get(force=w.force_a).outcome == RollCallOutcome.WAITING


def test_what_an_sms_answer_records_names_the_phone_masked(
    w, api, django_capture_on_commit_callbacks
):
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        [order] = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    assert notify_services.receive_reply(phone=LEADER_A, body=code_sent_to(LEADER_A)).ok
    for event in Event.objects.all():
        assert LEADER_A not in json.dumps(event.payload, ensure_ascii=False)
    body = api(w.dispatcher_a).get(f"/api/v1/dispatch/orders/{order.pk}/").json()
    assert body["acknowledged_via"] == "sms"
    assert body["acknowledged_label"] == "短信回复，138****5678"
    assert LEADER_A not in json.dumps(body, ensure_ascii=False)
