"""Lapsing-insurance and medical-exam-due alerts (filled by the welfare part)."""

from __future__ import annotations

import datetime


def check_welfare_alerts(*, now: datetime.datetime | None = None) -> int:
    """Raise the insurance and medical-examination alerts due; return how many."""
    return 0
