"""Fixtures of the passage tests: the traffic police and the transport bureau of county A
(临清市), their accounts, and a helper to issue passes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.choices import OrganisationKind as K
from core.roles import Role
from support.passage import services
from tests import factories as f


@pytest.fixture
def passage_world(incident_world):
    w = incident_world
    w.police_a = f.organisation(
        "临清市公安局交通警察大队", K.GOVERNMENT_OFFICE, w.county_a, tier=1, sector="公安"
    )
    w.police_a.duty_phone = "0635-2341122"
    w.police_a.save(update_fields=["duty_phone"])
    w.transport_a = f.organisation(
        "临清市交通运输局", K.INDUSTRY_DEPARTMENT, w.county_a, sector="交通运输"
    )
    w.police_b = f.organisation(
        "阳谷县公安局交通警察大队", K.GOVERNMENT_OFFICE, w.county_b, tier=1, sector="公安"
    )
    w.police_editor_a = f.user("police_editor_a", w.police_a, Role.DEPARTMENT_EDITOR)
    w.transport_editor_a = f.user("transport_editor_a", w.transport_a, Role.DEPARTMENT_EDITOR)
    return w


def request_data(world, **extra):
    data = {
        "kind": "traffic_control",
        "addressee": world.police_a.pk,
        "area": "G308线先锋桥至松林段",
        "reason": "卫运河漫堤，抢险车辆通行",
        "starts_at": timezone.now(),
    }
    data.update(extra)
    return data


def make_request(world, actor=None, **extra):
    return services.request_passage(
        actor=actor or world.duty_officer_a,
        incident_id=world.incident_a.pk,
        data=request_data(world, **extra),
    )


def pass_data(world, **extra):
    now = timezone.now()
    data = {
        "incident": world.incident_a.pk,
        "force": world.force_a.pk,
        "plate": "鲁P12345",
        "vehicle": "抢险运输车",
        "route": "临清市区—先锋桥—松林镇",
        "valid_from": now - datetime.timedelta(minutes=5),
        "valid_until": now + datetime.timedelta(days=3),
    }
    data.update(extra)
    return data


def make_pass(world, actor=None, **extra):
    return services.issue_pass(actor=actor or world.duty_officer_a, data=pass_data(world, **extra))
