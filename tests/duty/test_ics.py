"""The roster's iCalendar feed (RFC 5545): valid text, masked phones, secret token."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from duty.rosters import services
from duty.rosters.ics import escape_text, fold, render_roster_ics
from tests.duty import test_roster_fixtures as fx
from tests.duty.test_roster_fixtures import at

pytestmark = pytest.mark.django_db
duty_world = fx.duty_world
two_shifts = fx.two_shifts


def feed_url(roster, token=None):
    return f"/duty/rosters/{roster.pk}/feed/{token or roster.feed_token}.ics"


def unfold(text: str) -> list[str]:
    """RFC 5545 §3.1: a CRLF followed by one space or tab continues the line."""
    assert text.endswith("\r\n")
    raw = text.split("\r\n")[:-1]
    lines: list[str] = []
    for line in raw:
        assert "\n" not in line and "\r" not in line
        assert len(line.encode("utf-8")) <= 75, line
        if line[:1] in (" ", "\t"):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def events(lines: list[str]) -> list[dict[str, str]]:
    found, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


def test_feed_parses_back_with_one_event_per_shift(two_shifts, client):
    """RFC 5545 §3.1, §3.6.1: CRLF lines of ≤ 75 octets, one VEVENT per shift with UID,
    DTSTAMP and UTC DTSTART/DTEND; names shown, phones masked."""
    w = two_shifts
    response = client.get(feed_url(w.joint))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    lines = unfold(response.content.decode("utf-8"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    evs = events(lines)
    assert len(evs) == 2
    first = evs[0]
    assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"} <= set(first)
    assert first["DTSTART"] == at(w.day, 8).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert first["DTEND"].endswith("Z")
    assert len({e["UID"] for e in evs}) == 2
    assert "李带班" in unescape(first["SUMMARY"]) and "139****5678" in first["SUMMARY"]
    description = unescape(first["DESCRIPTION"])
    assert "王值班" in description and "赵消防" in description
    assert "138****1111" in description and "13800001111" not in response.content.decode()
    assert "\n" in description  # one officer per line, escaped as \n in the feed


def test_text_is_escaped_and_long_lines_are_folded_on_character_boundaries(duty_world):
    """RFC 5545 §3.3.11 and §3.1: , ; \\ and newlines are escaped; folding never splits
    a UTF-8 character."""
    w = duty_world
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    notes = "注意：卫运河, 水位; 上涨\\请关注\n" + "长" * 60
    shift = services.create_shift(
        actor=w.duty_officer_a,
        roster_id=w.joint.pk,
        data={
            "starts_at": at(w.day, 8),
            "ends_at": at(w.day, 20),
            "leader_name": "李带班",
            "notes": notes[:200],
        },
        officers=[services.OfficerInput(name="王值班")],
    )
    text = render_roster_ics(w.joint, [shift], now=datetime(2026, 1, 1, tzinfo=UTC))
    assert "DTSTAMP:20260101T000000Z" in text
    assert "\r\n " in text  # a folded line
    lines = unfold(text)
    (event,) = events(lines)
    assert unescape(event["DESCRIPTION"]).endswith(notes[:200])
    for chunk in fold("值" * 100).split("\r\n"):
        assert len(chunk.encode("utf-8")) <= 75
        chunk.encode("utf-8").decode("utf-8")


def test_wrong_or_old_token_is_404(duty_world, client):
    """The feed URL is the only key: a wrong token or an old one after regeneration is a
    404, like a roster that does not exist."""
    w = duty_world
    assert client.get(feed_url(w.joint, "wrong-token")).status_code == 404
    assert client.get(feed_url(w.joint, w.roster_b.feed_token)).status_code == 404
    old = w.joint.feed_token
    assert client.get(feed_url(w.joint)).status_code == 200
    services.regenerate_feed_token(actor=w.duty_officer_a, roster_id=w.joint.pk)
    assert client.get(feed_url(w.joint, old)).status_code == 404
    w.joint.refresh_from_db()
    assert client.get(feed_url(w.joint)).status_code == 200


def test_token_regeneration_page_is_for_editors(duty_world, client):
    """Only an editor of the roster sees the feed link and regenerates it."""
    w = duty_world
    client.force_login(w.editor_a)
    assert client.post(f"/duty/rosters/{w.joint.pk}/token/").status_code == 403
    page = client.get(f"/duty/rosters/{w.joint.pk}/").content.decode()
    assert w.joint.feed_token not in page
    client.force_login(w.dispatcher_a)
    assert w.joint.feed_token in client.get(f"/duty/rosters/{w.joint.pk}/").content.decode()
    assert client.post(f"/duty/rosters/{w.joint.pk}/token/").status_code == 302
