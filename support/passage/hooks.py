"""Registrations of the passage part: the feed's subjects (requests and passes shown as
the API shows them) and the acknowledge handler of Purpose.PASSAGE_REQUEST (an SMS reply,
a one-time link or a voice key signs for a request)."""

from __future__ import annotations


def register() -> None:
    from core import subjects
    from support.passage.api import views
    from support.passage.notifications import register_handlers

    for label, viewset in (
        ("support.passagerequest", views.PassageRequestViewSet),
        ("support.vehiclepass", views.VehiclePassViewSet),
    ):
        subjects.register(
            label,
            serializer=viewset.serializer_class,
            queryset=subjects.from_viewset(viewset),
        )
    register_handlers()
