"""The generic signed HTTP gateway: the shape of a government SMS/voice platform on an
intranet (DESIGN10, "Generic signed HTTP gateway protocol").

    POST {NOTIFY_GATEWAY_URL}/messages
    X-Linkage-Timestamp: <unix>           X-Linkage-Signature: sha256=<hmac>
    {"messages": [{"key", "channel", "to", "body", "callback"}, …]}
    → 200 {"results": [{"key", "id", "status": "accepted" | "rejected", "error"}, …]}

The gateway accepts a key at most once (a key handed over again is answered "accepted"
with the same id), so a batch that we could not record after the gateway took it is
simply handed over again with the same keys. One pooled keep-alive session per gateway
and process: a worker's batches reuse their connections.
"""

from __future__ import annotations

import json
import threading
from urllib.parse import urljoin

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from notify import signing
from notify.backends.base import BaseBackend, OutboundMessage, SendResult, TemporaryFailure

CALLBACK_PATH = "/api/v1/notify/callback/"

_sessions: dict[str, requests.Session] = {}
_sessions_lock = threading.Lock()


def _session(base_url: str) -> requests.Session:
    with _sessions_lock:
        session = _sessions.get(base_url)
        if session is None:
            session = requests.Session()
            # Retries are ours (durable, with backoff, same key): the adapter tries once.
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=8, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.trust_env = False  # an intranet gateway: no proxy from the environment
            _sessions[base_url] = session
        return session


def callback_url() -> str:
    """Where the gateway posts receipts and replies: NOTIFY_GATEWAY_CALLBACK_URL, else the
    callback path under NOTIFY_PUBLIC_URL."""
    explicit = getattr(settings, "NOTIFY_GATEWAY_CALLBACK_URL", "")
    if explicit:
        return explicit
    return urljoin(settings.NOTIFY_PUBLIC_URL.rstrip("/") + "/", CALLBACK_PATH.lstrip("/"))


class HttpGatewayBackend(BaseBackend):
    """SMS and voice calls through the generic signed HTTP gateway. Options (each
    defaults to its setting): ``url`` (NOTIFY_GATEWAY_URL), ``secret``
    (NOTIFY_GATEWAY_SECRET[_FILE]), ``timeout`` (NOTIFY_GATEWAY_TIMEOUT, seconds),
    ``max_batch`` (NOTIFY_GATEWAY_BATCH), ``callback`` (NOTIFY_GATEWAY_CALLBACK_URL)."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        url = options.get("url", getattr(settings, "NOTIFY_GATEWAY_URL", ""))
        self.url = url.rstrip("/") + "/messages" if url else ""
        secret = options.get("secret")
        self.secret = secret.encode() if isinstance(secret, str) else (secret or b"")
        # A missing setting is not raised here: the sender would fail every channel of
        # its batch. It fails this gateway's hand-overs, visibly on the health page.
        self.misconfigured = ""
        if not self.url:
            self.misconfigured = "NOTIFY_GATEWAY_URL is not set"
        elif not self.secret:
            try:
                self.secret = signing.gateway_secret()
            except OSError as exc:
                self.misconfigured = f"NOTIFY_GATEWAY_SECRET_FILE unreadable: {exc.strerror}"
            if not self.secret and not self.misconfigured:
                self.misconfigured = "NOTIFY_GATEWAY_SECRET (or _SECRET_FILE) is not set"
        timeout = float(options.get("timeout", getattr(settings, "NOTIFY_GATEWAY_TIMEOUT", 10)))
        # Connecting to a gateway on the intranet is quick or not happening at all.
        self.timeout = (min(3.0, timeout), timeout)
        self.max_batch = int(
            options.get("max_batch", getattr(settings, "NOTIFY_GATEWAY_BATCH", 100))
        )
        self.callback = options.get("callback") or callback_url()

    def send_messages(self, messages: list[OutboundMessage]) -> list[SendResult]:
        if self.misconfigured:
            raise TemporaryFailure(self.misconfigured)
        results: list[SendResult] = []
        for start in range(0, len(messages), self.max_batch):
            chunk = messages[start : start + self.max_batch]
            try:
                results.extend(self._post(chunk))
            except TemporaryFailure as exc:
                if not results:
                    raise
                # Earlier chunks were handed over; the rest waits for the next attempt.
                results.extend(
                    SendResult(key=m.key, accepted=False, error=str(exc)[:500])
                    for m in messages[start:]
                )
                break
        return results

    def _post(self, messages: list[OutboundMessage]) -> list[SendResult]:
        payload = {
            "messages": [
                {
                    "key": m.key,
                    "channel": m.channel,
                    "to": m.to,
                    "body": m.body,
                    "callback": self.callback,
                }
                for m in messages
            ]
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            **signing.sign(self.secret, body),
        }
        try:
            response = _session(self.url).post(
                self.url, data=body, headers=headers, timeout=self.timeout
            )
        except requests.Timeout:
            raise TemporaryFailure(f"gateway timed out after {self.timeout[1]:g} s") from None
        except requests.RequestException as exc:
            raise TemporaryFailure(f"gateway unreachable: {type(exc).__name__}") from None
        if response.status_code != 200:
            # 5xx and 429: the gateway is down or busy. A 4xx to a whole batch (a wrong
            # secret, a changed URL) is a configuration fault an operator fixes; either way
            # every message waits for the next attempt, bounded by NOTIFY_MAX_ATTEMPTS.
            raise TemporaryFailure(f"gateway answered HTTP {response.status_code}")
        try:
            answered = {str(r["key"]): r for r in response.json()["results"] if isinstance(r, dict)}
        except (ValueError, KeyError, TypeError):
            raise TemporaryFailure("gateway answered something that is not a result list") from None
        return [self._result(m, answered.get(m.key)) for m in messages]

    @staticmethod
    def _result(message: OutboundMessage, row: dict | None) -> SendResult:
        if row is None:
            # Not in the answer: not taken. Handing it over again is safe (same key).
            return SendResult(key=message.key, accepted=False, error="not in the gateway's answer")
        if row.get("status") == "accepted":
            return SendResult(key=message.key, accepted=True, gateway_id=str(row.get("id") or ""))
        return SendResult(
            key=message.key,
            accepted=False,
            error=str(row.get("error") or "rejected by the gateway")[:500],
            permanent=True,
        )
