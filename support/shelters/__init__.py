"""Emergency shelters (应急避难场所, Linqing §四.(四)) and the per-capita shelter-area
indicator of each jurisdiction.

``FACILITIES`` is the vocabulary of ``Shelter.facilities`` (codes stored, labels shown):
the amenities GB 21734 asks an emergency shelter to have."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

__all__ = ["FACILITIES", "FACILITY_CODES", "facility_labels"]

FACILITIES = (
    ("water", _("Water supply")),
    ("power", _("Power supply")),
    ("toilets", _("Toilets")),
    ("medical", _("First aid")),
    ("broadcast", _("Broadcast")),
    ("lighting", _("Emergency lighting")),
    ("supplies", _("Supply store")),
    ("communication", _("Communications")),
    ("fire", _("Fire-fighting equipment")),
    ("signage", _("Signs and guidance")),
)
FACILITY_CODES = tuple(code for code, _label in FACILITIES)


def facility_labels(codes: list[str]) -> list[str]:
    """The labels of the codes, in vocabulary order (unknown codes are skipped)."""
    labels = dict(FACILITIES)
    return [str(labels[code]) for code in FACILITY_CODES if code in codes]
