"""Signed API requests (X-Linkage-Key/Timestamp/Nonce/Signature): the secret never
travels, a forged, stale, replayed or altered request is refused with 401."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core import credentials
from core.api.authentication import prune_nonces
from core.models import RequestNonce
from sync.models import Subscriber


def _signature(secret: str, method: str, path: str, ts: str, nonce: str, body: bytes) -> str:
    """Computed as a client would, from the secret it holds (independently of the
    server's code)."""
    key = hashlib.sha256(secret.encode()).hexdigest()
    text = "\n".join([method, path, ts, nonce, hashlib.sha256(body).hexdigest()])
    return "sha256=" + hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def _headers(secret, method, path, body=b"", *, ts=None, nonce=None, signed=None):
    ts = str(int(time.time()) if ts is None else ts)
    nonce = nonce or uuid.uuid4().hex
    return {
        "HTTP_X_LINKAGE_KEY": secret[:8],
        "HTTP_X_LINKAGE_TIMESTAMP": ts,
        "HTTP_X_LINKAGE_NONCE": nonce,
        "HTTP_X_LINKAGE_SIGNATURE": signed or _signature(secret, method, path, ts, nonce, body),
    }


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def client_secret(world):
    return credentials.issue_token(user=world.sync_client).secret


ME = "/api/v1/auth/me/"


def test_a_signed_request_is_answered_as_its_tokens_user(client, client_secret):
    answer = client.get(ME, **_headers(client_secret, "GET", ME))
    assert answer.status_code == 200, answer.content
    assert answer.json()["username"] == "province_sync"


def test_a_signed_request_with_a_query_and_a_body_is_accepted(client, world):
    secret = credentials.issue_token(user=world.admin_city).secret
    path = "/api/v1/sync/subscribers/?format=json"
    body = json.dumps(
        {
            "name": "省平台",
            "url": "https://sync.example.org/push",
            "jurisdiction": world.city.code,
            "client": world.sync_client.pk,
        }
    ).encode()
    answer = client.generic(
        "POST", path, body, content_type="application/json", **_headers(secret, "POST", path, body)
    )
    assert answer.status_code == 201, answer.content
    assert Subscriber.objects.filter(name="省平台").exists()


def _refused(answer, code):
    assert answer.status_code == 401, answer.content
    body = answer.json()
    assert set(body) >= {"code", "detail"}
    assert body["code"] == code


def test_a_forged_signature_is_refused(client, client_secret):
    forged = _signature("not-the-secret-" * 3, "GET", ME, str(int(time.time())), "n" * 16, b"")
    headers = _headers(client_secret, "GET", ME)
    headers["HTTP_X_LINKAGE_SIGNATURE"] = forged
    _refused(client.get(ME, **headers), "bad_signature")


def test_a_stale_timestamp_is_refused(client, client_secret):
    _refused(
        client.get(ME, **_headers(client_secret, "GET", ME, ts=int(time.time()) - 301)),
        "stale_timestamp",
    )
    _refused(
        client.get(ME, **_headers(client_secret, "GET", ME, ts=int(time.time()) + 400)),
        "stale_timestamp",
    )


def test_a_replayed_nonce_is_refused(client, client_secret):
    headers = _headers(client_secret, "GET", ME, nonce="abcdef0123456789")
    assert client.get(ME, **headers).status_code == 200
    _refused(client.get(ME, **headers), "replayed")
    assert RequestNonce.objects.filter(nonce="abcdef0123456789").count() == 1


def test_a_changed_body_is_refused(client, world):
    secret = credentials.issue_token(user=world.admin_city).secret
    path = "/api/v1/sync/subscribers/"
    signed_body = json.dumps({"name": "a", "url": "https://a.example.org/"}).encode()
    sent_body = json.dumps({"name": "b", "url": "https://a.example.org/"}).encode()
    answer = client.generic(
        "POST",
        path,
        sent_body,
        content_type="application/json",
        **_headers(secret, "POST", path, signed_body),
    )
    _refused(answer, "bad_signature")
    assert not Subscriber.objects.exists()


def test_a_changed_path_is_refused(client, client_secret):
    headers = _headers(client_secret, "GET", ME)
    _refused(client.get(ME + "?x=1", **headers), "bad_signature")


def test_a_revoked_tokens_signature_is_refused(client, world):
    issued = credentials.issue_token(user=world.sync_client)
    credentials.revoke_token(actor=world.sync_client, token_id=issued.token.pk)
    _refused(client.get(ME, **_headers(issued.secret, "GET", ME)), "token_revoked")


def test_a_signed_request_without_its_nonce_is_refused(client, client_secret):
    headers = _headers(client_secret, "GET", ME)
    del headers["HTTP_X_LINKAGE_NONCE"]
    _refused(client.get(ME, **headers), "bad_signature")


def test_old_nonces_are_forgotten_by_the_tick(client, client_secret):
    assert client.get(ME, **_headers(client_secret, "GET", ME)).status_code == 200
    assert prune_nonces(now=timezone.now()) == 0
    assert prune_nonces(now=timezone.now() + timedelta(minutes=11)) == 1
    assert not RequestNonce.objects.exists()
