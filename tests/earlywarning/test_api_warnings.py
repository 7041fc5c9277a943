"""The warnings REST API (/api/v1/warnings/): who may read and write what, per role and
per county, the filters, the 4xx bodies, the board and the recipients, the upserts of the
provincial sync client, and the change feed's representation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.choices import OrganisationKind as K
from core.models import Event
from core.roles import Role
from earlywarning import services
from earlywarning.choices import WarningSource, WarningStatus
from earlywarning.models import HazardWarning, WarningRecipient
from tests import factories as f

URL = "/api/v1/warnings/warnings/"
HAZARDS = "/api/v1/warnings/hazard-types/"


def body(w, **changes):
    now = timezone.now()
    data = {
        "hazard_type": "flood",
        "level": "orange",
        "areas": [w.town_a.code, w.town_a2.code],
        "headline": "卫运河临清段洪水橙色预警",
        "description": "受上游来水影响，卫运河临清段水位持续上涨。",
        "instruction": "沿河群众注意避险。",
        "force_instruction": "抢险队伍前置待命。",
        "effective_at": now.isoformat(),
        "expires_at": (now + timedelta(days=1)).isoformat(),
    }
    data.update(changes)
    return data


def draft(w, actor=None, **changes):
    """A draft through the service, as the pages would make it."""
    now = timezone.now()
    values = {
        "hazard_type": w.flood_hazard,
        "level": "orange",
        "areas": [w.town_a, w.town_a2],
        "headline": "卫运河临清段洪水橙色预警",
        "description": "受上游来水影响，卫运河临清段水位持续上涨。",
        "effective_at": now,
        "expires_at": now + timedelta(days=1),
    }
    values.update(changes)
    return services.create_draft(actor=actor or w.editor_a, data=services.WarningData(**values))


def published(w, **changes):
    warning = draft(w, **changes)
    return services.publish_warning(actor=w.editor_a, warning_id=warning.pk)


def events(kind: str, since: int) -> int:
    return Event.objects.filter(pk__gt=since, type=kind).count()


def last_event() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# ---------------------------------------------------------------- reading


READERS_OF_A = [
    "duty_officer_a",
    "dispatcher_a",
    "approver_a",
    "editor_a",
    "editor_weather_a",
    "screen_a",
    "admin_a",
    "admin_city",
    "sync_client",
    "approver_city",
]
OUTSIDERS = ["duty_officer_b", "approver_b", "dispatcher_b", "editor_b"]


@pytest.mark.parametrize("persona", READERS_OF_A)
def test_readers_of_the_county_list_and_read_its_warning(warning_world, api, persona):
    w = warning_world
    warning = published(w)
    client = api(getattr(w, persona))
    listed = client.get(URL)
    assert listed.status_code == 200, listed.content
    assert [row["id"] for row in listed.json()["results"]] == [warning.pk]
    detail = client.get(f"{URL}{warning.pk}/")
    assert detail.status_code == 200
    assert detail.json()["areas"] == [w.town_a.code, w.town_a2.code]
    assert detail.json()["hazard_type"] == "flood"
    assert detail.json()["jurisdiction"] == w.county_a.code


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_the_other_county_neither_lists_nor_reads_the_warning(warning_world, api, persona):
    w = warning_world
    warning = published(w)
    client = api(getattr(w, persona))
    assert client.get(URL).json()["results"] == []
    answer = client.get(f"{URL}{warning.pk}/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_a_county_sees_the_city_warning_that_covers_it_and_not_the_other_countys(
    warning_world, api
):
    w = warning_world
    city_water = f.organisation("聊城市水利局", K.INDUSTRY_DEPARTMENT, w.city, sector="水利")
    city_editor = f.user("editor_water_city", city_water, Role.DEPARTMENT_EDITOR)
    city_warning = draft(w, actor=city_editor, areas=[w.county_a])
    services.publish_warning(actor=city_editor, warning_id=city_warning.pk)
    other = draft(w, actor=w.editor_b, areas=[w.town_b])
    services.publish_warning(actor=w.editor_b, warning_id=other.pk)
    seen_by_a = {row["id"] for row in api(w.duty_officer_a).get(URL).json()["results"]}
    assert city_warning.pk in seen_by_a
    assert other.pk not in seen_by_a


def test_a_force_account_reads_the_warning_it_was_sent(warning_world, api):
    w = warning_world
    warning = published(w)
    assert WarningRecipient.objects.filter(warning=warning, force=w.force_a).exists()
    answer = api(w.force_account_a).get(f"{URL}{warning.pk}/")
    assert answer.status_code == 200
    assert answer.json()["headline"] == warning.headline


def test_a_force_account_of_the_other_county_cannot_read_it(warning_world, api):
    w = warning_world
    warning = published(w)
    assert api(w.force_account_b).get(f"{URL}{warning.pk}/").status_code in (403, 404)


def test_anonymous_is_refused_with_401(warning_world, api):
    w = warning_world
    warning = published(w)
    for url in (URL, f"{URL}{warning.pk}/", HAZARDS):
        answer = api().get(url)
        assert answer.status_code == 401
        assert answer.json()["code"] == "not_authenticated"


def test_hazard_types_are_listed_with_their_codes_and_specialties(warning_world, api):
    answer = api(warning_world.duty_officer_a).get(HAZARDS)
    assert answer.status_code == 200
    flood = next(row for row in answer.json() if row["code"] == "flood")
    assert flood["sector"] == "水利"
    assert sorted(flood["specialties"]) == ["flood", "water"]
    assert api(warning_world.duty_officer_a).post(HAZARDS, {"code": "x"}).status_code == 405


# ---------------------------------------------------------------- filters


def test_jurisdiction_filter_keeps_warnings_with_an_area_within_it(warning_world, api):
    w = warning_world
    in_town = draft(w, areas=[w.town_a])
    in_town2 = draft(w, areas=[w.town_a2])
    in_village = draft(w, areas=[w.village_a1])
    client = api(w.admin_a)  # an administrator of the county reads its drafts too

    def ids(**params):
        answer = client.get(URL, params)
        assert answer.status_code == 200, answer.content
        return {row["id"] for row in answer.json()["results"]}

    assert ids(jurisdiction=w.town_a.code) == {in_town.pk, in_village.pk}
    assert ids(jurisdiction=w.town_a2.code) == {in_town2.pk}
    assert ids(jurisdiction=w.county_a.code) == {in_town.pk, in_town2.pk, in_village.pk}
    assert ids(jurisdiction=w.county_b.code) == set()
    assert ids(jurisdiction="999999") == set()


def test_filters_by_status_level_hazard_active_and_external_id(warning_world, api):
    w = warning_world
    live = published(w)
    blue = draft(w, level="blue", external_id="sd:blue-1")
    rain = draft(w, actor=w.editor_weather_a, hazard_type=w.rainstorm_hazard, level="yellow")
    client = api(w.admin_a)

    def ids(**params):
        answer = client.get(URL, params)
        assert answer.status_code == 200, answer.content
        return {row["id"] for row in answer.json()["results"]}

    assert ids(status="published") == {live.pk}
    assert ids(status="draft") == {blue.pk, rain.pk}
    assert ids(level="blue") == {blue.pk}
    assert ids(hazard_type="rainstorm") == {rain.pk}
    assert ids(active="true") == {live.pk}
    assert ids(active="false") == {blue.pk, rain.pk}
    assert ids(external_id="sd:blue-1") == {blue.pk}
    assert client.get(URL, {"level": "purple"}).status_code == 400
    assert client.get(URL, {"active": "maybe"}).status_code == 400


def test_list_query_count_does_not_grow_with_the_number_of_warnings(warning_world, api):
    w = warning_world
    client = api(w.admin_a)
    for _ in range(5):
        draft(w)
    client.get(URL)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 5
    for _ in range(45):
        draft(w)
    with CaptureQueriesContext(connection) as fifty:
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 50
    assert len(fifty) == len(five)


# ---------------------------------------------------------------- writing


def test_the_water_bureau_editor_creates_a_draft_with_codes(warning_world, api):
    w = warning_world
    since = last_event()
    answer = api(w.editor_a).post(URL, body(w), format="json")
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["status"] == WarningStatus.DRAFT
    assert data["areas"] == [w.town_a.code, w.town_a2.code]
    assert data["jurisdiction"] == w.county_a.code
    assert data["issuer"] == w.water_a.pk
    assert data["source"] == WarningSource.LOCAL
    assert events("warning.created", since) == 1


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("editor_a", 201),
        ("editor_weather_a", 403),  # a department of another sector
        ("editor_power_a", 403),  # an enterprise, not an issuing department
        ("duty_officer_a", 403),
        ("approver_a", 403),
        ("dispatcher_a", 403),
        ("admin_a", 403),
        ("screen_a", 403),
        ("force_account_a", 403),
    ],
)
def test_who_may_draft_a_flood_warning_for_county_a(warning_world, api, persona, expected):
    w = warning_world
    answer = api(getattr(w, persona)).post(URL, body(w), format="json")
    assert answer.status_code == expected, answer.content
    if expected != 201:
        assert answer.json()["code"]
        assert not HazardWarning.objects.exists()


def test_the_other_countys_water_editor_cannot_draft_for_county_a(warning_world, api):
    w = warning_world
    answer = api(w.editor_b).post(URL, body(w), format="json")
    assert answer.status_code == 403, answer.content
    assert answer.json()["code"]
    assert not HazardWarning.objects.exists()


def test_a_draft_is_changed_with_patch_and_an_unchanged_patch_records_nothing(warning_world, api):
    w = warning_world
    warning = draft(w)
    client = api(w.editor_a)
    since = last_event()
    answer = client.patch(f"{URL}{warning.pk}/", {"headline": "卫运河洪水橙色预警（修订）"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["headline"] == "卫运河洪水橙色预警（修订）"
    assert answer.json()["areas"] == [w.town_a.code, w.town_a2.code]
    assert events("warning.edited", since) == 1
    again = client.patch(f"{URL}{warning.pk}/", {"headline": "卫运河洪水橙色预警（修订）"})
    assert again.status_code == 200
    assert events("warning.edited", since) == 1


def test_a_published_warning_cannot_be_patched_or_deleted(warning_world, api):
    w = warning_world
    warning = published(w)
    client = api(w.editor_a)
    patched = client.patch(f"{URL}{warning.pk}/", {"headline": "改"})
    assert patched.status_code == 409, patched.content
    deleted = client.delete(f"{URL}{warning.pk}/")
    assert deleted.status_code == 409
    assert HazardWarning.objects.filter(pk=warning.pk, headline=warning.headline).exists()


def test_a_draft_is_discarded_by_its_department_only(warning_world, api):
    w = warning_world
    warning = draft(w)
    assert api(w.admin_a).delete(f"{URL}{warning.pk}/").status_code == 403
    assert api(w.duty_officer_a).delete(f"{URL}{warning.pk}/").status_code == 404
    assert api(w.editor_b).delete(f"{URL}{warning.pk}/").status_code == 404
    assert api(w.editor_a).delete(f"{URL}{warning.pk}/").status_code == 204
    assert not HazardWarning.objects.filter(pk=warning.pk).exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("editor_a", 200),
        # A local draft is the department's until published: others do not see it.
        ("editor_weather_a", 404),
        ("duty_officer_a", 404),
        ("approver_a", 404),
        ("dispatcher_a", 404),
        ("screen_a", 404),
        # Administrators and the sync client see the county's drafts; they do not issue.
        ("admin_a", 403),
        ("sync_client", 403),
        ("editor_b", 404),
        ("duty_officer_b", 404),
    ],
)
def test_who_may_publish_a_draft(warning_world, api, persona, expected):
    w = warning_world
    warning = draft(w)
    answer = api(getattr(w, persona)).post(f"{URL}{warning.pk}/publish/")
    assert answer.status_code == expected, answer.content
    warning.refresh_from_db()
    if expected == 200:
        assert answer.json()["status"] == WarningStatus.PUBLISHED
        assert warning.recipients.filter(grid=w.grid_a1).exists()
        assert not warning.recipients.filter(grid=w.grid_b1).exists()
    else:
        assert answer.json()["code"]
        assert warning.status == WarningStatus.DRAFT


def test_publishing_twice_is_a_409(warning_world, api):
    w = warning_world
    warning = published(w)
    answer = api(w.editor_a).post(f"{URL}{warning.pk}/publish/")
    assert answer.status_code == 409
    assert answer.json()["code"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("editor_a", 201),
        ("editor_weather_a", 403),
        ("duty_officer_a", 403),
        ("admin_a", 403),
        ("sync_client", 403),
        ("editor_b", 404),
    ],
)
def test_who_may_revise_a_published_warning(warning_world, api, persona, expected):
    w = warning_world
    warning = published(w)
    answer = api(getattr(w, persona)).post(f"{URL}{warning.pk}/revise/")
    assert answer.status_code == expected, answer.content
    if expected == 201:
        revision = answer.json()
        assert revision["status"] == WarningStatus.DRAFT
        assert revision["previous"] == warning.pk
        assert revision["version"] == 2
        assert revision["msg_type"] == "Update"
        again = api(w.editor_a).post(f"{URL}{warning.pk}/revise/")
        assert again.status_code == 409


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("editor_a", 200),
        ("editor_weather_a", 403),
        ("duty_officer_a", 403),
        ("approver_a", 403),
        ("admin_a", 403),
        ("sync_client", 403),
        ("duty_officer_b", 404),
    ],
)
def test_who_may_cancel_a_published_warning(warning_world, api, persona, expected):
    w = warning_world
    warning = published(w)
    answer = api(getattr(w, persona)).post(
        f"{URL}{warning.pk}/cancel/", {"reason": "上游来水减少，险情解除"}, format="json"
    )
    assert answer.status_code == expected, answer.content
    warning.refresh_from_db()
    if expected == 200:
        assert answer.json()["status"] == WarningStatus.CANCELLED
        assert warning.cancel_reason == "上游来水减少，险情解除"
    else:
        assert warning.status == WarningStatus.PUBLISHED


def test_cancelling_needs_a_reason(warning_world, api):
    w = warning_world
    warning = published(w)
    answer = api(w.editor_a).post(f"{URL}{warning.pk}/cancel/", {}, format="json")
    assert answer.status_code == 400
    assert "reason" in answer.json()["errors"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("duty_officer_a", 200),
        ("approver_a", 200),
        ("dispatcher_a", 200),
        ("editor_a", 403),
        ("admin_a", 403),
        ("screen_a", 403),
        ("sync_client", 403),
        ("duty_officer_b", 404),
        ("dispatcher_b", 404),
    ],
)
def test_who_may_relay_a_published_warning(warning_world, api, persona, expected):
    w = warning_world
    warning = published(w)
    answer = api(getattr(w, persona)).post(
        f"{URL}{warning.pk}/relay/", {"specialties": [], "jurisdictions": []}, format="json"
    )
    assert answer.status_code == expected, answer.content
    if expected == 200:
        assert answer.json()["added"] >= 0


def test_relay_reaches_forces_of_the_given_specialty_not_yet_asked(warning_world, api):
    w = warning_world
    land = f.organisation(
        "临清市自然资源局", K.INDUSTRY_DEPARTMENT, w.county_a, sector="自然资源和规划"
    )
    geo_editor = f.user("editor_land_a", land, Role.DEPARTMENT_EDITOR)
    geo = draft(w, actor=geo_editor, hazard_type=w.geo_hazard, level="yellow", areas=[w.county_a])
    warning = services.publish_warning(actor=geo_editor, warning_id=geo.pk)
    # No specialty on the geological hazard: no force asked at first.
    assert not warning.recipients.filter(force__isnull=False).exists()
    client = api(w.duty_officer_a)
    answer = client.post(
        f"{URL}{warning.pk}/relay/",
        {"specialties": ["water"], "jurisdictions": [w.county_a.code]},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["added"] == 1
    assert warning.recipients.filter(force=w.force_a).exists()
    again = client.post(f"{URL}{warning.pk}/relay/", {"specialties": ["water"]}, format="json")
    assert again.json()["added"] == 0
    unknown = client.post(f"{URL}{warning.pk}/relay/", {"specialties": ["nope"]}, format="json")
    assert unknown.status_code == 404
    assert "specialties" in unknown.json()["errors"]


# ---------------------------------------------------------------- 4xx bodies


def test_an_unknown_hazard_code_names_the_field(warning_world, api):
    w = warning_world
    answer = api(w.editor_a).post(URL, body(w, hazard_type="tsunami"), format="json")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    assert "hazard_type" in answer.json()["errors"]


def test_an_area_outside_the_jurisdiction_is_refused(warning_world, api):
    w = warning_world
    answer = api(w.editor_a).post(URL, body(w, areas=[w.town_b.code]), format="json")
    assert answer.status_code == 403, answer.content
    assert answer.json()["code"]
    assert not HazardWarning.objects.exists()


def test_an_expiry_before_the_effective_time_is_a_400_on_expires_at(warning_world, api):
    w = warning_world
    now = timezone.now()
    answer = api(w.editor_a).post(
        URL,
        body(w, effective_at=now.isoformat(), expires_at=(now - timedelta(hours=1)).isoformat()),
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert "expires_at" in answer.json()["errors"]


def test_a_blue_warning_cannot_open_a_key_period(warning_world, api):
    w = warning_world
    answer = api(w.editor_a).post(URL, body(w, level="blue", opens_key_period=True), format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "invalid"
    assert "opens_key_period" in answer.json()["errors"]


@pytest.mark.parametrize(
    "polygon",
    [
        "36.8,115.7 36.9,115.8",  # too few points
        "36.8;115.7 36.9;115.8 36.9,115.6 36.8;115.7",  # not "lat,lon"
        "36.8,115.7 36.9,115.8 36.9,115.6 36.7,115.5",  # not closed
        "96.8,115.7 36.9,115.8 36.9,115.6 96.8,115.7",  # latitude out of range
    ],
)
def test_a_bad_polygon_is_a_400_on_polygon(warning_world, api, polygon):
    w = warning_world
    answer = api(w.editor_a).post(URL, body(w, polygon=polygon), format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "invalid"
    assert "polygon" in answer.json()["errors"]


def test_a_good_polygon_is_kept(warning_world, api):
    w = warning_world
    ring = "36.80,115.70 36.90,115.80 36.90,115.60 36.80,115.70"
    answer = api(w.editor_a).post(URL, body(w, polygon=ring), format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["polygon"] == ring


def test_no_areas_is_a_400(warning_world, api):
    w = warning_world
    answer = api(w.editor_a).post(URL, body(w, areas=[]), format="json")
    assert answer.status_code == 400
    assert "areas" in answer.json()["errors"]


# ---------------------------------------------------------------- recipients and board


def test_recipients_are_listed_with_phones_masked_and_filtered(warning_world, api):
    w = warning_world
    warning = published(w)
    client = api(w.duty_officer_a)
    answer = client.get(f"{URL}{warning.pk}/recipients/", {"kind": "grid_person"})
    assert answer.status_code == 200, answer.content
    rows = answer.json()["results"]
    assert len(rows) == 5
    assert any("李大山" in row["label"] for row in rows)
    assert {row["state"] for row in rows} <= {"chasing", "unreached"}
    assert all("*" in row["phone"] for row in rows)
    assert "13805351001" not in answer.content.decode()
    town2 = client.get(
        f"{URL}{warning.pk}/recipients/", {"kind": "grid_person", "jurisdiction": w.town_a2.code}
    ).json()["results"]
    assert len(town2) == 2
    nowhere = client.get(f"{URL}{warning.pk}/recipients/", {"jurisdiction": "999999"})
    assert nowhere.status_code == 200
    assert nowhere.json()["results"] == []
    assert (
        client.get(f"{URL}{warning.pk}/recipients/", {"state": "answered"}).json()["results"] == []
    )
    assert client.get(f"{URL}{warning.pk}/recipients/", {"state": "bogus"}).status_code == 400
    one = warning.recipients.get(grid=w.grid_a1)
    services.acknowledge_recipient(actor=w.duty_officer_a, recipient_id=one.pk)
    answered = client.get(f"{URL}{warning.pk}/recipients/", {"state": "answered"}).json()
    assert [row["id"] for row in answered["results"]] == [one.pk]


def test_an_administrator_sees_recipient_phones_in_full(warning_world, api):
    w = warning_world
    warning = published(w)
    rows = (
        api(w.admin_a)
        .get(f"{URL}{warning.pk}/recipients/", {"kind": "grid_person", "page_size": 100})
        .json()["results"]
    )
    assert "13805351001" in {row["phone"] for row in rows}


def test_the_sync_client_sees_recipient_phones_masked(warning_world, api):
    w = warning_world
    warning = published(w)
    answer = api(w.sync_client).get(f"{URL}{warning.pk}/recipients/", {"page_size": 500})
    assert answer.status_code == 200
    assert "13805351001" not in answer.content.decode()


def test_the_board_has_totals_and_rows_by_township(warning_world, api):
    w = warning_world
    warning = published(w)
    answer = api(w.duty_officer_a).get(f"{URL}{warning.pk}/board/")
    assert answer.status_code == 200, answer.content
    board = answer.json()
    assert board["warning"] == warning.pk
    assert board["total"] == warning.recipients.count()
    assert board["answered"] + board["chasing"] + board["unreached"] == board["total"]
    codes = {row["jurisdiction"] for row in board["rows"]}
    assert {w.town_a.code, w.town_a2.code} <= codes
    by_town = api(w.duty_officer_a).get(f"{URL}{warning.pk}/board/", {"group_by": w.town_a.code})
    assert by_town.status_code == 200
    assert {row["jurisdiction"] for row in by_town.json()["rows"]} <= {
        w.village_a1.code,
        w.village_a2.code,
    }


def test_the_board_of_an_unseen_warning_is_a_404(warning_world, api):
    w = warning_world
    warning = published(w)
    assert api(w.duty_officer_b).get(f"{URL}{warning.pk}/board/").status_code == 404
    assert api(w.duty_officer_b).get(f"{URL}{warning.pk}/recipients/").status_code == 404


# ---------------------------------------------------------------- acknowledge


def ack_url(recipient) -> str:
    return f"/api/v1/warnings/recipients/{recipient.pk}/acknowledge/"


def test_a_force_account_acknowledges_its_forces_warning_once(warning_world, api):
    w = warning_world
    warning = published(w)
    recipient = warning.recipients.get(force=w.force_a)
    client = api(w.force_account_a)
    answer = client.post(ack_url(recipient))
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "answered"
    assert answer.json()["acknowledged_at"]
    again = client.post(ack_url(recipient))
    assert again.status_code == 409
    assert again.json()["code"]


def test_the_duty_officer_acknowledges_a_grid_person_on_their_behalf(warning_world, api):
    w = warning_world
    warning = published(w)
    recipient = warning.recipients.get(grid=w.grid_a1)
    answer = api(w.duty_officer_a).post(ack_url(recipient))
    assert answer.status_code == 200, answer.content
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is not None
    assert "值班员代签" in recipient.acknowledged_label
    assert "13805351001" not in answer.content.decode()


@pytest.mark.parametrize(
    ("persona", "refused"),
    [
        ("screen_a", (403,)),
        ("editor_weather_a", (403,)),
        ("sync_client", (403,)),
        ("force_account_b", (403, 404)),
        ("duty_officer_b", (403, 404)),
    ],
)
def test_who_may_not_acknowledge_a_grid_person(warning_world, api, persona, refused):
    w = warning_world
    warning = published(w)
    recipient = warning.recipients.get(grid=w.grid_a1)
    answer = api(getattr(w, persona)).post(ack_url(recipient))
    assert answer.status_code in refused, answer.content
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is None


def test_acknowledging_an_unknown_recipient_is_a_404(warning_world, api):
    answer = api(warning_world.duty_officer_a).post(
        "/api/v1/warnings/recipients/987654321/acknowledge/"
    )
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_a_draft_is_read_by_its_department_not_by_the_bureau_until_published(warning_world, api):
    w = warning_world
    warning = draft(w)
    assert api(w.editor_a).get(f"{URL}{warning.pk}/").status_code == 200
    assert api(w.duty_officer_a).get(f"{URL}{warning.pk}/").status_code == 404
    services.publish_warning(actor=w.editor_a, warning_id=warning.pk)
    assert api(w.duty_officer_a).get(f"{URL}{warning.pk}/").status_code == 200
