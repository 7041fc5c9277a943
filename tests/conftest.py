"""Personas shared by every test: two counties of one city, each with its bureau, fire
brigade and departments, and a user for every role."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.choices import JurisdictionLevel as L
from core.choices import OrganisationKind as K
from core.roles import Role
from tests import factories as f


def pytest_collection_modifyitems(config, items):
    """``postgres`` tests need row locks; ``redis`` tests need a server. Elsewhere they
    are skipped with the reason, and CI runs them against the real servers."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    has_redis = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_in_process():
    """Tasks run eagerly in tests even where REDIS_URL points Celery at a broker; the
    worker-side behaviour (acks_late, retries) is configured on the tasks themselves."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Two counties (A = 临清市, B = 阳谷县) under 聊城市, and their people."""
    province = f.jurisdiction("370000", "山东省", L.PROVINCE)
    city = f.jurisdiction("371500", "聊城市", L.CITY, province)
    county_a = f.jurisdiction("371581", "临清市", L.COUNTY, city)
    county_b = f.jurisdiction("371521", "阳谷县", L.COUNTY, city)
    town_a = f.jurisdiction("371581101", "松林镇", L.TOWNSHIP, county_a)

    w = SimpleNamespace(
        province=province, city=city, county_a=county_a, county_b=county_b, town_a=town_a
    )
    w.city_bureau = f.organisation("聊城市应急管理局", K.EMERGENCY_BUREAU, city, tier=1)
    w.bureau_a = f.organisation("临清市应急管理局", K.EMERGENCY_BUREAU, county_a, tier=1)
    w.fire_a = f.organisation("临清市消防救援大队", K.FIRE_RESCUE, county_a, tier=1)
    w.water_a = f.organisation("临清市水利局", K.INDUSTRY_DEPARTMENT, county_a, sector="水利")
    w.power_a = f.organisation("国网临清市供电公司", K.ENTERPRISE, county_a, tier=2)
    w.bureau_b = f.organisation("阳谷县应急管理局", K.EMERGENCY_BUREAU, county_b, tier=1)
    w.fire_b = f.organisation("阳谷县消防救援大队", K.FIRE_RESCUE, county_b, tier=1)
    w.water_b = f.organisation("阳谷县水利局", K.INDUSTRY_DEPARTMENT, county_b, sector="水利")

    w.duty_officer_a = f.user("duty_a", w.bureau_a, Role.DUTY_OFFICER)
    w.approver_a = f.user("approver_a", w.bureau_a, Role.BUREAU_APPROVER)
    w.dispatcher_a = f.user("dispatcher_a", w.fire_a, Role.FIRE_DISPATCHER)
    w.dispatcher_b = f.user("dispatcher_b", w.fire_b, Role.FIRE_DISPATCHER)
    w.editor_a = f.user("editor_water_a", w.water_a, Role.DEPARTMENT_EDITOR, display_name="王水利")
    w.editor_power_a = f.user("editor_power_a", w.power_a, Role.DEPARTMENT_EDITOR)
    w.editor_b = f.user("editor_water_b", w.water_b, Role.DEPARTMENT_EDITOR)
    w.force_account_a = f.user("force_a", w.water_a, Role.FORCE_ACCOUNT)
    w.screen_a = f.user("screen_a", w.bureau_a, Role.SCREEN)
    w.admin_a = f.user("admin_a", w.bureau_a, Role.ADMINISTRATOR)
    w.admin_city = f.user("admin_city", w.city_bureau, Role.ADMINISTRATOR)
    w.city_fire = f.organisation("聊城市消防救援支队", K.FIRE_RESCUE, city, tier=1)
    w.dispatcher_city = f.user("dispatcher_city", w.city_fire, Role.FIRE_DISPATCHER)
    w.approver_city = f.user("approver_city", w.city_bureau, Role.BUREAU_APPROVER)
    w.approver_b = f.user("approver_b", w.bureau_b, Role.BUREAU_APPROVER)
    w.duty_officer_b = f.user("duty_b", w.bureau_b, Role.DUTY_OFFICER)
    w.force_account_power_a = f.user("force_power_a", w.power_a, Role.FORCE_ACCOUNT)
    w.force_account_b = f.user("force_b", w.water_b, Role.FORCE_ACCOUNT)
    w.screen_city = f.user("screen_city", w.city_bureau, Role.SCREEN)
    w.sync_client = f.user("province_sync", w.city_bureau, Role.SYNC_CLIENT)

    w.water = f.specialty("water", "水域")
    w.flood = f.specialty("flood", "防汛抢险")
    w.force_a = f.force(
        w.editor_a,
        w.water_a,
        name="临清市水利抢险队",
        leader_name="张建国",
        leader_phone="13812345678",
        specialties=[w.water, w.flood],
        industry_authority=w.water_a,
    )
    w.force_power_a = f.force(
        w.editor_power_a, w.power_a, name="临清供电抢修队", category="enterprise"
    )
    w.force_b = f.force(w.editor_b, w.water_b, name="阳谷县水利抢险队")
    return w


@pytest.fixture
def incident_world(world):
    """``world`` plus an open flood incident in county A (临清市)."""
    world.flood_type = f.incident_type("11A01", "洪水", "natural", "flood")
    world.fire_type = f.incident_type("22A01", "建筑火灾", "accident", "fire")
    world.incident_a = f.incident(
        world.duty_officer_a,
        title="卫运河临清段漫堤",
        incident_type=world.flood_type,
        jurisdiction=world.county_a,
    )
    world.incident_b = f.incident(
        world.duty_officer_b,
        title="阳谷县城区内涝",
        incident_type=world.flood_type,
        jurisdiction=world.county_b,
    )
    return world


@pytest.fixture
def warning_world(world):
    """``world`` plus what warnings need (DESIGN12): hazard types, a second township of
    county A with villages and their grids (网格责任人 with supervisors), a grid in county
    B, county A's weather bureau and its editor."""
    w = world
    w.town_a2 = f.jurisdiction("371581102", "先锋街道", L.TOWNSHIP, w.county_a)
    w.town_b = f.jurisdiction("371521101", "博济桥街道", L.TOWNSHIP, w.county_b)
    w.village_a1 = f.jurisdiction("371581101001", "松林村", L.VILLAGE, w.town_a)
    w.village_a2 = f.jurisdiction("371581101002", "东关村", L.VILLAGE, w.town_a)
    w.village_a3 = f.jurisdiction("371581102001", "先锋社区", L.VILLAGE, w.town_a2)
    w.evacuation = f.specialty("evacuation", "人员疏散安置")
    w.flood_hazard = f.hazard_type(
        "flood", "洪水", "水利", specialties=[w.flood, w.water], concerned=["交通运输"]
    )
    w.rainstorm_hazard = f.hazard_type(
        "rainstorm", "暴雨", "气象", specialties=[w.flood], concerned=["水利"]
    )
    w.geo_hazard = f.hazard_type("geological", "地质灾害", "自然资源和规划", category="Geo")
    w.weather_a = f.organisation("临清市气象局", K.INDUSTRY_DEPARTMENT, w.county_a, sector="气象")
    w.editor_weather_a = f.user("editor_weather_a", w.weather_a, Role.DEPARTMENT_EDITOR)
    town_a_leader = {"supervisor_name": "刘镇长", "supervisor_phone": "13905350001"}
    town_a2_leader = {"supervisor_name": "陈主任", "supervisor_phone": "13905350002"}
    w.grid_a1 = f.grid(
        w.village_a1, "371581101001-01", "松林村一网格", "李大山", "13805351001", **town_a_leader
    )
    w.grid_a2 = f.grid(
        w.village_a1, "371581101001-02", "松林村二网格", "王秀英", "13805351002", **town_a_leader
    )
    w.grid_a3 = f.grid(
        w.village_a2, "371581101002-01", "东关村网格", "赵明", "13805351003", **town_a_leader
    )
    w.grid_a4 = f.grid(
        w.village_a3, "371581102001-01", "先锋社区一网格", "孙丽", "13805351004", **town_a2_leader
    )
    w.grid_a5 = f.grid(
        w.town_a2, "371581102000-01", "先锋街道机关网格", "周平", "13805351005", **town_a2_leader
    )
    w.grid_b1 = f.grid(
        w.town_b,
        "371521101000-01",
        "博济桥网格",
        "吴刚",
        "13805352001",
        supervisor_name="郑书记",
        supervisor_phone="13905352001",
    )
    return w


@pytest.fixture
def api():
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"
