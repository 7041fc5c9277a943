"""Registrations of the requisition part: the change feed shows requisitions as the API
does (core.subjects)."""

from __future__ import annotations


def register() -> None:
    from core import subjects
    from support.requisition.api import views

    subjects.register(
        "support.requisition",
        serializer=views.RequisitionViewSet.serializer_class,
        queryset=subjects.from_viewset(views.RequisitionViewSet),
    )
