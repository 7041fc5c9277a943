"""Shared by the response tests (services, API, pages): county A's departments that
instructions go to, and the level IV and III flood manuals of county A."""

from __future__ import annotations

import importlib

import pytest

from core.choices import OrganisationKind as K
from core.roles import Role
from response.services import ManualLine, save_manual
from tests import factories as f


@pytest.fixture
def response_world(incident_world):
    """``incident_world`` plus four departments of county A with an editor each, and
    flood manuals IV (three lines) and III (two more lines) of county A."""
    w = incident_world
    w.water_a.duty_phone = "0635-2421234"
    w.water_a.save(update_fields=["duty_phone"])
    for attr, name, sector, editor in (
        ("natres_a", "临清市自然资源局", "自然资源和规划", "editor_natres_a"),
        ("housing_a", "临清市住房和城乡建设局", "住建", "editor_housing_a"),
        ("transport_a", "临清市交通运输局", "交通运输", "editor_transport_a"),
        ("health_a", "临清市卫生健康局", "卫健", "editor_health_a"),
    ):
        organisation = f.organisation(name, K.INDUSTRY_DEPARTMENT, w.county_a, sector=sector)
        setattr(w, attr, organisation)
        setattr(w, editor, f.user(editor, organisation, Role.DEPARTMENT_EDITOR))
    w.manual_iv = save_manual(
        actor=w.duty_officer_a,
        jurisdiction=w.county_a,
        hazard="flood",
        level="iv",
        title="临清市防汛Ⅳ级应急响应手册",
        conditions="卫运河临清站水位达到警戒水位",
        lines=[
            ManualLine("加强水库、河道巡查，每2小时报告一次水情", w.water_a, 60),
            ManualLine("开展地质灾害隐患点巡查", w.natres_a, 120),
            ManualLine("排查城市易涝点，备好排涝设备", w.housing_a, 90),
        ],
    )
    w.manual_iii = save_manual(
        actor=w.duty_officer_a,
        jurisdiction=w.county_a,
        hazard="flood",
        level="iii",
        title="临清市防汛Ⅲ级应急响应手册",
        lines=[
            ManualLine("加强水库、河道巡查，每2小时报告一次水情", w.water_a, 60),
            ManualLine("做好抢险物资运输车辆准备", w.transport_a, 60),
            ManualLine("医疗救护队伍待命", w.health_a, 30),
        ],
    )
    return w


@pytest.fixture
def instruction_rules(db):
    """The rules and steps of notify's migration 0006 (instructions). A transactional
    test's flush deletes migration data for the tests after it, so those ask for this
    fixture; elsewhere it finds the rows and changes nothing."""
    from django.apps import apps

    importlib.import_module("notify.migrations.0006_instruction_rules").seed(apps, None)
