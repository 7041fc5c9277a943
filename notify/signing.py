"""Signatures of the generic HTTP gateway protocol, both ways (DESIGN10: outbound
messages and the inbound callback sign alike).

A request carries ``X-Linkage-Timestamp: <unix seconds>`` and ``X-Linkage-Signature:
sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>``. The timestamp is inside
the signed text, so an old request cannot be re-dated; the receiver refuses timestamps
more than ``WINDOW`` seconds away from its clock, which bounds how long a recorded
request can be replayed (event ids close the rest of that window).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path

TIMESTAMP_HEADER = "X-Linkage-Timestamp"
SIGNATURE_HEADER = "X-Linkage-Signature"
WINDOW = 300  # seconds either side of our clock
_PREFIX = "sha256="


class BadSignature(Exception):
    """The request is not signed with our secret, or not signed recently enough."""


def gateway_secret() -> bytes:
    """The shared secret from NOTIFY_GATEWAY_SECRET_FILE (preferred: a file only the
    service account reads) or NOTIFY_GATEWAY_SECRET. Empty when neither is set: then
    nothing verifies, so an unconfigured platform refuses every callback."""
    from django.conf import settings

    path = getattr(settings, "NOTIFY_GATEWAY_SECRET_FILE", "")
    if path:
        return Path(path).read_text(encoding="utf-8").strip().encode()
    return str(getattr(settings, "NOTIFY_GATEWAY_SECRET", "")).encode()


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value


def signature(secret: bytes | str, timestamp: str, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(_as_bytes(secret), _as_bytes(timestamp) + b"." + body, hashlib.sha256)
    return _PREFIX + mac.hexdigest()


def sign(secret: bytes | str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The two headers to send with ``body``."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(
    secret: bytes | str,
    body: bytes,
    timestamp: str | None,
    signed: str | None,
    *,
    now: float | None = None,
    window: int = WINDOW,
) -> None:
    """Raise BadSignature unless ``signed`` is our signature of ``body`` at ``timestamp``
    and the timestamp is within ``window`` seconds of now. The comparison takes the same
    time whatever the mismatch (hmac.compare_digest)."""
    if not secret:
        raise BadSignature("no gateway secret configured")
    if not timestamp or not signed:
        raise BadSignature("missing signature headers")
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature("malformed timestamp") from None
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signed.strip().encode()):
        raise BadSignature("signature mismatch")
    if abs((time.time() if now is None else now) - sent) > window:
        raise BadSignature("timestamp outside the accepted window")
