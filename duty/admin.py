"""Admin registrations of duty: rosters and the rest (roster_admin), roll calls
(rollcall_admin)."""

from duty import rollcall_admin, roster_admin  # noqa: F401
