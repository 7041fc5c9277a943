"""Registrations of the allocation part: the change feed shows a request as the API does
(core.subjects)."""

from __future__ import annotations


def register() -> None:
    from core import subjects
    from support.allocation.api import serializers as s
    from support.allocation.api import views

    subjects.register(
        "support.allocationrequest",
        serializer=s.AllocationSerializer,
        queryset=subjects.from_viewset(views.AllocationViewSet),
    )
