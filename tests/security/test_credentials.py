"""等保 2.0 level 3 credentials, played through the pages and the API: password rules
and expiry, idle sessions, API tokens that expire, rotate and die, and the second factor
(TOTP) for administrators and approvers when it is required."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import ApiToken, Event, User

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Linkage-2026"
TOKEN = "/api/v1/auth/token/"
ROTATE = "/api/v1/auth/token/rotate/"
REVOKE = "/api/v1/auth/token/revoke/"
ME = "/api/v1/auth/me/"
ROOT = Path(__file__).resolve().parents[2]


def auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def get_token(client, username, password=PASSWORD, **extra):
    return client.post(TOKEN, {"username": username, "password": password, **extra})


def change_password(user: User, new: str) -> None:
    validate_password(new, user)
    user.set_password(new)
    user.save()


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


# --- password rules ----------------------------------------------------------------------


def test_a_password_of_one_character_class_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        validate_password("zzzzzzzzzzzz", world.duty_officer_a)
    assert "password_too_simple" in [e.code for e in refused.value.error_list]
    validate_password("Linkage-demo-2026", world.duty_officer_a)  # the demo's own
    validate_password("linkage-demo-2026", world.duty_officer_a)  # three classes suffice


def test_none_of_the_last_five_passwords_again_but_the_sixth_last(world):
    user = world.duty_officer_a
    chain = [f"Shift-{n}-Linqing" for n in range(1, 7)]
    for new in chain:
        change_password(user, new)
    user.refresh_from_db()
    for old in chain[1:]:
        with pytest.raises(ValidationError) as refused:
            validate_password(old, user)
        assert "password_reused" in [e.code for e in refused.value.error_list]
    validate_password(chain[0], user)
    assert user.password_history.count() == 5


def test_the_current_password_of_an_account_without_history_cannot_be_kept(world):
    user = world.duty_officer_a
    user.password_history.all().delete()
    with pytest.raises(ValidationError):
        validate_password(PASSWORD, user)


def test_change_password_page_applies_the_rules(client, world):
    client.force_login(world.duty_officer_a)
    page = client.get("/password/change/")
    assert page.status_code == 200
    form = {"old_password": PASSWORD, "new_password1": "zzzzzzzzzzzz"}
    form["new_password2"] = form["new_password1"]
    refused = client.post("/password/change/", form)
    assert refused.status_code == 200 and not refused.context["form"].is_valid()
    form = {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    assert client.post("/password/change/", form).status_code == 200  # the same again
    form = {
        "old_password": PASSWORD,
        "new_password1": "Flood-2026!",
        "new_password2": "Flood-2026!",
    }
    assert client.post("/password/change/", form).status_code == 302
    assert client.get("/").status_code == 200  # still logged in after the change
    assert Event.objects.filter(type="security.password_changed").count() == 1


# --- password expiry -----------------------------------------------------------------------


def test_an_expired_password_must_be_changed_before_any_page(client, world):
    user = world.duty_officer_a
    with time_machine.travel(user.password_changed_at + timedelta(days=91)):
        client.force_login(user)
        response = client.get("/forces/")
        assert response.status_code == 302
        assert response["Location"].startswith("/password/change/?next=%2Fforces%2F")
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert [str(m) for m in page.context["messages"]]  # why: the password expired
        # The page's own polling and the API keep answering; logging out works.
        assert (
            client.get("/hall/dashboard/panel/incidents/", HTTP_HX_REQUEST="true").status_code
            == 200
        )
        assert (
            client.get("/hall/screen/data.json", HTTP_ACCEPT="application/json").status_code == 200
        )
        assert client.get(ME).status_code == 200
        new = "Flood-2026!x"
        form = {
            "old_password": PASSWORD,
            "new_password1": new,
            "new_password2": new,
            "next": "/forces/",
        }
        done = client.post("/password/change/", form)
        assert done.status_code == 302 and done["Location"] == "/forces/"
        assert client.get("/forces/").status_code == 200


def test_a_password_of_unknown_age_does_not_expire(client, world):
    User.objects.filter(pk=world.duty_officer_a.pk).update(password_changed_at=None)
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        client.force_login(world.duty_officer_a)
        assert client.get("/forces/").status_code == 200


def test_a_week_before_expiry_a_warning_shows_once(client, world):
    user = world.duty_officer_a
    with time_machine.travel(user.password_changed_at + timedelta(days=85)):
        client.force_login(user)
        first = client.get("/forces/")
        assert first.status_code == 200
        assert any(
            "expires" in str(m).lower() or "过期" in str(m) for m in first.context["messages"]
        )
        again = client.get("/forces/")
        assert not list(again.context["messages"])


def test_expiry_can_be_turned_off(client, world, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        client.force_login(world.duty_officer_a)
        assert client.get("/forces/").status_code == 200


# --- sessions ----------------------------------------------------------------------------


def login(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_sessions_end_after_thirty_idle_minutes(client, world):
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SESSION_SAVE_EVERY_REQUEST
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert login(client, "duty_a").status_code == 302
        assert client.session.get_expiry_age() == 30 * 60
    # Activity (a dashboard panel polling counts) keeps the session alive …
    for minutes in (20, 40, 60):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            panel = client.get("/hall/dashboard/panel/incidents/", HTTP_HX_REQUEST="true")
            assert panel.status_code == 200
    # … and 31 minutes of nothing ends it.
    with time_machine.travel(start + timedelta(minutes=91), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_wall_screen_account_stays_logged_in_for_a_day(client, world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert login(client, "screen_a").status_code == 302
        assert client.session.get_expiry_age() == 24 * 3600
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        assert client.get("/hall/screen/").status_code == 200


# --- API tokens --------------------------------------------------------------------------


def test_a_persons_token_expires_after_twelve_hours(api, world):
    client = api()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = get_token(client, "duty_a")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"token", "expires_at"}
        stored = ApiToken.objects.get(user=world.duty_officer_a)
        assert body["token"] not in (stored.key_hash, stored.prefix)  # only a hash is kept
        assert stored.kind == "person"
    with time_machine.travel(start + timedelta(hours=11), tick=False):
        assert client.get(ME, **auth(body["token"])).status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = client.get(ME, **auth(body["token"]))
        assert response.status_code == 401
        assert response.json()["code"] == "token_expired"


def test_bearer_is_accepted_and_an_unknown_token_is_refused(api, world):
    client = api()
    token = get_token(client, "duty_a").json()["token"]
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    response = client.get(ME, **auth("not-a-token"))
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


def test_sync_client_token_lives_ninety_days_and_rotates_with_overlap(api, world):
    client = api()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = get_token(client, "province_sync").json()["token"]
        assert ApiToken.objects.get(user=world.sync_client).kind == "sync_client"
    with time_machine.travel(start + timedelta(days=89), tick=False):
        assert client.get("/api/v1/forces/forces/", **auth(old)).status_code == 200
        rotated = client.post(ROTATE, **auth(old))
        assert rotated.status_code == 200
        new = rotated.json()["token"]
        assert new != old
        assert client.post(ROTATE, **auth(old)).status_code == 409  # once only
    with time_machine.travel(start + timedelta(days=89, hours=23), tick=False):
        assert client.get(ME, **auth(old)).status_code == 200  # the overlap
        assert client.get(ME, **auth(new)).status_code == 200
    with time_machine.travel(start + timedelta(days=90, hours=1), tick=False):
        response = client.get(ME, **auth(old))
        assert response.status_code == 401 and response.json()["code"] == "token_expired"
        assert client.get(ME, **auth(new)).status_code == 200
    with time_machine.travel(start + timedelta(days=89 + 91), tick=False):
        assert client.get(ME, **auth(new)).json()["code"] == "token_expired"


def test_people_cannot_rotate_their_tokens_into_eternity(api, world):
    client = api()
    token = get_token(client, "duty_a").json()["token"]
    response = client.post(ROTATE, **auth(token))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_revoke_ends_the_token_of_the_request(api, world):
    client = api()
    token = get_token(client, "duty_a").json()["token"]
    other = get_token(client, "duty_a").json()["token"]
    assert client.post(REVOKE, **auth(token)).status_code == 200
    response = client.get(ME, **auth(token))
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"
    assert client.get(ME, **auth(other)).status_code == 200  # only that one
    assert Event.objects.filter(type="security.token_revoked").count() == 1


def test_an_administrator_revokes_tokens_in_its_jurisdiction_only(api, world):
    client = api()
    own = get_token(client, "duty_a").json()["token"]
    foreign = get_token(client, "duty_b").json()["token"]
    own_id = ApiToken.objects.get(user=world.duty_officer_a).pk
    foreign_id = ApiToken.objects.get(user=world.duty_officer_b).pk
    admin = api(world.admin_a)
    assert admin.post(REVOKE, {"id": foreign_id}).status_code == 404
    assert client.get(ME, **auth(foreign)).status_code == 200
    assert admin.post(REVOKE, {"id": own_id}).status_code == 200
    assert client.get(ME, **auth(own)).json()["code"] == "token_revoked"
    listed = {row["id"] for row in admin.get("/api/v1/auth/tokens/").json()["results"]}
    assert own_id in listed and foreign_id not in listed
    mine = api(world.duty_officer_b).get("/api/v1/auth/tokens/").json()["results"]
    assert [row["id"] for row in mine] == [foreign_id]
    assert "token" not in mine[0] and "key_hash" not in mine[0]
    # Someone else's token id is "not found" to a non-administrator.
    assert api(world.dispatcher_a).post(REVOKE, {"id": foreign_id}).status_code == 404


def test_tokens_die_when_the_password_changes(api, world):
    client = api()
    token = get_token(client, "duty_a").json()["token"]
    change_password(world.duty_officer_a, "Flood-2026!x")
    assert ApiToken.objects.get(user=world.duty_officer_a).revoked_at is not None
    assert client.get(ME, **auth(token)).json()["code"] == "token_revoked"
    fresh = get_token(client, "duty_a", "Flood-2026!x").json()["token"]
    assert client.get(ME, **auth(fresh)).status_code == 200


def test_tokens_issued_before_a_password_change_die_even_if_not_marked(api, world):
    client = api()
    token = get_token(client, "duty_a").json()["token"]
    # A bulk update skips User.save(): the authentication still compares the dates.
    User.objects.filter(pk=world.duty_officer_a.pk).update(
        password_changed_at=timezone.now() + timedelta(seconds=1)
    )
    assert client.get(ME, **auth(token)).json()["code"] == "token_revoked"


def test_tokens_die_when_the_account_is_deactivated(api, world):
    client = api()
    token = get_token(client, "duty_a").json()["token"]
    sync = get_token(client, "province_sync").json()["token"]
    user = world.duty_officer_a
    user.is_active = False
    user.save()
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert client.get(ME, **auth(token)).json()["code"] == "token_revoked"
    User.objects.filter(pk=world.sync_client.pk).update(is_active=False)
    assert client.get(ME, **auth(sync)).json()["code"] == "token_revoked"
    # Reactivating does not bring a token back.
    user.is_active = True
    user.save()
    assert client.get(ME, **auth(token)).status_code == 401


# --- second factor -------------------------------------------------------------------------


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED_ROLES = ["administrator", "bureau_approver"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # wrong codes one after another in a test
    return settings


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_the_embedded_default_asks_no_second_factor_and_says_so(client, world):
    assert django_settings.OTP_REQUIRED_ROLES == []
    page = client.get("/login/")
    assert 'id="second-factor-off"' in page.content.decode()
    response = login(client, "approver_a")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_production_settings_require_it_for_administrators_and_approvers():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 64,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("OTP_REQUIRED_ROLES", None)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(','.join(s.OTP_REQUIRED_ROLES))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "administrator,bureau_approver"


def test_an_approver_without_a_device_enrols_before_reaching_any_page(client, world, otp_on):
    response = login(client, "approver_a")
    assert response.status_code == 302 and response["Location"] == "/login/otp/setup/"
    # The password alone is no login: not the pages, not the API with the session.
    assert client.get("/")["Location"].startswith("/login/")
    assert client.get(ME).status_code in (401, 403)
    page = client.get("/login/otp/setup/")
    body = page.content.decode()
    assert "<svg" in body and 'id="otp-secret"' in body and "<script>" not in body
    device = TOTPDevice.objects.get(user=world.approver_a)
    assert not device.confirmed
    assert client.post("/login/otp/setup/", {"otp_token": "000000"}).status_code == 200
    done = client.post("/login/otp/setup/", {"otp_token": code_of(device)})
    assert done.status_code == 302 and done["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert Event.objects.filter(type="security.otp_enrolled").count() == 1


def test_an_enrolled_approver_logs_in_with_the_current_code(client, world, otp_on):
    device = enrolled(world.approver_a)
    response = login(client, "approver_a")
    assert response["Location"] == "/login/otp/"
    assert client.get("/")["Location"].startswith("/login/")
    assert client.get("/login/otp/setup/")["Location"] == "/login/otp/"  # no re-enrolling
    wrong = client.post("/login/otp/", {"otp_token": "123456"})
    assert wrong.status_code == 200 and 'id="otp-error"' in wrong.content.decode()
    assert client.post("/login/otp/", {"otp_token": code_of(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_five_wrong_codes_end_the_login(client, world, otp_on):
    device = enrolled(world.approver_a)
    login(client, "approver_a")
    for _ in range(4):
        assert client.post("/login/otp/", {"otp_token": "000000"}).status_code == 200
    last = client.post("/login/otp/", {"otp_token": "000000"})
    assert last.status_code == 302 and last["Location"] == "/login/"
    # Even the right code is too late now: the password step starts again.
    assert client.post("/login/otp/", {"otp_token": code_of(device)})["Location"] == "/login/"
    assert client.get("/")["Location"].startswith("/login/")


def test_the_password_step_is_forgotten_after_five_minutes(client, world, otp_on):
    device = enrolled(world.approver_a)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "approver_a")
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert client.post("/login/otp/", {"otp_token": code_of(device)})["Location"] == "/login/"


def test_roles_not_listed_log_in_with_the_password_alone(client, world, otp_on):
    response = login(client, "duty_a")
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_session_that_skipped_the_second_factor_is_ended(client, world, otp_on):
    client.force_login(world.admin_a)
    response = client.get("/forces/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/login/")["Location"].startswith("/login/")


def test_the_token_endpoint_wants_the_code_too(api, world, otp_on):
    client = api()
    refused = get_token(client, "approver_a")
    assert refused.status_code == 401 and refused.json()["code"] == "otp_required"
    device = enrolled(world.approver_a)
    assert get_token(client, "approver_a").json()["code"] == "otp_required"
    assert get_token(client, "approver_a", otp="000000").json()["code"] == "otp_required"
    granted = get_token(client, "approver_a", otp=code_of(device))
    assert granted.status_code == 200
    assert client.get(ME, **auth(granted.json()["token"])).status_code == 200
    # Other roles: the password as before.
    assert get_token(client, "duty_a").status_code == 200


@pytest.mark.django_db(transaction=True)  # the socket reads the session in another thread
async def test_a_password_without_its_code_opens_no_live_feed(world, otp_on):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.db import connections
    from django.test import Client

    from config.asgi import application

    def password_only_session():
        enrolled(world.approver_a)
        client = Client()
        assert login(client, "approver_a")["Location"] == "/login/otp/"
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        return [(b"cookie", cookie), (b"origin", b"http://testserver")]

    headers = await sync_to_async(password_only_session)()
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4401}
    # The socket's database thread keeps its own connection: close it so that the test
    # database can be flushed and dropped.
    await sync_to_async(connections.close_all)()
