"""A real SMS/voice gateway on loopback speaking the generic signed HTTP protocol
(DESIGN10), for the tests and bench/notify.py. Standard library only, so it also runs as
a separate process:

    python tests/notify/gateway_server.py --secret S [--port 0] [--fail-first N]
    # prints "listening on http://127.0.0.1:<port>" then serves until killed

What a real gateway does and the tests rely on:
- verifies each POST /messages signature (401 when it does not verify);
- accepts a key at most once: a key handed over again is answered "accepted" with the
  same id, and is NOT sent to the phone again (``sent`` holds what reached phones);
- rejects numbers it is told are unreachable (``reject``), per message;
- answers 503 to the first ``fail_first`` POSTs (a gateway outage);
- can post signed receipts, replies and key presses to the platform's callback.

GET /stats answers the counters as JSON, GET /sent what reached phones (key, to) and the
keys handed over more than once (for a gateway in another process).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TIMESTAMP_HEADER = "X-Linkage-Timestamp"
SIGNATURE_HEADER = "X-Linkage-Signature"


def sign(secret: bytes, body: bytes, now: float | None = None) -> dict[str, str]:
    """The protocol's headers, computed independently of notify.signing on purpose: the
    test gateway is the other party, not a copy of our code."""
    ts = str(int(time.time() if now is None else now))
    mac = hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: f"sha256={mac}"}


class GatewayServer:
    def __init__(
        self,
        secret: str | bytes,
        *,
        port: int = 0,
        fail_first: int = 0,
        reject: set[str] | None = None,
        delay: float = 0.0,
        record_bodies: bool = True,
    ) -> None:
        self.secret = secret.encode() if isinstance(secret, str) else secret
        self.fail_first = fail_first
        self.reject = set(reject or ())
        self.delay = delay
        self.record_bodies = record_bodies
        # While set, a request that was accepted waits for ``release`` before it is
        # answered: the sender sits between "the gateway took it" and "we recorded it".
        self.hold = False
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.ids: dict[str, str] = {}  # key → gateway id, once accepted
        self.sent: list[dict] = []  # what reached phones, in order, once per key
        self.handed: Counter[str] = Counter()  # key → how often it was POSTed to us
        self.requests = 0  # POST /messages, including refused ones
        self.failed = 0  # answered 503
        self.unsigned = 0  # answered 401
        self.batch_sizes: list[int] = []
        self.peers: set[tuple] = set()  # client (host, port): one per kept-alive connection
        self.first_at: float | None = None
        self.last_accept_at: float | None = None
        self._serial = itertools.count(1)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> GatewayServer:
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> GatewayServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what it saw -----------------------------------------------------------------------
    def sent_keys(self) -> list[str]:
        with self.lock:
            return [m["key"] for m in self.sent]

    def stats(self) -> dict:
        with self.lock:
            return {
                "requests": self.requests,
                "failed": self.failed,
                "unsigned": self.unsigned,
                "accepted": len(self.ids),
                "sent": len(self.sent),
                "handed": sum(self.handed.values()),
                "handed_again": sum(n - 1 for n in self.handed.values() if n > 1),
                "batches": len(self.batch_sizes),
                "largest_batch": max(self.batch_sizes, default=0),
                "first_at": self.first_at,
                "last_accept_at": self.last_accept_at,
                "rejected": sorted(self.reject),
            }

    # -- the protocol ----------------------------------------------------------------------
    def accept(self, body: bytes, headers, peer: tuple = ()) -> tuple[int, dict]:
        ts, signed = headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)
        with self.lock:
            self.requests += 1
            self.peers.add(peer)
            if self.first_at is None:
                self.first_at = time.time()
            if (
                not ts
                or not signed
                or not hmac.compare_digest(
                    sign(self.secret, body, now=int(ts) if ts.isdigit() else 0)[SIGNATURE_HEADER],
                    signed,
                )
            ):
                self.unsigned += 1
                return 401, {"error": "bad signature"}
            if self.failed < self.fail_first:
                self.failed += 1
                return 503, {"error": "temporarily unavailable"}
            messages = json.loads(body)["messages"]
            self.batch_sizes.append(len(messages))
            results = []
            for m in messages:
                key = m["key"]
                self.handed[key] += 1
                if m["to"] in self.reject:
                    results.append({"key": key, "id": "", "status": "rejected", "error": "空号"})
                    continue
                if key not in self.ids:
                    self.ids[key] = f"gw-{next(self._serial)}"
                    self.sent.append(m if self.record_bodies else {"key": key, "to": m["to"]})
                    self.last_accept_at = time.time()
                results.append({"key": key, "id": self.ids[key], "status": "accepted"})
            return 200, {"results": results}

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway offers

            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.rstrip("/") != "/messages":
                    self._answer(404, {"error": "not found"})
                    return
                if gateway.delay:
                    time.sleep(gateway.delay)
                answer = gateway.accept(body, self.headers, self.client_address)
                if gateway.hold and answer[0] == 200:
                    gateway.release.wait(timeout=60)
                try:
                    self._answer(*answer)
                except OSError:
                    pass  # the sender died while we held its answer

            def do_GET(self) -> None:
                if self.path == "/stats":
                    self._answer(200, gateway.stats())
                elif self.path == "/sent":
                    with gateway.lock:
                        sent = [[m["key"], m["to"]] for m in gateway.sent]
                        again = {k: n for k, n in gateway.handed.items() if n > 1}
                    self._answer(200, {"sent": sent, "handed_again": again})
                else:
                    self._answer(404, {"error": "not found"})

        return Handler

    # -- talking back to the platform ------------------------------------------------------
    def event(self, type: str, **fields) -> dict:
        """A callback event with a fresh event id."""
        return {"event_id": uuid.uuid4().hex, "type": type, "at": int(time.time()), **fields}

    def receipt(self, key: str, status: str = "delivered", error: str = "") -> dict:
        return self.event("receipt", key=key, id=self.ids.get(key, ""), status=status, error=error)

    def reply(self, phone: str, text: str) -> dict:
        return self.event("reply", **{"from": phone, "body": text})

    def keypress(self, key: str, digit: str) -> dict:
        return self.event("keypress", key=key, id=self.ids.get(key, ""), digit=digit)

    def signed(self, event: dict, *, secret: bytes | None = None, now: float | None = None):
        """(raw body, headers) of a callback, signed as this gateway signs."""
        body = json.dumps(event, ensure_ascii=False).encode()
        return body, sign(secret or self.secret, body, now=now)

    def post(self, callback_url: str, event: dict, **sign_options) -> tuple[int, dict]:
        """POST a signed callback over HTTP; (status, parsed answer)."""
        body, headers = self.signed(event, **sign_options)
        request = urllib.request.Request(
            callback_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--quiet-bodies", action="store_true", help="keep keys only")
    args = parser.parse_args()
    gateway = GatewayServer(
        args.secret,
        port=args.port,
        fail_first=args.fail_first,
        record_bodies=not args.quiet_bodies,
    )
    print(f"listening on {gateway.url}", flush=True)
    try:
        gateway.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
