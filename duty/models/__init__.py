"""Duty (SPEC §5): rosters, duty logs, hand-overs and spot checks (``roster``), and roll
calls with their schedules (``rollcall``)."""

from duty.models.rollcall import *  # noqa: F403
from duty.models.roster import *  # noqa: F403
