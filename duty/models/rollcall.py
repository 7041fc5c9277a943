"""Roll calls (值班值守调度) and their schedules (SPEC §5)."""

__all__: list[str] = []
