"""The live feed for machine clients (/ws/live/ with an API token): the provincial
platform follows the same cursor as the screens, by ``Authorization: Token`` on the
handshake or by a first ``auth`` message, with or without ``Origin``; a browser session
still needs this site's Origin, and a refused, revoked or expired token closes 4401."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.utils import timezone

from config.asgi import application
from core import consumers
from core.credentials import issue_token, revoke_token
from core.models import ApiToken
from tests import factories as f
from tests.core.test_live_feed import (
    ORIGIN,
    new_incident,
    resume,
    seqs,
    session_headers,
    visible_seqs,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    await sync_to_async(connections.close_all)()


async def _secret(user) -> str:
    return (await sync_to_async(issue_token)(user=user, name="province")).secret


async def _connect(headers) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def _closed_with(communicator: WebsocketCommunicator) -> int:
    message = await communicator.receive_output(timeout=5)
    assert message["type"] == "websocket.close", message
    return message["code"]


async def test_token_header_without_origin_replays_the_whole_city(incident_world):
    w = incident_world
    secret = await _secret(w.sync_client)
    communicator = await _connect([(b"authorization", f"Token {secret}".encode())])
    events, caught_up = await resume(communicator, 0)
    expected = await sync_to_async(visible_seqs)(w.sync_client)
    assert seqs(events) == expected
    assert {e["jurisdiction"] for e in events} >= {w.county_a.code, w.county_b.code}
    assert caught_up >= expected[-1]
    await communicator.disconnect()


async def test_first_message_auth_then_resume_and_live_push(incident_world):
    w = incident_world
    secret = await _secret(w.sync_client)
    communicator = await _connect([])
    await communicator.send_json_to({"type": "auth", "token": secret})
    _, last = await resume(communicator, 0)
    seq = await sync_to_async(new_incident)(w.duty_officer_b, "阳谷县新险情")
    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "events"
    assert [e["seq"] for e in message["events"]] == [seq]
    assert seq > last
    await communicator.disconnect()


async def test_reconnecting_with_the_cursor_gets_exactly_what_was_missed(incident_world):
    w = incident_world
    secret = await _secret(w.sync_client)
    header = [(b"authorization", f"Bearer {secret}".encode())]
    first = await _connect(header)
    _, cursor = await resume(first, 0)
    await first.disconnect()
    missed = [
        await sync_to_async(new_incident)(w.duty_officer_a, "临清市夜间险情"),
        await sync_to_async(new_incident)(w.duty_officer_b, "阳谷县夜间险情"),
    ]
    second = await _connect(header)
    events, _ = await resume(second, cursor)
    assert seqs(events) == missed
    await second.disconnect()


async def test_token_header_with_this_sites_origin_works_too(incident_world):
    secret = await _secret(incident_world.sync_client)
    communicator = await _connect([ORIGIN, (b"authorization", f"Token {secret}".encode())])
    events, _ = await resume(communicator, 0)
    assert events
    await communicator.disconnect()


async def test_token_from_a_foreign_origin_is_refused(incident_world):
    secret = await _secret(incident_world.sync_client)
    headers = [
        (b"origin", b"http://evil.example"),
        (b"authorization", f"Token {secret}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert not connected


async def test_session_without_origin_does_not_sign_in(incident_world):
    headers = await sync_to_async(session_headers)(incident_world.duty_officer_a)
    communicator = await _connect([h for h in headers if h[0] != b"origin"])
    await communicator.send_json_to({"type": "resume", "after": 0})
    assert await _closed_with(communicator) == 4401


@pytest.mark.parametrize("how", ["header", "message"])
async def test_unknown_token_is_closed_with_4401(world, how):
    if how == "header":
        communicator = await _connect([(b"authorization", b"Token not-a-token")])
    else:
        communicator = await _connect([])
        await communicator.send_json_to({"type": "auth", "token": "not-a-token"})
    assert await _closed_with(communicator) == 4401


async def test_revoked_token_is_closed_with_4401(world):
    issued = await sync_to_async(issue_token)(user=world.sync_client)
    await sync_to_async(revoke_token)(actor=world.sync_client, token_id=issued.token.pk)
    communicator = await _connect([(b"authorization", f"Token {issued.secret}".encode())])
    assert await _closed_with(communicator) == 4401


async def test_expired_token_is_closed_with_4401(world):
    issued = await sync_to_async(issue_token)(user=world.sync_client)
    await sync_to_async(ApiToken.objects.filter(pk=issued.token.pk).update)(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    communicator = await _connect([])
    await communicator.send_json_to({"type": "auth", "token": issued.secret})
    assert await _closed_with(communicator) == 4401


async def test_token_revoked_while_connected_closes_on_the_next_ping(incident_world):
    w = incident_world
    issued = await sync_to_async(issue_token)(user=w.sync_client)
    communicator = await _connect([(b"authorization", f"Token {issued.secret}".encode())])
    _, last = await resume(communicator, 0)
    await sync_to_async(revoke_token)(actor=w.sync_client, token_id=issued.token.pk)
    await communicator.send_json_to({"type": "ping", "after": last})
    assert await _closed_with(communicator) == 4401


async def test_token_revoked_while_connected_closes_without_a_ping(incident_world, monkeypatch):
    monkeypatch.setattr(consumers, "TOKEN_RECHECK", 0.2)
    w = incident_world
    issued = await sync_to_async(issue_token)(user=w.sync_client)
    communicator = await _connect([(b"authorization", f"Token {issued.secret}".encode())])
    await resume(communicator, 0)
    await sync_to_async(revoke_token)(actor=w.sync_client, token_id=issued.token.pk)
    assert await _closed_with(communicator) == 4401


async def test_silent_client_without_credentials_is_closed(world, monkeypatch):
    monkeypatch.setattr(consumers, "AUTH_TIMEOUT", 0.2)
    communicator = await _connect([])
    assert await _closed_with(communicator) == 4401


async def test_token_of_an_account_without_jurisdiction_is_closed_with_4403(world):
    nobody = await sync_to_async(f.user)("nobody", None)
    secret = await _secret(nobody)
    communicator = await _connect([(b"authorization", f"Token {secret}".encode())])
    assert await _closed_with(communicator) == 4403


# A real WebSocket client against a real server on loopback ------------------------------


def _replay(ws, after: int) -> tuple[list[int], int]:
    ws.send(json.dumps({"type": "resume", "after": after}))
    found: list[int] = []
    while True:
        message = json.loads(ws.recv(timeout=10))
        if message["type"] == "events":
            found += [e["seq"] for e in message["events"]]
        elif message["type"] == "caught_up":
            return found, message["seq"]


def _ping(ws, after: int) -> tuple[list[int], int]:
    ws.send(json.dumps({"type": "ping", "after": after}))
    found: list[int] = []
    while True:
        message = json.loads(ws.recv(timeout=10))
        if message["type"] == "events":
            found += [e["seq"] for e in message["events"]]
        elif message["type"] == "pong":
            return found, message["seq"]


def test_real_websocket_client_syncs_and_resumes_with_a_token(incident_world, uvicorn_server):
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    w = incident_world
    url = f"ws://{uvicorn_server}/ws/live/"
    issued = issue_token(user=w.sync_client, name="province")
    header = {"Authorization": f"Token {issued.secret}"}
    with connect(url, additional_headers=header, open_timeout=10) as ws:
        received, cursor = _replay(ws, 0)
        assert received == visible_seqs(w.sync_client)
        fresh = new_incident(w.duty_officer_b, "阳谷县实时险情")
        pushed, cursor = _ping(ws, cursor)
        assert fresh in pushed and cursor >= fresh
    missed = new_incident(w.duty_officer_a, "临清市离线期间险情")
    # No header this time: the token as the first message, no Origin either.
    with connect(url, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "auth", "token": issued.secret}))
        received, _ = _replay(ws, cursor)
        assert received == [missed]
    revoke_token(actor=w.sync_client, token_id=issued.token.pk)
    with connect(url, additional_headers=header, open_timeout=10) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 4401
