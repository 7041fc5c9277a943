"""Warnings API — warnings part (DESIGN12)."""

from __future__ import annotations

urlpatterns: list = []
