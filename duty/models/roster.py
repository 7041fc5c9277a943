"""Duty rosters, shifts, duty logs, hand-overs, spot checks (SPEC §5)."""

__all__: list[str] = []
