"""Security events (issue 8, 等保 2.0 level 3 audit): logins on the pages and the token
endpoint, success and failure, logouts, permission refusals and reveals of personal data
are in the event chain with the user, the time and the client address."""

from __future__ import annotations

import logging

import pytest
from django.db import DatabaseError

from core.audit import SecurityEvent
from core.models import Event, Jurisdiction

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
TOKEN = "/api/v1/auth/token/"
PASSWORD = "pw-Linkage-2026"


def security_events(type=None):
    events = Event.objects.filter(type__startswith="security.").order_by("seq")
    return list(events.filter(type=type) if type else events)


def test_a_failed_page_login_is_recorded_with_username_and_address(client, world):
    response = client.post(
        LOGIN, {"username": "duty_a", "password": "guess-1"}, REMOTE_ADDR="10.2.3.4"
    )
    assert response.status_code == 200
    [event] = security_events()
    assert event.type == "security.login_failed"
    assert event.ip_address == "10.2.3.4"
    assert event.payload == {"username": "duty_a"}
    assert event.actor is None  # nobody signed in
    assert event.jurisdiction == world.county_a and event.subject_id == str(world.duty_officer_a.pk)
    assert "guess-1" not in str(Event.objects.values_list("payload", flat=True)[::1])


def test_a_failed_login_of_an_unknown_name_is_filed_at_the_root(client, world):
    client.post(LOGIN, {"username": "root", "password": "x"}, REMOTE_ADDR="10.2.3.5")
    [event] = security_events("security.login_failed")
    assert event.payload == {"username": "root"}
    assert event.jurisdiction == world.province


def test_a_failed_login_is_not_erased_by_the_next_success(client, world):
    client.post(LOGIN, {"username": "duty_a", "password": "x"}, REMOTE_ADDR="10.2.3.4")
    client.post(LOGIN, {"username": "duty_a", "password": PASSWORD}, REMOTE_ADDR="10.2.3.4")
    client.post("/logout/", REMOTE_ADDR="10.2.3.4")
    assert [e.type for e in security_events()] == [
        "security.login_failed",
        "security.login",
        "security.logout",
    ]
    login, logout = security_events()[1:]
    assert login.actor == world.duty_officer_a == logout.actor
    assert login.ip_address == "10.2.3.4"


def test_locked_out_page_logins_are_recorded_too(client, world):
    for _ in range(6):
        client.post(LOGIN, {"username": "duty_a", "password": "x"}, REMOTE_ADDR="10.2.3.4")
    failed = security_events("security.login_failed")
    assert len(failed) == 6
    assert failed[-1].payload.get("locked") is True


def test_token_endpoint_records_issue_and_refusal_once(api, world):
    client = api()
    ok = client.post(
        TOKEN, {"username": "province_sync", "password": PASSWORD}, REMOTE_ADDR="10.7.0.1"
    )
    assert ok.status_code == 200
    bad = client.post(
        TOKEN, {"username": "province_sync", "password": "no"}, REMOTE_ADDR="10.7.0.2"
    )
    assert bad.status_code == 400
    issued, refused = security_events()  # no page-login event besides
    assert issued.type == "security.token_issued" and issued.actor == world.sync_client
    assert issued.ip_address == "10.7.0.1"
    assert refused.type == "security.token_refused" and refused.actor is None
    assert refused.payload == {"username": "province_sync"} and refused.ip_address == "10.7.0.2"
    assert ok.json()["token"] not in str([e.payload for e in security_events()])


def test_token_refusals_of_a_locked_out_pair_are_recorded(api, world):
    client = api()
    for _ in range(6):
        last = client.post(
            TOKEN, {"username": "province_sync", "password": "no"}, REMOTE_ADDR="10.7.0.3"
        )
    assert last.status_code == 429
    refused = security_events("security.token_refused")
    assert len(refused) == 6
    assert refused[-1].payload == {"username": "province_sync", "locked": True}


def test_an_api_403_is_recorded_with_user_path_and_address(api, incident_world):
    w = incident_world
    url = f"/api/v1/command/incidents/{w.incident_a.pk}/"
    response = api(w.force_account_a).get(url, REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 403
    [event] = security_events()
    assert event.type == "security.refused" and event.actor == w.force_account_a
    assert event.payload == {
        "username": "force_a",
        "status": 403,
        "method": "GET",
        "path": url,
    }
    assert event.ip_address == "10.3.3.3" and event.jurisdiction == w.county_a


def test_an_api_404_outside_the_jurisdiction_is_recorded(api, world):
    url = f"/api/v1/forces/forces/{world.force_a.pk}/"
    response = api(world.dispatcher_b).get(url)
    assert response.status_code == 404
    [event] = security_events("security.refused")
    assert event.payload["status"] == 404 and event.actor == world.dispatcher_b


def test_a_signed_in_users_404_on_another_countys_force_page_is_recorded(client, world):
    client.force_login(world.dispatcher_b)
    url = f"/forces/{world.force_a.pk}/"
    assert client.get(url, REMOTE_ADDR="10.4.4.4").status_code == 404
    [event] = security_events("security.refused")
    assert event.actor == world.dispatcher_b and event.jurisdiction == world.county_b
    assert event.payload["path"] == url and event.payload["status"] == 404
    assert event.ip_address == "10.4.4.4"


def test_a_page_403_is_recorded(client, world):
    client.force_login(world.screen_a)
    response = client.post(
        "/reveal-phone/", {"model": "forces.force", "pk": world.force_a.pk, "field": "leader_phone"}
    )
    assert response.status_code == 403
    [event] = security_events("security.refused")
    assert event.payload["status"] == 403 and event.actor == world.screen_a


def test_an_anonymous_404_is_not_recorded(client, world):
    assert client.get("/no-such-page/").status_code == 404
    assert security_events() == []


def test_a_refusal_is_answered_even_when_the_audit_cannot_be_written(
    client, world, monkeypatch, caplog
):
    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr("core.events.record_event", broken)
    client.force_login(world.dispatcher_b)
    with caplog.at_level(logging.WARNING, logger="core.audit"):
        assert client.get(f"/forces/{world.force_a.pk}/").status_code == 404
    assert "security.refused not recorded" in caplog.text


def test_a_reveal_is_recorded_in_the_chain(client, world):
    client.force_login(world.dispatcher_a)
    response = client.post(
        "/reveal-phone/",
        {"model": "forces.force", "pk": world.force_a.pk, "field": "leader_phone"},
        REMOTE_ADDR="10.5.5.5",
    )
    assert response.status_code == 200
    [event] = security_events("security.reveal")
    assert event.actor == world.dispatcher_a and event.ip_address == "10.5.5.5"
    assert event.subject_type == "forces.force" and event.subject_id == str(world.force_a.pk)
    assert event.payload == {"username": "dispatcher_a", "field": "leader_phone"}
    assert event.jurisdiction == world.county_a
    assert "13812345678" not in str(event.payload)


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(client, world, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    client.post(
        LOGIN,
        {"username": "duty_a", "password": "x"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 10.9.8.7",  # the first entry is the client's claim
    )
    [event] = security_events()
    assert event.ip_address == "10.9.8.7"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(client, world):
    client.post(
        LOGIN,
        {"username": "duty_a", "password": "x"},
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )
    assert security_events()[0].ip_address == "10.1.2.3"


def test_no_jurisdiction_at_all_means_no_event(client, db):
    assert not Jurisdiction.objects.exists()
    assert client.post(LOGIN, {"username": "x", "password": "y"}).status_code == 200
    assert security_events() == []


# --- the audit page -----------------------------------------------------------------------

AUDIT = "/audit/"


def failed_login(client, username, ip):
    client.post(LOGIN, {"username": username, "password": "x"}, REMOTE_ADDR=ip)
    client.logout()


@pytest.mark.parametrize(
    "persona",
    ["duty_officer_a", "approver_a", "dispatcher_a", "editor_a", "screen_a", "force_account_a"],
)
def test_only_administrators_see_the_audit_page(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(AUDIT).status_code == 403
    assert client.post(AUDIT).status_code == 403


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(AUDIT)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_an_administrator_sees_its_jurisdictions_security_events_only(client, world):
    failed_login(client, "duty_a", "10.0.0.1")  # county A
    failed_login(client, "duty_b", "10.0.0.2")  # county B
    client.force_login(world.admin_a)
    page = client.get(AUDIT).content.decode()
    assert "10.0.0.1" in page and "duty_a" in page
    assert "10.0.0.2" not in page and "duty_b" not in page
    assert str(SecurityEvent.LOGIN_FAILED.label) in page  # in Chinese, once translated
    assert "force.created" not in page  # domain events are not audit events
    client.force_login(world.admin_city)
    page = client.get(AUDIT).content.decode()
    assert "10.0.0.1" in page and "10.0.0.2" in page


def test_the_audit_page_filters_by_type_user_and_date(client, world):
    failed_login(client, "duty_a", "10.0.0.1")
    failed_login(client, "approver_a", "10.0.0.3")
    client.force_login(world.admin_a)
    page = client.get(AUDIT, {"username": "approver_a"}).content.decode()
    assert "10.0.0.3" in page and "10.0.0.1" not in page
    page = client.get(AUDIT, {"type": "security.login"}).content.decode()
    assert "10.0.0.1" not in page and "10.0.0.3" not in page
    page = client.get(AUDIT, {"date_from": "2000-01-01", "date_to": "2000-01-02"}).content
    assert b"10.0.0.1" not in page
    # A bad filter is ignored, not a 500.
    assert client.get(AUDIT, {"date_from": "2026-02-30", "type": "x"}).status_code == 200


def test_the_audit_page_is_paginated_newest_first(client, world):
    for i in range(55):
        failed_login(client, "duty_a", f"10.0.1.{i}")
    client.force_login(world.admin_a)
    first = client.get(AUDIT, {"type": "security.login_failed"}).content.decode()
    assert first.count('class="audit-row"') == 50
    assert "10.0.1.54" in first and "10.0.1.3<" not in first
    second = client.get(AUDIT, {"type": "security.login_failed", "page": 2}).content.decode()
    assert second.count('class="audit-row"') == 5 and "10.0.1.0<" in second


def test_the_reveal_log_tab_is_scoped_to_the_administrators_jurisdiction(client, world):
    from core import services

    services.reveal_phone(
        actor=world.dispatcher_a,
        model_label="forces.force",
        pk=world.force_a.pk,
        field="leader_phone",
        ip_address="10.8.0.1",
    )
    services.reveal_phone(
        actor=world.dispatcher_b,
        model_label="forces.force",
        pk=world.force_b.pk,
        field="leader_phone",
        ip_address="10.8.0.2",
    )
    client.force_login(world.admin_a)
    page = client.get(AUDIT, {"tab": "reveals"}).content.decode()
    assert "10.8.0.1" in page and world.force_a.name in page
    assert "10.8.0.2" not in page and world.force_b.name not in page


def test_verifying_the_chain_on_the_page_shows_the_broken_seq(client, world):
    client.force_login(world.admin_a)
    page = client.post(AUDIT).content.decode()
    assert 'data-intact="1"' in page
    last = Event.objects.order_by("-seq").first()
    target = Event.objects.filter(jurisdiction=world.county_b).order_by("seq").first()
    from tests.security.test_audit_chain import raw

    raw("UPDATE core_event SET subject_label = 'forged' WHERE seq = %s", [target.seq])
    page = client.post(AUDIT).content.decode()
    assert f'data-broken-seq="{target.seq}"' in page
    assert "forged" not in page  # a county B row is not shown to county A's administrator
    client.force_login(world.admin_city)
    assert f'data-broken-seq="{target.seq}"' in client.post(AUDIT).content.decode()
    assert last.seq > 0


def test_a_superuser_sees_the_total_of_events_checked(client, world):
    from core.models import User

    root = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(root)
    page = client.post(AUDIT).content.decode()
    assert 'data-intact="1"' in page
    assert str(Event.objects.count()) in page


def test_administrative_changes_are_on_the_audit_page_with_their_names(client, world):
    from django.db import transaction

    from core.audit import type_label
    from core.events import record_event

    with transaction.atomic():
        record_event(
            type="account.deactivated",
            jurisdiction=world.county_a,
            subject=world.editor_a,
            actor=world.admin_a,
            ip_address="10.6.0.1",
        )
    client.force_login(world.admin_a)
    page = client.get(AUDIT, {"type": "account.deactivated"}).content.decode()
    assert "10.6.0.1" in page and type_label("account.deactivated") in page
    assert type_label("account.deactivated") != "account.deactivated"
