"""The event types of duty rosters and roll calls (SPEC §8): the one place they are spelt."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class RosterEvent(StrEnum):
    ROSTER_CREATED = "duty.roster_created"
    ROSTER_CHANGED = "duty.roster_changed"
    FEED_TOKEN_REGENERATED = "duty.feed_token_regenerated"
    SHIFT_CHANGED = "duty.shift_changed"
    LOG_RECORDED = "duty.log_recorded"
    LOG_ITEM_CLOSED = "duty.log_item_closed"
    HANDOVER = "duty.handover"
    SPOTCHECK_RECORDED = "duty.spotcheck_recorded"
    SPOTCHECK_CLOSED = "duty.spotcheck_closed"


@unique
class RollCallEvent(StrEnum):
    STARTED = "rollcall.started"
    DELIVERED = "rollcall.delivered"
    # One per organisation whose forces a roll call reached: what tells a force account's
    # live page that a roll call is waiting (DELIVERED names no organisation).
    CALLED = "rollcall.called"
    ANSWERED = "rollcall.answered"
    CLOSED = "rollcall.closed"
    SCHEDULE_SAVED = "rollcall.schedule_saved"
    INTENSIFIED = "rollcall.intensified"
