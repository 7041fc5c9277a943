"""bench/browser_push.py's ``measure()`` against the real ASGI application (daphne in this
process) and Debian's chromium: what the flood run relies on it for — every committed
event timed from COMMIT to its line on the hall screen, the clocks agreeing, and an event
that never shows counted as lost rather than matched to another."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from tests.browser.conftest import PASSWORD, _server_idle_before_flush, asgi_server

__all__ = ["_server_idle_before_flush", "asgi_server"]  # fixtures shared with tests/browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "browser_push.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_browser_push", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_committed_event_is_timed_from_commit_to_the_hall_screen(
    bench, asgi_server: str, world
):
    commit = bench.probe_committer(world.county_a, world.duty_officer_a)
    frames: list[float] = []
    sockets: list[float] = []
    clock: dict[str, float] = {}

    latencies = bench.measure(
        asgi_server,
        "screen_a",
        PASSWORD,
        commit,
        12,
        0.05,
        frames=frames,
        sockets=sockets,
        clock=clock,
    )

    assert len(latencies) == len(frames) == len(sockets) == 12
    assert all(math.isfinite(ms) for ms in latencies), latencies
    # A line can only show after its COMMIT: a negative latency would mean the clocks or
    # the matching of lines to commits were wrong. 2 s is the dispatch-system rule.
    assert all(0 < ms < 2000 for ms in latencies), latencies
    assert all(frame >= dom for frame, dom in zip(frames, latencies, strict=True))
    # The socket frame arrives before its line is drawn (two clocks of chromium: allow 5 ms).
    assert all(0 < socket <= dom + 5 for socket, dom in zip(sockets, latencies, strict=True))
    assert abs(clock["offset"]) < 50, clock
    summary = bench.summary(latencies)
    assert summary["lost"] == 0
    assert 0 < summary["p50"] <= summary["p99"] <= summary["max"] < 2000


def test_an_event_the_screen_may_not_see_counts_as_lost(
    bench, asgi_server: str, world, monkeypatch
):
    monkeypatch.setattr(bench, "SHOW_WITHIN_S", 3.0)
    visible = bench.probe_committer(world.county_a, world.duty_officer_a)
    # County B's events never reach county A's hall screen (jurisdiction scoping).
    elsewhere = bench.probe_committer(world.county_b, world.dispatcher_b)

    latencies = bench.measure(
        asgi_server,
        "screen_a",
        PASSWORD,
        lambda i: elsewhere(i) if i % 3 == 1 else visible(i),
        9,
        0.05,
    )

    lost = [i for i, ms in enumerate(latencies) if math.isinf(ms)]
    assert lost == [1, 4, 7], latencies
    assert all(0 < ms < 2000 for i, ms in enumerate(latencies) if i not in lost)
    assert bench.summary(latencies)["lost"] == 3


def test_a_lost_event_is_the_slowest_in_the_percentiles(bench):
    latencies = [10.0] * 98 + [math.inf, 30.0]
    assert bench.percentile(latencies, 0.99) == 30.0
    assert bench.percentile(latencies, 1.0) == math.inf
    assert bench.summary(latencies) == {"p50": 10.0, "p99": 30.0, "max": 30.0, "lost": 1}
