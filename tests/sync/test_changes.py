"""The change feed (GET /api/v1/sync/changes/): every event a client may see after a
cursor, in commit order, with its subject's current representation or a tombstone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from command import services as command_services
from command.models import Incident
from core import subjects
from core.models import Event, User
from core.roles import Role
from forces.models import Force
from tests import factories as f

URL = "/api/v1/sync/changes/"


def _read(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def _all(client, *, limit=1000, **params):
    """Page through the feed from 0 the way a client does; the changes and the last
    cursor."""
    after, changes = 0, []
    while True:
        body = _read(client, after=after, limit=limit, **params)
        assert body["next"] >= after
        changes += body["changes"]
        after = body["next"]
        if not body["more"]:
            return changes, after


def test_sync_client_of_the_city_reads_incidents_of_both_counties(incident_world, api):
    w = incident_world
    changes, _ = _all(api(w.sync_client), kind="incident")
    by_code = {c["jurisdiction"]["code"] for c in changes}
    assert by_code == {w.county_a.code, w.county_b.code}
    titles = {c["data"]["title"] for c in changes}
    assert titles == {w.incident_a.title, w.incident_b.title}
    first = changes[0]
    assert first["subject"]["kind"] == "incident"
    assert first["subject"]["type"] == "command.incident"
    assert first["type"] == "incident.created"
    assert first["deleted"] is False
    assert first["actor"]


def test_county_duty_officer_reads_only_its_own_county(incident_world, api):
    w = incident_world
    changes, _ = _all(api(w.duty_officer_a))
    assert changes
    assert {c["jurisdiction"]["code"] for c in changes} == {w.county_a.code}
    assert str(w.incident_b.pk) not in {
        c["subject"]["id"] for c in changes if c["subject"]["kind"] == "incident"
    }


def test_feed_holds_exactly_the_events_the_visibility_rule_shows(incident_world, api):
    """The one rule: core.visibility.event_filter, the live feed's rule too."""
    from core.visibility import event_filter

    w = incident_world
    for user in (w.sync_client, w.duty_officer_a, w.dispatcher_b, w.editor_a, w.admin_city):
        changes, _ = _all(api(user), limit=7)
        expected = list(
            Event.objects.filter(event_filter(user)).order_by("seq").values_list("seq", flat=True)
        )
        assert [c["seq"] for c in changes] == expected, user.username


def test_kind_filter_keeps_only_those_subjects(incident_world, api):
    w = incident_world
    client = api(w.sync_client)
    forces, _ = _all(client, kind="force")
    assert forces and {c["subject"]["kind"] for c in forces} == {"force"}
    both, _ = _all(client, kind=["force", "incident"])
    assert {c["subject"]["kind"] for c in both} == {"force", "incident"}
    assert len(both) == len(forces) + len(_all(client, kind="incident")[0])


def test_jurisdiction_filter_keeps_that_county_and_below(incident_world, api):
    w = incident_world
    changes, _ = _all(api(w.sync_client), jurisdiction=w.county_b.code)
    assert changes
    assert {c["jurisdiction"]["code"] for c in changes} == {w.county_b.code}


def test_a_jurisdiction_outside_ones_own_gives_nothing(incident_world, api):
    w = incident_world
    changes, _ = _all(api(w.duty_officer_a), jurisdiction=w.county_b.code)
    assert changes == []


def test_deleted_subject_comes_as_a_tombstone(incident_world, api):
    w = incident_world
    Incident.objects.filter(pk=w.incident_b.pk).delete()
    changes, _ = _all(api(w.sync_client), kind="incident")
    gone = [c for c in changes if c["subject"]["id"] == str(w.incident_b.pk)]
    kept = [c for c in changes if c["subject"]["id"] == str(w.incident_a.pk)]
    assert gone and all(c["data"] is None and c["deleted"] is True for c in gone)
    assert gone[0]["subject"]["label"] == w.incident_b.title
    assert kept and all(c["data"] is not None and c["deleted"] is False for c in kept)


def test_subject_moved_out_of_reach_comes_as_a_tombstone(incident_world, api):
    w = incident_world
    duty_city = f.user("duty_city", w.city_bureau, Role.DUTY_OFFICER)
    command_services.update_incident(
        actor=duty_city, incident_id=w.incident_a.pk, data={"jurisdiction": w.county_b}
    )
    changes, _ = _all(api(w.duty_officer_a), kind="incident")
    assert changes
    assert all(c["deleted"] and c["data"] is None for c in changes)
    # The city still reads it, now in county B.
    city, _ = _all(api(w.sync_client), kind="incident")
    latest = [c for c in city if c["subject"]["id"] == str(w.incident_a.pk)][-1]
    assert latest["data"]["jurisdiction"] == w.county_b.code
    assert latest["deleted"] is False


def test_representation_masks_personal_data_for_the_viewer(world, api):
    w = world
    Force.objects.filter(pk=w.force_a.pk).update(external_id="prov:F-1")

    def force_a(user):
        changes, _ = _all(api(user), kind="force")
        return [c for c in changes if c["subject"]["id"] == str(w.force_a.pk)][-1]

    seen_by_province = force_a(w.sync_client)
    assert seen_by_province["data"]["leader_phone"] != "13812345678"
    assert "****" in seen_by_province["data"]["leader_phone"]
    assert seen_by_province["subject"]["external_id"] == "prov:F-1"
    assert force_a(w.editor_a)["data"]["leader_phone"] == "13812345678"


def test_the_province_sees_personal_data_masked_even_on_its_own_bureaus_records(world, api):
    """The sync account belongs to the city bureau, but it copies data to another
    platform: a leader's mobile of the bureau's own force goes out masked."""
    w = world
    own = f.force(w.admin_city, w.city_bureau, name="聊城市应急救援队", leader_phone="13912345678")
    changes, _ = _all(api(w.sync_client), kind="force")
    mine = [c for c in changes if c["subject"]["id"] == str(own.pk)][-1]
    assert mine["data"]["leader_phone"] == "139****5678"
    detail = api(w.sync_client).get(f"/api/v1/forces/forces/{own.pk}/").json()
    assert detail["leader_phone"] == "139****5678"
    assert (
        api(w.admin_city).get(f"/api/v1/forces/forces/{own.pk}/").json()["leader_phone"]
        == "13912345678"
    )


def test_subject_without_api_representation_still_comes_with_null_data(world, api):
    w = world
    from core import services as core_services

    core_services.update_user_account(
        actor=w.admin_city,
        user_id=w.editor_b.pk,
        display_name="阳谷水利编辑",
        phone="13912345678",
        organisation_id=w.water_b.pk,
    )
    changes, _ = _all(api(w.admin_city), kind="user")
    assert changes
    assert all(c["data"] is None and c["deleted"] is False for c in changes)


def test_role_that_may_not_read_a_kind_through_the_api_gets_no_data_and_no_tombstone(world, api):
    """The hall screen reads force.created in its feed but has no registry API."""
    changes, _ = _all(api(world.screen_a), kind="force")
    assert changes
    assert all(c["data"] is None and c["deleted"] is False for c in changes)


def test_cursor_moves_past_events_the_client_may_not_see(incident_world, api):
    w = incident_world
    client = api(w.duty_officer_a)
    _, cursor = _all(client)
    f.incident(w.duty_officer_b, jurisdiction=w.county_b)
    body = _read(client, after=cursor)
    assert body["changes"] == []
    assert body["more"] is False
    assert body["next"] == Event.objects.latest("seq").seq > cursor


def test_small_pages_give_the_same_changes_once_and_in_order(incident_world, api):
    w = incident_world
    client = api(w.sync_client)
    whole, end = _all(client, limit=1000)
    paged, paged_end = _all(client, limit=2)
    assert [c["seq"] for c in paged] == [c["seq"] for c in whole]
    assert paged_end == end
    assert [c["seq"] for c in whole] == sorted({c["seq"] for c in whole})


def test_a_page_cut_by_limit_says_more_and_ends_at_its_last_change(incident_world, api):
    w = incident_world
    body = _read(api(w.sync_client), after=0, limit=1)
    assert body["more"] is True
    assert len(body["changes"]) == 1
    assert body["next"] == body["changes"][0]["seq"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": -1}, "after"),
        ({"after": "abc"}, "after"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"kind": "spaceship"}, "kind"),
        ({"jurisdiction": "999999"}, "jurisdiction"),
    ],
)
def test_bad_parameters_are_refused_with_field_errors(world, api, params, field):
    response = api(world.sync_client).get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert field in body["errors"]


def test_account_that_reads_no_events_is_refused(world, api):
    nobody = f.user("nobody", world.bureau_a)
    assert api(nobody).get(URL).status_code == 403
    assert api().get(URL).status_code in (401, 403)


def _count_queries(client, **params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        body = _read(client, **params)
    return len(queries), len(body["changes"])


def test_query_count_per_page_does_not_grow_with_the_page(
    incident_world, api, django_assert_num_queries
):
    w = incident_world
    client = api(w.sync_client)
    for n in range(8):
        f.force(w.editor_a, w.water_a, name=f"临清市救援队{n}")
        f.incident(w.duty_officer_b, jurisdiction=w.county_b, title=f"阳谷县险情{n}")
    _read(client, after=0, limit=1)  # the account's roles are read once per client
    few_queries, few = _count_queries(client, after=0, limit=4)
    many_rows = Event.objects.count()
    assert many_rows > 3 * few
    kinds = {"incident", "force"}
    with django_assert_num_queries(few_queries):
        body = _read(client, after=0, limit=1000)
    assert len(body["changes"]) == many_rows
    assert {c["subject"]["kind"] for c in body["changes"]} == kinds
    # The first page had both kinds too: same queries, one per kind.
    first = _read(client, after=0, limit=4)
    assert {c["subject"]["kind"] for c in first["changes"]} == kinds


def test_every_registered_queryset_answers_for_every_role(world):
    personas = [v for v in vars(world).values() if isinstance(v, User)]
    assert len(personas) > 10
    for label, entry in subjects.registered().items():
        for user in personas:
            readable = entry.queryset(user)
            assert readable is None or isinstance(list(readable[:1]), list), (label, user)
