"""Registrations of the welfare part: the live feed shows its records as the API does."""

from __future__ import annotations


def register() -> None:
    from core import subjects
    from support.welfare.api.views import FEED_VIEWSETS

    for label, viewset in FEED_VIEWSETS.items():
        subjects.register(
            label, serializer=viewset.serializer_class, queryset=subjects.from_viewset(viewset)
        )
