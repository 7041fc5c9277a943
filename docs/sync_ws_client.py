"""Linkage live feed for machine clients: the WebSocket as a doorbell, the change feed
(docs/sync_client.py) for the data. Runs until stopped; reconnects after a network error.

    LINKAGE_URL=https://linkage.example LINKAGE_TOKEN=<token> python docs/sync_ws_client.py
"""

import json
import time

from sync_client import BASE, TOKEN, sync
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

URL = BASE.replace("http", "ws", 1) + "/ws/live/"


def follow() -> None:
    with connect(URL, additional_headers={"Authorization": f"Token {TOKEN}"}) as ws:
        ws.send(json.dumps({"type": "resume", "after": sync()}))
        while True:
            try:
                message = json.loads(ws.recv(timeout=15))
            except TimeoutError:  # heartbeat: the server re-checks the token, re-joins
                ws.send(json.dumps({"type": "ping", "after": sync()}))
                continue
            if message["type"] in ("events", "more"):
                after = sync()  # something new: pull it, with data, from the stored cursor
                if message["type"] == "more":
                    ws.send(json.dumps({"type": "resume", "after": after}))


if __name__ == "__main__":
    while True:
        try:
            follow()
        except ConnectionClosed as closed:
            if closed.rcvd is not None and closed.rcvd.code in (4401, 4403):
                raise SystemExit(f"refused ({closed.rcvd.code}): check the token") from None
        except OSError:
            pass
        time.sleep(5)
