"""docs/sync_client.py, the reference client of the README, run as a province would run
it: against a live server, twice, resuming from the cursor file it keeps."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from core.credentials import issue_token
from core.models import Event
from tests import factories as f
from tests.core.test_live_feed import visible_seqs

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = Path(settings.BASE_DIR) / "docs" / "sync_client.py"


def _run(env: dict[str, str]) -> list[dict]:
    result = subprocess.run(
        [sys.executable, str(CLIENT)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_reference_client_syncs_everything_then_resumes_from_its_cursor(
    incident_world, live_server, tmp_path
):
    w = incident_world
    cursor = tmp_path / "province.cursor"
    env = {
        **os.environ,
        "LINKAGE_URL": live_server.url,
        "LINKAGE_TOKEN": issue_token(user=w.sync_client, name="province").secret,
        "LINKAGE_CURSOR": str(cursor),
    }
    first = _run(env)
    assert [c["seq"] for c in first] == visible_seqs(w.sync_client)
    assert int(cursor.read_text()) == Event.objects.latest("seq").seq

    later = [
        f.incident(w.duty_officer_b, jurisdiction=w.county_b, title="阳谷县新险情"),
        f.incident(w.duty_officer_a, jurisdiction=w.county_a, title="临清市新险情"),
    ]
    second = _run(env)
    assert [c["subject"]["id"] for c in second] == [str(i.pk) for i in later]
    assert [c["data"]["title"] for c in second] == ["阳谷县新险情", "临清市新险情"]
    assert _run(env) == []
    assert int(cursor.read_text()) == Event.objects.latest("seq").seq


def test_websocket_reference_client_pulls_what_the_doorbell_announces(
    incident_world, uvicorn_server, tmp_path
):
    w = incident_world
    env = {
        **os.environ,
        "LINKAGE_URL": f"http://{uvicorn_server}",
        "LINKAGE_TOKEN": issue_token(user=w.sync_client, name="province").secret,
        "LINKAGE_CURSOR": str(tmp_path / "province.cursor"),
    }
    process = subprocess.Popen(
        [sys.executable, str(CLIENT.with_name("sync_ws_client.py"))],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in process.stdout], daemon=True).start()

    def read_until(seq: int) -> list[int]:
        seen: list[int] = []
        deadline = time.monotonic() + 40  # a lost doorbell is caught by the 15 s ping
        while seq not in seen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, (seen, process.poll())
            try:
                seen.append(json.loads(lines.get(timeout=remaining))["seq"])
            except queue.Empty:
                continue
        return seen

    try:
        expected = visible_seqs(w.sync_client)
        assert read_until(expected[-1]) == expected
        incident = f.incident(w.duty_officer_b, jurisdiction=w.county_b, title="阳谷县夜间险情")
        created = Event.objects.get(subject_id=str(incident.pk), type="incident.created").seq
        assert read_until(created) == [created]
    finally:
        process.terminate()
        process.wait(timeout=10)
