"""A subscriber's endpoint on loopback, written as a real receiver would be (standard
library only, independent of sync.pusher on purpose): it verifies each POST's
signature, applies a batch once per Idempotency-Key and each change once per seq (in
order), and can be told to answer 500 for a while.

    python tests/sync/receiver.py --secret S [--port 0]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import socket
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    """A loopback port nobody listens on (yet): the receiver is "down" until started."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    def __init__(self, secret: str, *, port: int = 0, fail: int = 0, window: int = 300):
        self.secret = secret.encode()
        self.fail = fail  # answer 500 to the next ``fail`` well-signed POSTs
        self.window = window
        self.lock = threading.Lock()
        self.keys: Counter[str] = Counter()  # Idempotency-Key → how often received
        self.applied: list[int] = []  # seqs applied, in the order applied
        self.types: list[str] = []
        self.cursor = 0  # the last cursor acknowledged, as the receiver stores it
        self.bad_signatures = 0
        self.requests = 0
        self.requests_applied = 0
        self.verbose = False
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/push"

    def start(self) -> Receiver:
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def verified(self, body: bytes, timestamp: str | None, signed: str | None) -> bool:
        if not timestamp or not timestamp.isdigit() or not signed:
            return False
        mac = hmac.new(self.secret, timestamp.encode() + b"." + body, hashlib.sha256)
        if not hmac.compare_digest(f"sha256={mac.hexdigest()}", signed):
            return False
        return abs(time.time() - int(timestamp)) <= self.window

    def receive(self, body: bytes, headers) -> int:
        with self.lock:
            self.requests += 1
            if not self.verified(
                body, headers.get("X-Linkage-Timestamp"), headers.get("X-Linkage-Signature")
            ):
                self.bad_signatures += 1
                return 401
            if self.fail > 0:
                self.fail -= 1
                return 500
            key = headers.get("Idempotency-Key", "")
            self.keys[key] += 1
            if self.keys[key] > 1:
                return 200  # already applied: acknowledge again, apply nothing
            document = json.loads(body)
            if self.requests_applied and document["after"] > self.cursor:
                return 409  # a gap: never acknowledge what would skip changes
            # A receiver that has applied nothing yet starts where the subscriber starts
            # (a subscriber registered "from now on" begins after the latest seq).
            self.requests_applied += 1
            for change in document["changes"]:
                if change["seq"] > (self.applied[-1] if self.applied else 0):
                    self.applied.append(change["seq"])
                    self.types.append(change["type"])
            self.cursor = max(self.cursor, document["cursor"])
            if self.verbose:
                print(
                    f"applied {len(document['changes'])} changes, cursor "
                    f"{document['after']} → {document['cursor']} (key {key})",
                    flush=True,
                )
            return 200

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver.receive(body, self.headers)
                data = json.dumps({"status": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret", required=True, help="the subscriber's signing secret")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any)")
    parser.add_argument("--quiet", action="store_true", help="print no line per batch")
    args = parser.parse_args()
    receiver = Receiver(args.secret, port=args.port)
    receiver.verbose = not args.quiet
    print(f"listening on {receiver.url}", flush=True)
    try:
        receiver.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
