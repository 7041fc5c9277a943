"""Pages of warnings — grids part (DESIGN12)."""

from __future__ import annotations

urlpatterns: list = []
