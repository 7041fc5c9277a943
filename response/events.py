"""The event types of graded response (SPEC §8): the one place they are spelt."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class ResponseEvent(StrEnum):
    ACTIVATED = "response.activated"
    RAISED = "response.raised"
    LOWERED = "response.lowered"
    ENDED = "response.ended"
    MANUAL_SAVED = "response.manual_saved"
    MANUAL_DELETED = "response.manual_deleted"


@unique
class InstructionEvent(StrEnum):
    SENT = "instruction.sent"
    ACKNOWLEDGED = "instruction.acknowledged"
    STARTED = "instruction.started"
    COMPLETED = "instruction.completed"
    OVERDUE = "instruction.overdue"
    CANCELLED = "instruction.cancelled"


@unique
class SeatEvent(StrEnum):
    JOINED = "seat.joined"
    LEFT = "seat.left"
