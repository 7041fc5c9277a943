"""The event types of incidents (SPEC §8): the one place they are spelt."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class IncidentEvent(StrEnum):
    CREATED = "incident.created"
    UPDATED = "incident.updated"
    # An update that changed the level: the hall and the provincial sync react to it.
    REASSESSED = "incident.reassessed"
    CLOSED = "incident.closed"
    # Intake (issue 13): a non-emergency call goes to 12345, its reply comes back; a sea
    # incident goes to the maritime SAR centre; 首接负责制 hand-overs; notes reported back.
    TRANSFERRED_TO_HOTLINE = "incident.transferred_to_hotline"
    HOTLINE_REPLIED = "incident.hotline_replied"
    HANDED_OVER = "incident.handed_over"
    NOTE_ADDED = "incident.note_added"
    # Command passes brigade → on-site HQ → special HQ (Liaocheng §三.一.3).
    COMMAND_TRANSFERRED = "incident.command_transferred"


@unique
class ReportEvent(StrEnum):
    """30-minute reporting (Tieling §三.二.2)."""

    REQUIRED = "report.required"
    SUBMITTED = "report.submitted"
    RECEIVED = "report.received"
    LATE = "report.late"
    RULE_SAVED = "report.rule_saved"


@unique
class ConsultationEvent(StrEnum):
    """会商研判 meetings."""

    RECORDED = "consultation.recorded"
    UPDATED = "consultation.updated"
    CONCLUDED = "consultation.concluded"
