"""Login lockout (等保 2.0 level 3, ECOSYSTEM.md): after five wrong passwords for one
account from one address, that account is locked at that address for 30 minutes — on
the login page and on the API's token endpoint — while the same account elsewhere, and
other accounts, still log in."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
TOKEN = "/api/v1/auth/token/"
PASSWORD = "pw-Linkage-2026"


def attempt(client, username, password, ip="10.0.0.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_at_that_address(client, world):
    for _ in range(4):
        response = attempt(client, "duty_a", "wrong")
        assert response.status_code == 200  # the form again, with its error
    locked = attempt(client, "duty_a", "wrong")
    assert locked.status_code == 429
    # Even the right password is refused now, from that address, with a clear page.
    response = attempt(client, "duty_a", PASSWORD)
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The same account from another machine, and other accounts, are not locked.
    assert attempt(client, "duty_a", PASSWORD, ip="10.0.0.9").status_code == 302
    client.logout()
    assert attempt(client, "dispatcher_a", PASSWORD).status_code == 302


def test_lockout_ends_after_the_cool_off_and_success_resets_the_count(client, world):
    for _ in range(5):
        attempt(client, "duty_a", "wrong")
    assert attempt(client, "duty_a", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert attempt(client, "duty_a", PASSWORD).status_code == 302
        client.logout()
        # A success cleared the failures: four more wrong ones do not lock.
        for _ in range(4):
            attempt(client, "duty_a", "wrong")
        assert attempt(client, "duty_a", PASSWORD).status_code == 302


def test_token_endpoint_locks_too_and_answers_in_the_api_format(api, world):
    client = api()
    for _ in range(5):
        response = client.post(
            TOKEN, {"username": "province_sync", "password": "wrong"}, REMOTE_ADDR="10.1.1.1"
        )
    assert response.status_code == 429
    response = client.post(
        TOKEN, {"username": "province_sync", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out" and "30" in body["detail"]  # minutes
