"""The provincial sync client and warnings: it upserts drafts by external id (imported
upstream warnings a person here publishes), never publishes, and the change feed shows
each warning as the API does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Event
from earlywarning.choices import WarningSource, WarningStatus
from earlywarning.models import HazardWarning

URL = "/api/v1/warnings/warnings/"
UPSERT = URL + "by-external-id/{}/"
FEED = "/api/v1/sync/changes/"


def upstream(w, **changes):
    """A flood warning the province hands down to 临清市水利局 for two townships."""
    now = timezone.now().replace(microsecond=0)
    data = {
        "hazard_type": "flood",
        "level": "orange",
        "areas": [w.town_a.code, w.town_a2.code],
        "headline": "省水文局：卫运河临清段洪水橙色预警",
        "description": "卫运河临清段水位将超警戒水位。",
        "effective_at": now.isoformat(),
        "expires_at": (now + timedelta(days=2)).isoformat(),
        "issuer": w.water_a.pk,
    }
    data.update(changes)
    return data


def count(kind: str, since: int) -> int:
    return Event.objects.filter(pk__gt=since, type=kind).count()


def last_event() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_identical_upserts_make_one_imported_draft_and_one_event(warning_world, api):
    w = warning_world
    client = api(w.sync_client)
    since = last_event()
    first = client.put(UPSERT.format("sd:flood-0701"), upstream(w), format="json")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["status"] == WarningStatus.DRAFT
    assert data["source"] == WarningSource.IMPORTED
    assert data["external_id"] == "sd:flood-0701"
    assert data["issuer"] == w.water_a.pk
    again = client.put(UPSERT.format("sd:flood-0701"), upstream(w), format="json")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == data["id"]
    assert HazardWarning.objects.filter(external_id="sd:flood-0701").count() == 1
    assert count("warning.created", since) == 1
    assert count("warning.edited", since) == 0


def test_a_changed_upsert_edits_the_draft_with_one_event(warning_world, api):
    w = warning_world
    client = api(w.sync_client)
    client.put(UPSERT.format("sd:flood-0702"), upstream(w), format="json")
    since = last_event()
    changed = client.put(
        UPSERT.format("sd:flood-0702"),
        upstream(w, headline="省水文局：洪水橙色预警（续）"),
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["headline"] == "省水文局：洪水橙色预警（续）"
    assert count("warning.edited", since) == 1


def test_the_list_filters_by_external_id(warning_world, api):
    w = warning_world
    client = api(w.sync_client)
    client.put(UPSERT.format("sd:flood-0703"), upstream(w), format="json")
    client.put(UPSERT.format("sd:flood-0704"), upstream(w), format="json")
    rows = client.get(URL, {"external_id": "sd:flood-0703"}).json()["results"]
    assert [row["external_id"] for row in rows] == ["sd:flood-0703"]


def test_an_upsert_of_a_published_warning_is_refused_and_changes_nothing(warning_world, api):
    w = warning_world
    client = api(w.sync_client)
    created = client.put(UPSERT.format("sd:flood-0705"), upstream(w), format="json").json()
    assert api(w.editor_a).post(f"{URL}{created['id']}/publish/").status_code == 200
    answer = client.put(UPSERT.format("sd:flood-0705"), upstream(w, headline="改动"), format="json")
    assert answer.status_code == 409, answer.content
    assert HazardWarning.objects.get(pk=created["id"]).headline == created["headline"]


def test_the_sync_client_never_publishes(warning_world, api):
    w = warning_world
    client = api(w.sync_client)
    created = client.put(UPSERT.format("sd:flood-0706"), upstream(w), format="json").json()
    answer = client.post(f"{URL}{created['id']}/publish/")
    assert answer.status_code == 403, answer.content
    assert answer.json()["code"]
    assert HazardWarning.objects.get(pk=created["id"]).status == WarningStatus.DRAFT


def test_an_upsert_with_a_different_external_id_in_the_body_is_a_400(warning_world, api):
    w = warning_world
    answer = api(w.sync_client).put(
        UPSERT.format("sd:flood-0707"), upstream(w, external_id="sd:other"), format="json"
    )
    assert answer.status_code == 400
    assert "external_id" in answer.json()["errors"]


def test_a_county_editor_cannot_reach_a_draft_of_the_other_county_by_upsert(warning_world, api):
    w = warning_world
    api(w.sync_client).put(
        UPSERT.format("sd:flood-0708"),
        upstream(w, areas=[w.town_b.code], issuer=w.water_b.pk),
        format="json",
    )
    answer = api(w.editor_a).put(UPSERT.format("sd:flood-0708"), upstream(w), format="json")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_the_province_hands_down_a_warning_the_county_water_bureau_publishes_and_the_feed_shows_it(
    warning_world, api
):
    w = warning_world
    province = api(w.sync_client)
    start = last_event()
    cursor = province.get(FEED, {"after": 0, "limit": 1000}).json()
    while cursor["more"]:
        cursor = province.get(FEED, {"after": cursor["next"], "limit": 1000}).json()

    handed = province.put(UPSERT.format("sd:flood-0709"), upstream(w), format="json")
    assert handed.status_code == 201, handed.content
    warning_id = handed.json()["id"]

    published = api(w.editor_a).post(f"{URL}{warning_id}/publish/")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == WarningStatus.PUBLISHED
    assert Event.objects.filter(pk__gt=start, type="warning.published").count() == 1

    feed = province.get(FEED, {"after": cursor["next"], "kind": "hazardwarning"})
    assert feed.status_code == 200, feed.content
    changes = feed.json()["changes"]
    assert [c["type"] for c in changes] == ["warning.created", "warning.published"]
    for change in changes:
        assert change["subject"]["kind"] == "hazardwarning"
        assert change["subject"]["id"] == str(warning_id)
        assert change["subject"]["external_id"] == "sd:flood-0709"
        assert change["jurisdiction"]["code"] == w.county_a.code
        # The current representation, exactly as the API shows it to the province.
        assert change["data"]["status"] == WarningStatus.PUBLISHED
        assert change["data"]["areas"] == [w.town_a.code, w.town_a2.code]
        assert change["data"] == province.get(f"{URL}{warning_id}/").json()


def test_the_feed_filters_by_the_hazardwarning_kind(warning_world, api):
    w = warning_world
    kinds = api(w.sync_client).get(FEED, {"kind": "hazardwarning"})
    assert kinds.status_code == 200, kinds.content


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_upserts_make_one_draft(warning_world):
    import threading

    from django.db import close_old_connections, connection
    from rest_framework.test import APIClient

    w = warning_world
    clients = 8
    since = last_event()
    body = upstream(w)
    barrier = threading.Barrier(clients)
    statuses: list[int] = []
    errors: list[Exception] = []

    def upsert() -> None:
        try:
            client = APIClient()
            client.force_authenticate(w.sync_client)
            barrier.wait(timeout=10)
            answer = client.put(UPSERT.format("sd:race-w1"), body, format="json")
            statuses.append(answer.status_code)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=upsert) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(statuses) == [200] * (clients - 1) + [201]
    assert HazardWarning.objects.filter(external_id="sd:race-w1").count() == 1
    assert count("warning.created", since) == 1
    assert count("warning.edited", since) == 0
