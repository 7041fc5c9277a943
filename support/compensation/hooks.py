"""Registrations of the compensation part: the change feed shows claims as the API does
(core.subjects)."""

from __future__ import annotations


def register() -> None:
    from core import subjects
    from support.compensation.api import views

    subjects.register(
        "support.compensationclaim",
        serializer=views.ClaimViewSet.serializer_class,
        queryset=subjects.from_viewset(views.ClaimViewSet),
    )
