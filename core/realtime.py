"""The only module that touches the channel layer (STYLE.md): after a commit it rings
the doorbell of the jurisdictions concerned; screens then read ``core.Event``."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def group_name(code: str) -> str:
    return f"jur.{code}"


def ring_doorbell(*, seq: int, jurisdiction_codes: list[str]) -> None:
    """Tell subscribers of each jurisdiction that events up to ``seq`` exist. A lost ring
    loses nothing: clients also poll on a heartbeat and resume from their last seq."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    for code in jurisdiction_codes:
        try:
            async_to_sync(layer.group_send)(group_name(code), {"type": "doorbell", "seq": seq})
        except Exception:  # a Redis outage must not fail the request that committed
            logger.warning("doorbell for %s not delivered", code, exc_info=True)
