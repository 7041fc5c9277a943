"""The only module that touches the channel layer (STYLE.md): after a commit it rings
the doorbell of the jurisdictions concerned; screens then read ``core.Event``."""

from __future__ import annotations

import asyncio
import logging

logger = logging.getLogger(__name__)


def group_name(code: str) -> str:
    return f"jur.{code}"


async def _ring(layer, seq: int, codes: list[str]) -> None:
    # Most specific first and all at once: the county's screens are the ones waiting.
    message = {"type": "doorbell", "seq": seq}
    results = await asyncio.gather(
        *(layer.group_send(group_name(code), message) for code in reversed(codes)),
        return_exceptions=True,
    )
    for code, result in zip(reversed(codes), results, strict=True):
        if isinstance(result, Exception):
            logger.warning("doorbell for %s not delivered: %s", code, result)


def ring_doorbell(*, seq: int, jurisdiction_codes: list[str]) -> None:
    """Tell subscribers of each jurisdiction that events up to ``seq`` exist. A lost ring
    loses nothing: clients also poll on a heartbeat and resume from their last seq."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(_ring)(layer, seq, list(jurisdiction_codes))
    except Exception:  # a Redis outage must not fail the request that committed
        logger.warning("doorbell %s not delivered", seq, exc_info=True)
