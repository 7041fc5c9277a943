"""Duty roster API: permission matrix, writes through services, error codes, masking,
query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duty.models import Shift, SpotCheck
from duty.rosters import services
from tests.duty import test_roster_fixtures as fx
from tests.duty.test_roster_fixtures import add_shift, at

pytestmark = pytest.mark.django_db
duty_world = fx.duty_world
two_shifts = fx.two_shifts

ROSTERS = "/api/v1/duty/rosters/"
SHIFTS = "/api/v1/duty/shifts/"
CHECKS = "/api/v1/duty/spot-checks/"


def _window(w):
    return {"from": at(w.day).isoformat(), "to": at(w.day + timedelta(days=2)).isoformat()}


def test_anonymous_gets_401(duty_world, api):
    for url in (ROSTERS, SHIFTS, CHECKS):
        response = api().get(url)
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("persona", ["screen_a", "force_account_a"])
def test_roles_without_registry_access_get_403(duty_world, api, persona):
    for url in (ROSTERS, SHIFTS, CHECKS):
        assert api(getattr(duty_world, persona)).get(url).status_code == 403


def test_rosters_are_scoped_to_jurisdiction_with_shifts_and_gaps(two_shifts, api):
    w = two_shifts
    data = api(w.dispatcher_a).get(ROSTERS, _window(w)).json()["results"]
    assert {r["name"] for r in data} == {"临清市应急联合值守表", "水利抢险队值班表"}
    joint = next(r for r in data if r["id"] == w.joint.pk)
    assert joint["partners"] == [w.fire_a.pk]
    assert [len(s["officers"]) for s in joint["shifts"]] == [2, 1]
    assert joint["gaps"][0][1].startswith(f"{w.day:%Y-%m-%d}T08:00")
    assert "feed_token" not in joint
    names = {r["name"] for r in api(w.dispatcher_b).get(ROSTERS).json()["results"]}
    assert names == {"阳谷县应急值班表"}
    assert api(w.dispatcher_b).get(f"{ROSTERS}{w.joint.pk}/").status_code == 404
    assert api(w.dispatcher_a).get(ROSTERS, {"from": "x"}).status_code == 400


def test_phones_masked_for_non_partners(two_shifts, api):
    w = two_shifts
    shift = api(w.editor_a).get(f"{SHIFTS}{w.shift1.pk}/").json()
    assert shift["leader_phone"] == "139****5678"
    assert {o["phone"] for o in shift["officers"]} == {"138****1111", "138****2222"}
    shift = api(w.dispatcher_a).get(f"{SHIFTS}{w.shift1.pk}/").json()
    assert shift["leader_phone"] == "13912345678"


def _shift_payload(w, roster, **extra):
    return {
        "roster": roster.pk,
        "starts_at": at(w.day, 8).isoformat(),
        "ends_at": at(w.day, 20).isoformat(),
        "leader_name": "李带班",
        "leader_phone": "13912345678",
        "officers": [{"name": "赵消防", "phone": "13800002222", "organisation": w.fire_a.pk}],
        **extra,
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("duty_officer_a", 201),
        ("dispatcher_a", 201),
        ("admin_a", 201),
        ("editor_a", 403),
        ("approver_a", 403),
        ("dispatcher_b", 404),
    ],
)
def test_shift_create_permission_matrix(duty_world, api, persona, expected):
    w = duty_world
    response = api(getattr(w, persona)).post(SHIFTS, _shift_payload(w, w.joint), format="json")
    assert response.status_code == expected, response.json()
    if expected == 201:
        body = response.json()
        assert body["officers"][0]["name"] == "赵消防"
        assert Shift.objects.get(pk=body["id"]).history.latest().history_user == getattr(w, persona)
    else:
        assert set(response.json()) >= {"code", "detail"}
        assert not Shift.objects.exists()


def test_shift_update_and_validation_errors(two_shifts, api):
    w = two_shifts
    url = f"{SHIFTS}{w.shift1.pk}/"
    response = api(w.dispatcher_a).patch(url, {"leader_name": "周带班"}, format="json")
    assert response.status_code == 200 and response.json()["leader_name"] == "周带班"
    assert len(response.json()["officers"]) == 2
    response = api(w.dispatcher_a).patch(url, {"ends_at": at(w.day, 1).isoformat()}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "ends_at" in response.json()["errors"]
    response = api(w.editor_a).patch(url, {"leader_name": "x"}, format="json")
    assert response.status_code == 403


def test_officer_removal_after_hand_over_is_409(two_shifts, api):
    w = two_shifts
    services.hand_over(
        actor=w.duty_officer_a,
        from_shift_id=w.shift1.pk,
        to_shift_id=w.shift2.pk,
        from_officer_id=w.out_officer.pk,
        to_officer_id=w.in_officer.pk,
    )
    response = api(w.dispatcher_a).patch(f"{SHIFTS}{w.shift1.pk}/", {"officers": []}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "officer_in_hand_over"


def test_spot_check_create_and_close(world, api):
    today = timezone.localdate()
    payload = {"organisation": world.water_a.pk, "satisfaction_score": 85, "duty_passed": False}
    response = api(world.duty_officer_a).post(CHECKS, payload, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    payload.update({"findings": "值班电话无人接听", "rectification_deadline": str(today)})
    response = api(world.duty_officer_a).post(CHECKS, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["quarter"] == (today.month - 1) // 3 + 1 and body["is_open"] is True
    assert api(world.dispatcher_a).post(CHECKS, payload, format="json").status_code == 403
    assert api(world.approver_b).post(CHECKS, payload, format="json").status_code == 404
    close = f"{CHECKS}{body['id']}/close/"
    assert api(world.approver_b).post(close, {"note": "x"}, format="json").status_code == 404
    response = api(world.approver_a).post(close, {"note": "已整改"}, format="json")
    assert response.status_code == 200 and response.json()["is_open"] is False
    response = api(world.approver_a).post(close, {"note": "again"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "already_closed"
    assert SpotCheck.objects.get().closed_by == world.approver_a


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["dispatcher_a", "editor_a", "admin_city"])
def test_list_query_counts_are_constant(two_shifts, api, persona):
    w = two_shifts
    client = api(getattr(w, persona))

    def grow(n, offset):
        for i in range(n):
            roster = services.create_roster(
                actor=w.duty_officer_a,
                organisation=w.bureau_a,
                name=f"表{offset + i}",
                partners=[w.fire_a],
            )
            add_shift(w.duty_officer_a, roster, at(w.day, 8), at(w.day, 20))
            services.record_spot_check(
                actor=w.admin_a, organisation_id=w.water_a.pk, data={"satisfaction_score": 90}
            )

    grow(1, 0)
    client.get(ROSTERS)  # warm the user's cached role names
    first = [_count(client, ROSTERS, _window(w)), _count(client, SHIFTS), _count(client, CHECKS)]
    grow(6, 10)
    again = [_count(client, ROSTERS, _window(w)), _count(client, SHIFTS), _count(client, CHECKS)]
    assert again == first
