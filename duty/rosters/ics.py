"""iCalendar (RFC 5545) feed of a duty roster: one VEVENT per shift, times in UTC.

Calendar clients cannot log in, so the feed is reached by a secret token in the URL
and shows names with masked phones only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings

from core.masking import mask_phone
from duty.models import DutyRoster, Shift

PRODID = "-//Linkage//Duty roster//ZH"
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (RFC 5545 §3.1), never
    splitting a UTF-8 sequence; continuation lines start with one space."""
    out: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, MAX_OCTETS
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _uid(shift: Shift) -> str:
    host = getattr(settings, "ICS_UID_DOMAIN", "linkage.local")
    return f"duty-shift-{shift.pk}@{host}"


def _summary(shift: Shift) -> str:
    leader = shift.leader_name or "—"
    return f"值班 带班领导：{leader} {mask_phone(shift.leader_phone)}".strip()


def _description(shift: Shift) -> str:
    lines = []
    for officer in shift.officers.all():
        org = (
            f"（{officer.organisation.short_name or officer.organisation.name}）"
            if (officer.organisation_id)
            else ""
        )
        lines.append(f"值班员：{officer.name}{org} {mask_phone(officer.phone)}".strip())
    if shift.notes:
        lines.append(shift.notes)
    return "\n".join(lines) or "—"


def render_roster_ics(
    roster: DutyRoster, shifts: Iterable[Shift], *, now: datetime | None = None
) -> str:
    """The whole VCALENDAR as text with CRLF line endings."""
    now = now or datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(roster.name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for shift in shifts:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_uid(shift)}",
            f"DTSTAMP:{_utc(now)}",
            f"LAST-MODIFIED:{_utc(shift.updated_at)}",
            f"DTSTART:{_utc(shift.starts_at)}",
            f"DTEND:{_utc(shift.ends_at)}",
            f"SUMMARY:{escape_text(_summary(shift))}",
            f"DESCRIPTION:{escape_text(_description(shift))}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
