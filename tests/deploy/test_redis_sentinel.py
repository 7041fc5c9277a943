"""Redis Sentinel for the channel layer, the cache and Celery (REDIS_SENTINELS).

The settings are built in a subprocess from the environment an operator would write, as
the web, worker and beat processes build them. The live test starts a real master and a
real sentinel (``redis-server --sentinel``) on loopback, both with passwords, and goes
through the sentinel for a cache write, a channel-layer group message and a Celery broker
round trip; the writes are then read straight from the master.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis

from tests.core.test_live_feed_redis import spare_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "caches": s.CACHES["default"],
    "layer": s.CHANNEL_LAYERS["default"],
    "broker": s.CELERY_BROKER_URL,
    "transport": getattr(s, "CELERY_BROKER_TRANSPORT_OPTIONS", None),
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
}))
"""


def django_process(code: str, *args: str, **environ: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "CELERY_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1", **environ)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_from(**environ: str) -> dict:
    done = django_process(SHOW_SETTINGS, **environ)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sentinels_in_the_environment_configure_the_layer_the_cache_and_celery():
    got = settings_from(
        REDIS_SENTINELS="10.1.0.11:26379, 10.1.0.12:26380,10.1.0.13",
        REDIS_SENTINEL_MASTER="linkage-master",
        REDIS_SENTINEL_PASSWORD="sentinel-secret",
        REDIS_PASSWORD="p@ss/word",
        REDIS_DB="2",
    )
    sentinels = [["10.1.0.11", 26379], ["10.1.0.12", 26380], ["10.1.0.13", 26379]]

    host = got["layer"]["CONFIG"]["hosts"][0]
    assert got["layer"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert host["sentinels"] == sentinels
    assert host["master_name"] == "linkage-master"
    assert host["sentinel_kwargs"] == {"password": "sentinel-secret"}
    assert (host["password"], host["db"]) == ("p@ss/word", 2)
    assert "address" not in host

    cache = got["caches"]
    assert cache["LOCATION"] == "redis://linkage-master/2"
    # Reads and writes both on the master: no stale read from a lagging replica.
    assert "CLIENT_CLASS" not in cache["OPTIONS"]
    assert cache["OPTIONS"]["CONNECTION_FACTORY"] == "django_redis.pool.SentinelConnectionFactory"
    assert cache["OPTIONS"]["SENTINELS"] == sentinels
    assert cache["OPTIONS"]["SENTINEL_KWARGS"] == {"password": "sentinel-secret"}
    assert cache["OPTIONS"]["PASSWORD"] == "p@ss/word"

    assert got["broker"] == ";".join(f"sentinel://:p%40ss%2Fword@{h}:{p}/2" for h, p in sentinels)
    assert got["transport"] == {
        "master_name": "linkage-master",
        "sentinel_kwargs": {"password": "sentinel-secret"},
    }
    assert got["eager"] is False, "with Redis, tasks go to the worker"


def test_one_redis_url_still_configures_everything_without_sentinel_options():
    # An empty CELERY_BROKER_URL (as .env.example leaves it) means "the same Redis".
    got = settings_from(REDIS_URL="rediss://:secret@redis.example:6380/1", CELERY_BROKER_URL="")
    assert got["layer"]["CONFIG"]["hosts"] == [
        {"address": "rediss://:secret@redis.example:6380/1", "socket_timeout": 15}
    ]
    assert got["caches"]["LOCATION"] == "rediss://:secret@redis.example:6380/1"
    assert "CLIENT_CLASS" not in got["caches"]["OPTIONS"]
    assert got["broker"] == "rediss://:secret@redis.example:6380/1"
    assert got["transport"] is None
    assert got["eager"] is False


def test_without_redis_the_embedded_mode_keeps_everything_in_process():
    got = settings_from()
    assert got["layer"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert got["caches"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert got["broker"] == "memory://"
    assert got["eager"] is True


# A real sentinel ------------------------------------------------------------------------

THROUGH_THE_SENTINEL = """
import asyncio, sys, django
django.setup()
name = sys.argv[1]
from channels.layers import get_channel_layer
from django.core.cache import cache

cache.set(f"cache-{name}", "缓存经哨兵", 60)
assert cache.get(f"cache-{name}") == "缓存经哨兵", cache.get(f"cache-{name}")


async def doorbell():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("linkage-sentinel-group", channel)
    await layer.group_send("linkage-sentinel-group", {"type": "events.new", "seq": 42})
    message = await asyncio.wait_for(layer.receive(channel), 10)
    assert message == {"type": "events.new", "seq": 42}, message
    await layer.flush()


asyncio.run(doorbell())

from config.celery import app

with app.connection_for_write() as conn:
    conn.ensure_connection(max_retries=3)
    queue = conn.SimpleQueue(f"queue-{name}")
    queue.put({"task": "check"})
    got = queue.get(timeout=10)
    assert got.payload == {"task": "check"}, got.payload
    got.ack()
    queue.put({"task": "left for the master"})
    queue.close()
print("ok")
"""


def wait_until(check, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except redis.RedisError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:.0f} s")
        time.sleep(0.1)


def redis_server(tmp_path: Path, port: int, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *(REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)),
            *("--save", "", "--appendonly", "no", "--requirepass", "master-secret"),
            *("--masterauth", "master-secret", *options),
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def sentinel(tmp_path):
    """A master and its replica, both with a password, watched by one sentinel with its
    own password, on loopback."""
    master_port, replica_port, sentinel_port = spare_port(), spare_port(), spare_port()
    (tmp_path / "master").mkdir()
    (tmp_path / "replica").mkdir()
    processes = [redis_server(tmp_path / "master", master_port)]
    try:
        master = redis.Redis(port=master_port, password="master-secret", socket_timeout=1)
        wait_until(master.ping, "the master answers")
        processes.append(
            redis_server(
                tmp_path / "replica", replica_port, "--replicaof", "127.0.0.1", str(master_port)
            )
        )
        replica = redis.Redis(port=replica_port, password="master-secret", socket_timeout=1)
        wait_until(
            lambda: replica.info("replication")["master_link_status"] == "up",
            "the replica follows the master",
        )
        conf = tmp_path / "sentinel.conf"  # the sentinel rewrites its own config file
        conf.write_text(
            f"port {sentinel_port}\nbind 127.0.0.1\ndir {tmp_path}\n"
            "requirepass sentinel-secret\n"
            f"sentinel monitor linkage 127.0.0.1 {master_port} 1\n"
            "sentinel auth-pass linkage master-secret\n"
            "sentinel down-after-milliseconds linkage 2000\n"
            "sentinel failover-timeout linkage 10000\n",
            encoding="utf-8",
        )
        processes.append(
            subprocess.Popen(
                [REDIS_SERVER, str(conf), "--sentinel"],
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        watcher = redis.Redis(
            port=sentinel_port, password="sentinel-secret", socket_timeout=1, decode_responses=True
        )
        wait_until(
            lambda: (
                watcher.sentinel_get_master_addr_by_name("linkage") == ("127.0.0.1", master_port)
                and len(watcher.sentinel_slaves("linkage")) == 1
            ),
            "the sentinel knows the master and its replica",
        )
        yield SimpleNamespace(
            master=master, replica=replica, watcher=watcher, sentinel_port=sentinel_port
        )
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=10)


def through_the_sentinel(sentinel_port: int, name: str) -> None:
    done = django_process(
        THROUGH_THE_SENTINEL,
        name,
        REDIS_SENTINELS=f"127.0.0.1:{sentinel_port}",
        REDIS_SENTINEL_MASTER="linkage",
        REDIS_SENTINEL_PASSWORD="sentinel-secret",
        REDIS_PASSWORD="master-secret",
        REDIS_DB="0",
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]


def holds(server: redis.Redis, name: str) -> bool:
    keys = server.keys("*")
    return (
        any(f"cache-{name}".encode() in key for key in keys) and server.llen(f"queue-{name}") == 1
    )


@pytest.mark.redis
def test_cache_layer_and_broker_reach_whichever_server_the_sentinel_names_master(sentinel):
    through_the_sentinel(sentinel.sentinel_port, "before")
    assert holds(sentinel.master, "before")

    # The replica is promoted; nothing in the settings changes.
    sentinel.watcher.sentinel_failover("linkage")
    wait_until(
        lambda: (
            sentinel.replica.info("replication")["role"] == "master"
            and sentinel.watcher.sentinel_get_master_addr_by_name("linkage")[1]
            == sentinel.replica.connection_pool.connection_kwargs["port"]
        ),
        "the sentinel promotes the replica",
        timeout=30,
    )
    through_the_sentinel(sentinel.sentinel_port, "after")
    assert holds(sentinel.replica, "after")
