"""bench/multinode.py: its verdict on a screen's feed, its refusal without PostgreSQL,
and a short run of the real thing (two uvicorn nodes, a Celery worker and beat, a
private redis-server, node A restarted mid-stream)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "multinode.py"


def load_bench():
    if "bench_multinode" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_multinode", BENCH)
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_multinode"] = module  # dataclasses look their module up there
        path = list(sys.path)
        try:
            spec.loader.exec_module(module)
        finally:
            # bench/ holds notify.py, sync.py, response.py: never ahead of the apps.
            sys.path[:] = path
    return sys.modules["bench_multinode"]


def test_a_feed_with_every_event_once_in_order_passes():
    v = load_bench().verdict([3, 4, 5, 7], [3, 4, 5, 7])
    assert v.ok
    assert (v.received, v.lost, v.duplicate, v.out_of_order, v.unexpected) == (4, 0, 0, 0, 0)


def test_a_feed_missing_an_event_fails_as_lost():
    v = load_bench().verdict([3, 4, 5], [3, 5])
    assert not v.ok
    assert v.lost == 1


def test_a_feed_with_an_event_twice_fails_as_doubled():
    v = load_bench().verdict([3, 4, 5], [3, 4, 4, 5])
    assert not v.ok
    assert (v.duplicate, v.lost) == (1, 0)


def test_a_feed_out_of_seq_order_fails():
    v = load_bench().verdict([3, 4, 5], [3, 5, 4])
    assert not v.ok
    assert (v.out_of_order, v.lost, v.duplicate) == (1, 0, 0)


def test_a_feed_with_an_event_the_log_does_not_hold_fails():
    v = load_bench().verdict([3, 4], [3, 4, 9])
    assert not v.ok
    assert v.unexpected == 1


def test_the_bench_refuses_to_run_without_postgresql(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    run = subprocess.run(
        [sys.executable, str(BENCH)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 2
    assert "needs PostgreSQL" in run.stderr


@pytest.mark.postgres
@pytest.mark.redis
def test_screens_on_node_b_get_every_event_committed_through_node_a_across_its_restart():
    """The issue's acceptance run, shortened: exit status 0 means every committed event
    reached every screen once and in order, the worker's event too."""
    run = subprocess.run(
        [sys.executable, str(BENCH), "--events", "45", "--screens", "2", "--skip-connections"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "refused while down (retried)" in run.stdout
    assert "delivered by the Celery worker" in run.stdout
    assert "on every screen, once, in order" in run.stdout
