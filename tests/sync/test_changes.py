"""The change feed (GET /api/v1/sync/changes/): every visible event after a cursor, with
its subject's current representation."""

from __future__ import annotations

from sync.selectors import changes_after


def test_sync_client_reads_incidents_of_both_counties_with_their_representation(incident_world):
    w = incident_world
    page = changes_after(w.sync_client, after=0, limit=100)
    incidents = [c for c in page.changes if c["subject"]["kind"] == "incident"]
    assert {c["jurisdiction"]["code"] for c in incidents} == {"371581", "371521"}
    assert all(c["data"]["id"] == int(c["subject"]["id"]) for c in incidents)
    assert not page.more
    assert page.next == max(c["seq"] for c in page.changes)
