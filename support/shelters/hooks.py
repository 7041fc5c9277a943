"""Registrations of the shelters part: the change feed shows shelters as the API does;
indicators are declared (their events reach the feed with ``data: null``)."""

from __future__ import annotations


def register() -> None:
    from core import subjects
    from support.shelters.api.views import ShelterViewSet

    subjects.register(
        "support.shelter",
        serializer=ShelterViewSet.serializer_class,
        queryset=subjects.from_viewset(ShelterViewSet),
    )
    subjects.declare("support.shelterindicator")
