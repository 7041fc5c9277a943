"""Pages of warnings — cap part (DESIGN12)."""

from __future__ import annotations

urlpatterns: list = []
