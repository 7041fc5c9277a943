"""Registrations of the welfare part: feed subjects, notify handlers (filled by its owner)."""

from __future__ import annotations


def register() -> None:
    return None
