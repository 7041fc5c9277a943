"""What keeps an incident open, from the layers above command (SPEC §3, §4).

An incident cannot be closed while work hangs on it — open call-out orders, an active
response — unless the closer ends that work explicitly, with a reason. Command cannot
import the apps above it, so each registers here, from its own ``AppConfig.ready()``::

    closing.register("dispatch.orders", describe=open_orders, end=end_open_orders)

``describe(incident) -> list[str]`` names the open work (one line each, empty if none);
``end(incident, actor, reason) -> int`` ends it inside the closing transaction (with its
own events) and returns how many it ended. ``close_incident`` calls them in order of
registration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["OpenWork", "open_work", "register", "registered", "unregister"]


@dataclass(frozen=True)
class OpenWork:
    name: str
    describe: Callable[[Any], list[str]]
    end: Callable[[Any, Any, str], int]


_REGISTRY: dict[str, OpenWork] = {}


def register(
    name: str, *, describe: Callable[[Any], list[str]], end: Callable[[Any, Any, str], int]
) -> None:
    _REGISTRY[name] = OpenWork(name, describe, end)


def unregister(name: str) -> None:
    """Forget a registration (tests that register a hook of their own)."""
    _REGISTRY.pop(name, None)


def registered() -> list[OpenWork]:
    return list(_REGISTRY.values())


def open_work(incident: Any) -> list[str]:
    """Every line of open work on the incident, from every registered app."""
    return [line for work in _REGISTRY.values() for line in work.describe(incident)]
