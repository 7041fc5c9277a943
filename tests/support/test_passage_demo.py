"""The passage demo on the Linqing flood incident: a traffic-control request accepted, an
emergency channel awaiting an answer, two passes of which one revoked; a second run adds
nothing. And the incident page's passage section."""

from __future__ import annotations

import pytest
from django.urls import reverse

from command.models import Incident
from core.demo import DemoContext
from support.choices import PassageStatus
from support.models import PassageRequest, VehiclePass
from support.passage import demo, signing
from support.passage.signing import Verdict
from tests.support import passage_fixtures
from tests.support.passage_fixtures import make_pass, make_request

pytestmark = pytest.mark.django_db
passage_world = passage_fixtures.passage_world


def _context(w) -> DemoContext:
    ctx = DemoContext()
    ctx.users = {"linqing_duty": w.duty_officer_a, "linqing_dispatcher": w.dispatcher_a}
    ctx.orgs = {("linqing", "police"): w.police_a, ("linqing", "transport"): w.transport_a}
    return ctx


def test_the_demo_flood_incident_has_an_accepted_control_and_two_passes_one_revoked(
    passage_world,
):
    w = passage_world
    Incident.objects.filter(pk=w.incident_a.pk).update(title=demo.CANAL_PIPING)
    demo.seed(_context(w))
    statuses = sorted(PassageRequest.objects.values_list("kind", "status"))
    assert statuses == [
        ("emergency_channel", PassageStatus.SENT),
        ("traffic_control", PassageStatus.ACCEPTED),
    ]
    passes = list(VehiclePass.objects.order_by("pk"))
    assert len(passes) == 2
    verdicts = [signing.verify(signing.pass_token(p)).verdict for p in passes]
    assert verdicts == [Verdict.VALID, Verdict.REVOKED]
    demo.seed(_context(w))
    assert PassageRequest.objects.count() == 2 and VehiclePass.objects.count() == 2


def test_the_incident_page_shows_its_passage_with_the_buttons(passage_world, client):
    w = passage_world
    request = make_request(w)
    issued = make_pass(w)
    client.force_login(w.duty_officer_a)
    html = client.get(reverse("command:incident_detail", args=[w.incident_a.pk])).content.decode()
    assert 'id="support-passage"' in html
    assert request.number in html and issued.plate in html
    assert 'id="request-passage"' in html and 'id="issue-incident-pass"' in html
    client.force_login(w.screen_a)
    html = client.get(reverse("command:incident_detail", args=[w.incident_a.pk])).content.decode()
    assert 'id="support-passage"' not in html
