"""Linkage change feed, reference client: pull every change after the stored cursor and
store the cursor after each page, so a restart resumes where it stopped.

    LINKAGE_URL=https://linkage.example LINKAGE_TOKEN=<token> python docs/sync_client.py
"""

import json
import os
from pathlib import Path

import requests

BASE = os.environ.get("LINKAGE_URL", "http://127.0.0.1:8000").rstrip("/")
TOKEN = os.environ["LINKAGE_TOKEN"]
CURSOR = Path(os.environ.get("LINKAGE_CURSOR", "linkage.cursor"))


def apply(change: dict) -> None:
    """Your side: upsert change["data"] by (subject kind, id), or drop it if deleted.
    Make it idempotent: a crash before the cursor is stored replays that page."""
    print(json.dumps(change, ensure_ascii=False), flush=True)


def sync(session: requests.Session | None = None) -> int:
    session = session or requests.Session()
    after = int(CURSOR.read_text()) if CURSOR.exists() else 0
    while True:
        response = session.get(
            f"{BASE}/api/v1/sync/changes/",
            params={"after": after, "limit": 500},
            headers={"Authorization": f"Token {TOKEN}"},
            timeout=30,
        )
        response.raise_for_status()
        page = response.json()
        for change in page["changes"]:
            apply(change)
        after = page["next"]
        CURSOR.with_suffix(".tmp").write_text(str(after))
        CURSOR.with_suffix(".tmp").replace(CURSOR)  # atomic: never a half-written cursor
        if not page["more"]:
            return after


if __name__ == "__main__":
    sync()
