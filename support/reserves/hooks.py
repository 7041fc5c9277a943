"""Registrations of the reserves part: how the change feed shows its subjects (the API's
serializers over the API's scoped querysets, core.subjects)."""

from __future__ import annotations


def register() -> None:
    from core import subjects
    from support.reserves.api import views

    for label, viewset in (
        ("support.warehouse", views.WarehouseViewSet),
        ("support.reserveitem", views.ItemViewSet),
        ("support.stocklevel", views.StockLevelViewSet),
        ("support.stockbatch", views.BatchViewSet),
    ):
        subjects.register(
            label, serializer=viewset.serializer_class, queryset=subjects.from_viewset(viewset)
        )
