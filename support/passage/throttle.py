"""Rate limit of the public pass check (page and API): failed checks from one address
before it is refused for a while. A checkpoint scans genuine codes; someone trying forged
or guessed tokens keeps missing. Only misses count: many phones share a carrier's
address, and a genuine code never misses."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from core.audit import client_address

MISSES_ALLOWED = 30
MISS_WINDOW_SECONDS = 15 * 60


def _miss_key(request: HttpRequest) -> str:
    return f"support:pass-miss:{client_address(request) or 'unknown'}"


def refused(request: HttpRequest) -> bool:
    return (cache.get(_miss_key(request)) or 0) >= MISSES_ALLOWED


def count_miss(request: HttpRequest) -> None:
    key = _miss_key(request)
    if cache.add(key, 1, MISS_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, MISS_WINDOW_SECONDS)
