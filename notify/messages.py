"""The texts that leave the platform: SMS, voice (read by the gateway's TTS), e-mail.

They are Chinese whatever the UI language, short (one SMS segment where possible) and
built only from the notification's own title and text, which the calling app writes
without third parties' personal data; the reply instructions and the one-time link are
added here. The domain's ``body`` is the content sentence only, e.g.
"出动指令LQ20260101-01：火灾，某某路。任务：灭火。"
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from django.conf import settings

from notify import registry
from notify.choices import Channel

SMS_PREFIX = "【联调联战】"
VOICE_PREFIX = "联调联战平台"
LINK_PATH = "/a/"


def link_token(key: str) -> str:
    """The one-time link's token of a delivery: 96 bits, keyed by the secret key so that a
    re-send after a crash (same delivery key) carries the same link, while the database
    holds only the token's sha256 (``Delivery.link_token_hash``)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"notify.link:{key}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    return f"{settings.NOTIFY_PUBLIC_URL}{LINK_PATH}{token}"


# A resident identity number (GB 11643): it never leaves the platform in a message, even
# if a caller's text carries one by mistake.
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![0-9A-Za-z])"
)


def scrub(text: str) -> str:
    return _ID_NUMBER.sub("[已隐去]", text or "")


def _sentence(text: str) -> str:
    text = scrub(text).strip()
    if text and text[-1] not in "。！？.!?":
        text += "。"
    return text


def render(*, channel: str, key: str, notification, answer: str = "") -> str:
    """The text of one delivery. ``answer``: the delivery answers an inbound reply."""
    if answer:
        return f"{SMS_PREFIX}{scrub(answer)}"
    content = _sentence(notification.body or notification.title)
    handler = registry.handler_for(notification.purpose)
    if channel == Channel.SMS:
        text = f"{SMS_PREFIX}{content}"
        if handler is not None:
            text += f"回复{notification.reply_code}{handler.verb}，或点 {link_url(link_token(key))}"
        return text
    if channel == Channel.VOICE:
        text = f"{VOICE_PREFIX}{content}"
        if handler is not None:
            text += f"{handler.verb}请按1。"
        return text
    if channel == Channel.EMAIL:
        lines = [scrub(notification.title), content]
        if notification.link:
            lines.append(f"{settings.NOTIFY_PUBLIC_URL}{notification.link}")
        return "\n".join(lines)
    return scrub(notification.title)
