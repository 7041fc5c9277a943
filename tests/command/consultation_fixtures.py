"""Experts of the expert database and a meeting recorded through the service, for the
会商研判 tests."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from command.consultations import record_consultation
from forces.models import Expert

HELD_AT = timezone.make_aware(datetime.datetime(2026, 7, 12, 15, 30))


@pytest.fixture
def consult_world(incident_world):
    w = incident_world
    w.expert_water = Expert.objects.create(
        name="刘河清",
        field="水利工程",
        title="高级工程师",
        employer="临清市水利局",
        phone="13905351234",
        organisation=w.water_a,
        jurisdiction=w.county_a,
    )
    w.expert_city = Expert.objects.create(
        name="陈地质",
        field="地质灾害",
        phone="13905359876",
        organisation=w.city_bureau,
        jurisdiction=w.city,
    )
    w.expert_b = Expert.objects.create(
        name="孙阳谷",
        field="水利工程",
        phone="13905352222",
        organisation=w.water_b,
        jurisdiction=w.county_b,
    )
    return w


def meeting(w, actor=None, **extra):
    data = {
        "topic": "卫运河临清段漫堤险情会商研判",
        "held_at": HELD_AT,
        "incident_id": w.incident_a.pk,
        "place": "临清市应急指挥部会商室",
        "chaired_by": "临清市应急管理局局长",
        "departments": [w.water_a, w.fire_a],
        "experts": [w.expert_water, w.expert_city],
        "situation": "卫运河水位超警戒0.8米，堤防渗水。",
    }
    data.update(extra)
    return record_consultation(actor=actor or w.duty_officer_a, **data)
