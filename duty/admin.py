"""Admin registrations of duty: rosters, duty logs, hand-overs and spot checks
(``duty.rosters.admin``), roll calls (``duty.rollcalls.admin``)."""

from duty.rollcalls import admin as rollcall_admin  # noqa: F401
from duty.rosters import admin as roster_admin  # noqa: F401
