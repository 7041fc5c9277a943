"""The only module that touches the channel layer (STYLE.md): after a commit it rings
the doorbell of the jurisdictions concerned; screens then read ``core.Event``.

A doorbell for one event carries that event, encoded as the live feed sends it, so that
the servers' hubs need not read back from the database an event they were just told
about. A hub takes a carried event only when it is the very next seq after everything
it holds; on any gap (a lost or overtaken doorbell, a bulk of events, an event too
large to carry) it reads the log. The database stays the stream; the carried copy only
saves the round trip of the common case.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

logger = logging.getLogger(__name__)

# An event whose encoded form is longer is announced without it (the hubs read it).
CARRY_LIMIT = 16_384


def group_name(code: str) -> str:
    return f"jur.{code}"


def encode_event(event: dict[str, Any]) -> str:
    """The text of one event in the feed's ``events`` messages."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def carried(event: Any) -> list[Any] | None:
    """What a doorbell carries of a committed ``core.Event`` (loaded with its
    jurisdiction and actor): [jurisdiction path, organisation id, type, encoded event],
    what the hub needs to decide who may see it and to send it; None when too large."""
    from core.selectors import serialize_event

    text = encode_event(serialize_event(event))
    if len(text) > CARRY_LIMIT:
        return None
    return [event.jurisdiction.path, event.organisation_id, event.type, text]


async def _ring(layer, message: dict[str, Any], codes: list[str]) -> None:
    # Most specific first and all at once: the county's screens are the ones waiting.
    results = await asyncio.gather(
        *(layer.group_send(group_name(code), message) for code in reversed(codes)),
        return_exceptions=True,
    )
    for code, result in zip(reversed(codes), results, strict=True):
        if isinstance(result, Exception):
            logger.warning("doorbell for %s not delivered: %s", code, result)


def ring_doorbell(*, seq: int, jurisdiction_codes: list[str], event: Any = None) -> None:
    """Tell subscribers of each jurisdiction that events up to ``seq`` exist, carrying
    ``event`` (the committed ``core.Event`` of that seq) when given. A lost ring loses
    nothing: clients also poll on a heartbeat and resume from their last seq."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    message: dict[str, Any] = {"type": "doorbell", "seq": seq}
    if event is not None:
        try:
            row = carried(event)
        except Exception:  # then only the doorbell: the hubs read the event
            logger.warning("event %s not carried by its doorbell", seq, exc_info=True)
            row = None
        if row is not None:
            message["event"] = row
    try:
        async_to_sync(_ring)(layer, message, list(jurisdiction_codes))
    except Exception:  # a Redis outage must not fail the request that committed
        logger.warning("doorbell %s not delivered", seq, exc_info=True)
