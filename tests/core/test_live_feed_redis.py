"""The live feed across a real Redis restart (RELIABILITY.md: Channels is only a doorbell).

Each test starts its own ``redis-server`` on a spare loopback port (no persistence, so a
restart forgets every group, as a production restart without AOF does) and points the
channel layer at it. Skipped unless REDIS_URL is set, which is how CI says "a
redis-server binary is here"; the server at REDIS_URL itself is not touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.db import connections

from tests.core.test_live_feed import new_incident, next_events, open_feed, record, resume, seqs

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if pytest dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class RedisServer:
    """A throwaway redis-server on 127.0.0.1 that can be stopped and started again on
    the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from exc
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class Drained(list):
    pong: dict | None = None


async def drain_events(communicator, *, timeout: float, until_pong: bool = False) -> Drained:
    """Every event pushed until the socket is quiet for ``timeout`` seconds (or, with
    ``until_pong``, until the pong that ends a heartbeat's answer)."""
    drained = Drained()
    while True:
        # receive_nothing, not a receive timeout: the latter stops the application.
        if not until_pong and await communicator.receive_nothing(timeout=timeout):
            return drained
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == "pong":
            drained.pong = message
            return drained
        assert message["type"] == "events", message
        drained += message["events"]


@pytest.fixture
def redis_server():
    server = RedisServer(spare_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
async def redis_layer(settings, redis_server):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": redis_server.url, "socket_timeout": 15}]},
        }
    }
    channel_layers.backends.clear()
    yield
    layer = channel_layers.backends.pop("default", None)
    if layer is not None:
        await layer.flush()  # closes this loop's Redis connections
    await sync_to_async(connections.close_all)()


async def test_reconnect_across_a_redis_restart_gets_exactly_the_missed_events(
    incident_world, redis_server
):
    w = incident_world
    communicator = await open_feed(w.screen_a)
    await resume(communicator, 0)
    live = await sync_to_async(new_incident)(w.duty_officer_a, "重启前的警情")
    assert seqs(await next_events(communicator, 1)) == [live]  # doorbells go through Redis
    await communicator.disconnect()

    redis_server.stop()
    # Writes go on while Redis is down: the doorbell fails, is logged, and the commit
    # stands.
    missed = [await sync_to_async(new_incident)(w.duty_officer_a, f"停机期间{n}") for n in (1, 2)]
    missed += await sync_to_async(record)(w.county_a)
    redis_server.start()

    communicator = await open_feed(w.screen_a)
    events, caught_up = await resume(communicator, live)
    assert seqs(events) == missed
    assert caught_up == missed[-1]
    assert await communicator.receive_nothing(timeout=0.3)
    after = await sync_to_async(new_incident)(w.duty_officer_a, "重启后的警情")
    assert seqs(await next_events(communicator, 1)) == [after]
    await communicator.disconnect()


async def test_socket_open_across_a_redis_restart_is_healed_by_the_heartbeat(
    incident_world, redis_server
):
    w = incident_world
    communicator = await open_feed(w.screen_a)
    await resume(communicator, 0)
    last = await sync_to_async(new_incident)(w.duty_officer_a, "重启前的警情")
    assert seqs(await next_events(communicator, 1)) == [last]

    redis_server.stop()
    missed = await sync_to_async(record)(w.county_a, 2)
    redis_server.start()  # empty: the server's subscriptions are gone

    # The doorbells rung while Redis was down are lost for good, and whether this one
    # is heard depends on how soon the layer's subscriber reconnects ...
    missed.append(await sync_to_async(new_incident)(w.duty_officer_a, "重启之后"))
    heard_early = await drain_events(communicator, timeout=1.5)

    # ... but the next heartbeat re-joins the groups and sends whatever the screen has
    # not had: every missed event exactly once, in order.
    await communicator.send_json_to({"type": "ping", "after": last})
    rest = await drain_events(communicator, timeout=1.0, until_pong=True)
    assert seqs(heard_early + rest) == missed
    assert rest.pong == {"type": "pong", "seq": missed[-1]}
    heard = await sync_to_async(new_incident)(w.duty_officer_a, "门铃恢复")
    assert seqs(await next_events(communicator, 1)) == [heard]
    await communicator.disconnect()
