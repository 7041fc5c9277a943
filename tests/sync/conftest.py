"""Fixtures of the sync tests."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.db import connections

from config.asgi import application


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def uvicorn_server():
    """uvicorn serving config.asgi.application in a thread of this process, so that it
    shares the test database (see tests/browser/test_dispatch_live.py's docstring; not
    daphne: Twisted's reactor runs once per process and the browser tests own it)."""
    import uvicorn

    db_settings = connections["default"].settings_dict
    saved_max_age = db_settings.get("CONN_MAX_AGE", 0)
    db_settings["CONN_MAX_AGE"] = 0
    port = _free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the in-process uvicorn server did not start")
        time.sleep(0.05)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    db_settings["CONN_MAX_AGE"] = saved_max_age
