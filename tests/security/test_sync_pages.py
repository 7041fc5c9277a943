"""Who sees and keeps push subscribers, on the pages and through the API; the signing
secret is shown once and never read back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import Event
from core.visibility import event_filter
from sync import services
from sync.events import SyncEvent
from sync.models import Subscriber

API = "/api/v1/sync/subscribers/"


@pytest.fixture
def subscriber(world):
    return services.create_subscriber(
        actor=world.admin_city,
        data={
            "name": "省平台",
            "url": "https://sync.example.org/push",
            "jurisdiction": world.city.code,
            "client": world.sync_client.pk,
            "cursor": 0,
        },
    ).subscriber


def test_the_city_administrator_sees_cursor_lag_and_last_error_on_the_page(
    client, world, subscriber
):
    Subscriber.objects.filter(pk=subscriber.pk).update(attempts=2, last_error="HTTP 503")
    client.force_login(world.admin_city)
    page = client.get(reverse("sync:subscriber_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "省平台" in html and "HTTP 503" in html
    visible = Event.objects.filter(event_filter(world.sync_client)).count()
    assert f'data-cursor="0" data-lag="{visible}"' in html
    assert subscriber.secret not in html
    assert reverse("sync:subscriber_list") in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    "persona", ["duty_officer_a", "dispatcher_a", "editor_a", "screen_a", "approver_city"]
)
def test_other_roles_may_not_open_the_subscriber_pages(client, world, subscriber, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("sync:subscriber_list")).status_code == 403
    assert client.get(reverse("sync:subscriber_create")).status_code == 403
    url = reverse("sync:subscriber_action", args=[subscriber.pk, "pause"])
    assert client.post(url).status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.active


def test_the_sync_client_reads_its_subscriber_but_may_not_change_it(client, world, subscriber):
    client.force_login(world.sync_client)
    page = client.get(reverse("sync:subscriber_list"))
    assert page.status_code == 200 and "省平台" in page.content.decode()
    assert client.get(reverse("sync:subscriber_edit", args=[subscriber.pk])).status_code == 403
    assert (
        client.post(reverse("sync:subscriber_action", args=[subscriber.pk, "pause"])).status_code
        == 403
    )


def test_a_county_administrator_does_not_see_the_citys_subscriber(client, world, subscriber):
    client.force_login(world.admin_a)
    assert "省平台" not in client.get(reverse("sync:subscriber_list")).content.decode()
    assert client.get(reverse("sync:subscriber_edit", args=[subscriber.pk])).status_code == 404
    url = reverse("sync:subscriber_action", args=[subscriber.pk, "pause"])
    assert client.post(url).status_code == 404


def test_an_administrator_registers_a_subscriber_and_sees_its_secret_once(client, world):
    client.force_login(world.admin_city)
    answer = client.post(
        reverse("sync:subscriber_create"),
        {
            "name": "邻市平台",
            "url": "https://neighbour.example.org/push",
            "jurisdiction": world.city.pk,
            "client": world.sync_client.pk,
            "kinds": "incident, force",
        },
    )
    assert answer.status_code == 200, answer.content.decode()[:2000]
    created = Subscriber.objects.get(name="邻市平台")
    assert created.secret in answer.content.decode()
    assert created.kinds == ["force", "incident"]
    assert created.secret not in client.get(reverse("sync:subscriber_list")).content.decode()
    assert Event.objects.filter(type=SyncEvent.SUBSCRIBER_CREATED, actor=world.admin_city).exists()


def test_pause_resume_and_retry_from_the_page_are_recorded(client, world, subscriber):
    client.force_login(world.admin_city)
    for action in ("pause", "resume", "retry"):
        url = reverse("sync:subscriber_action", args=[subscriber.pk, action])
        assert client.post(url).status_code == 302
    assert Event.objects.filter(type=SyncEvent.SUBSCRIBER_UPDATED).count() == 3
    subscriber.refresh_from_db()
    assert subscriber.active


# --- API -----------------------------------------------------------------------------------


def test_the_api_lists_status_without_the_secret(api, world, subscriber):
    answer = api(world.admin_city).get(API)
    assert answer.status_code == 200
    row = answer.json()["results"][0]
    assert row["name"] == "省平台"
    assert row["status"]["cursor"] == 0
    assert row["status"]["lag"] == Event.objects.filter(event_filter(world.sync_client)).count()
    assert row["status"]["last_error"] == ""
    assert "secret" not in row
    assert subscriber.secret not in answer.content.decode()


def test_the_api_creates_a_subscriber_and_returns_its_secret_once(api, world):
    answer = api(world.admin_city).post(
        API,
        {
            "name": "省平台",
            "url": "https://sync.example.org/push",
            "jurisdiction": world.city.code,
            "client": world.sync_client.pk,
            "kinds": ["incident"],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    created = Subscriber.objects.get()
    assert answer.json()["secret"] == created.secret
    detail = api(world.admin_city).get(f"{API}{created.pk}/").json()
    assert "secret" not in detail


def test_the_api_refuses_a_client_outside_the_administrators_jurisdiction(api, world):
    answer = api(world.admin_a).post(
        API,
        {
            "name": "x",
            "url": "https://sync.example.org/push",
            "jurisdiction": world.county_a.code,
            "client": world.sync_client.pk,  # a city account
        },
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid" and "client" in answer.json()["errors"]


def test_the_api_lets_an_administrator_change_pause_and_reset(api, world, subscriber):
    admin = api(world.admin_city)
    changed = admin.patch(
        f"{API}{subscriber.pk}/", {"url": "https://other.example.org/push"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["url"] == "https://other.example.org/push"
    assert "secret" not in changed.json()
    assert admin.post(f"{API}{subscriber.pk}/pause/").json()["active"] is False
    assert admin.post(f"{API}{subscriber.pk}/resume/").json()["active"] is True
    reset = admin.post(f"{API}{subscriber.pk}/reset-cursor/", {"cursor": 1}, format="json")
    assert reset.json()["status"]["cursor"] == 1
    too_far = admin.post(f"{API}{subscriber.pk}/reset-cursor/", {"cursor": 10**9}, format="json")
    assert too_far.status_code == 400


def test_the_sync_client_reads_its_own_subscribers_and_may_not_write(api, world, subscriber):
    mine = api(world.sync_client)
    assert [r["id"] for r in mine.get(API).json()["results"]] == [subscriber.pk]
    assert mine.get(f"{API}{subscriber.pk}/").status_code == 200
    refused = mine.patch(f"{API}{subscriber.pk}/", {"name": "mine"}, format="json")
    assert refused.status_code == 403 and set(refused.json()) >= {"code", "detail"}
    assert mine.post(f"{API}{subscriber.pk}/pause/").status_code == 403
    assert mine.post(API, {"name": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("persona", ["duty_officer_a", "dispatcher_a", "screen_a", "approver_city"])
def test_other_roles_may_not_read_subscribers_through_the_api(api, world, subscriber, persona):
    answer = api(getattr(world, persona)).get(API)
    assert answer.status_code == 403
    assert set(answer.json()) >= {"code", "detail"}


def test_a_county_administrator_gets_404_for_the_citys_subscriber(api, world, subscriber):
    admin_a = api(world.admin_a)
    assert admin_a.get(f"{API}{subscriber.pk}/").status_code == 404
    assert admin_a.patch(f"{API}{subscriber.pk}/", {"name": "x"}, format="json").status_code == 404
    assert admin_a.post(f"{API}{subscriber.pk}/pause/").status_code == 404
