"""Builders and fixtures shared by the roster tests (no tests here): a joint roster of
临清市应急管理局 + 临清市消防救援大队, a roster of a force, and one in 阳谷县."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from duty.rosters import services

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def add_shift(actor, roster, start, end, *, leader="李带班", officers=None, **extra):
    if officers is None:
        officers = [services.OfficerInput(name="王值班", phone="13800001111")]
    return services.create_shift(
        actor=actor,
        roster_id=roster.pk,
        data={
            "starts_at": start,
            "ends_at": end,
            "leader_name": leader,
            "leader_phone": "13912345678" if leader else "",
            **extra,
        },
        officers=officers,
    )


@pytest.fixture
def duty_world(world):
    w = world
    w.joint = services.create_roster(
        actor=w.duty_officer_a,
        organisation=w.bureau_a,
        name="临清市应急联合值守表",
        partners=[w.fire_a],
    )
    w.force_roster = services.create_roster(
        actor=w.editor_a, organisation=w.water_a, name="水利抢险队值班表", force=w.force_a
    )
    w.roster_b = services.create_roster(
        actor=w.duty_officer_b, organisation=w.bureau_b, name="阳谷县应急值班表"
    )
    w.day = date.today() + timedelta(days=1)
    return w


@pytest.fixture
def two_shifts(duty_world):
    """Two consecutive 12-hour shifts on the joint roster, one officer from each partner."""
    w = duty_world
    day = w.day
    w.shift1 = add_shift(
        w.duty_officer_a,
        w.joint,
        at(day, 8),
        at(day, 20),
        officers=[
            services.OfficerInput(
                name="王值班", phone="13800001111", organisation_id=w.bureau_a.pk
            ),
            services.OfficerInput(name="赵消防", phone="13800002222", organisation_id=w.fire_a.pk),
        ],
    )
    w.shift2 = add_shift(
        w.dispatcher_a,
        w.joint,
        at(day, 20),
        at(day + timedelta(days=1), 8),
        officers=[
            services.OfficerInput(name="孙值班", phone="13800003333", organisation_id=w.bureau_a.pk)
        ],
    )
    w.out_officer = w.shift1.officers.get(name="王值班")
    w.in_officer = w.shift2.officers.get(name="孙值班")
    return w
