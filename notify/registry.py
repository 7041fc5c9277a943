"""What notify calls back into: the domain's acknowledgement per purpose.

Domain apps fill this in their ``AppConfig.ready()``; notify never imports them (the
layers contract). A handler is the same service the page calls, so an SMS reply, a
one-time link and a voice key press record exactly what a click records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from notify.types import Responder

# acknowledge(subject_id, responder, text) -> a short Chinese confirmation. It raises a
# core.exceptions.DomainError subclass to refuse (InvalidTransition: already answered).
AcknowledgeHandler = Callable[[int, Responder, str], str]


# timeline_subjects(subjects) -> {subject pk: the object whose timeline tells of them}.
# A roll call's targets are told of on the roll call: one escalation line per roll call
# and level, not one per force.
TimelineSubjects = Callable[[list[Any]], dict[int, Any]]


@dataclass(frozen=True)
class Handler:
    purpose: str
    acknowledge: AcknowledgeHandler
    verb: str  # "签收" (order, notice, consent), "应答" (roll call)
    timeline_subjects: TimelineSubjects | None = None


_handlers: dict[str, Handler] = {}


def register(
    purpose: str,
    *,
    acknowledge: AcknowledgeHandler,
    verb: str,
    timeline_subjects: TimelineSubjects | None = None,
) -> None:
    """Register (or replace: reloads and tests) the handler of a purpose."""
    _handlers[str(purpose)] = Handler(
        purpose=str(purpose),
        acknowledge=acknowledge,
        verb=verb,
        timeline_subjects=timeline_subjects,
    )


def unregister(purpose: str) -> None:
    _handlers.pop(str(purpose), None)


def handler_for(purpose: str) -> Handler | None:
    return _handlers.get(str(purpose))
