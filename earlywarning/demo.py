"""The demo's warnings and grids (DESIGN12): reference data first."""

from __future__ import annotations

from earlywarning.models import HazardType


def missing_reference_data() -> list[str]:
    return [] if HazardType.objects.exists() else ["hazard_types"]
