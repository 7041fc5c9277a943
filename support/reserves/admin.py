"""Read-only admin of the reserves, with history. Changes go through the reserves pages
and API, which call ``support.reserves.services`` (one path for every rule)."""

from django.contrib import admin

from core.admin_base import NoRevertHistoryAdmin, ReadOnlyMixin
from core.admin_base import ScopedReadOnlyHistoryAdmin as ReadOnlyHistoryAdmin
from support.models import ReserveItem, StockBatch, StockLevel, StockMovement, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "kind", "owner", "jurisdiction", "keeper_name", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "owner__name", "external_id"]
    list_select_related = ["owner", "jurisdiction"]


@admin.register(ReserveItem)
class ReserveItemAdmin(ReadOnlyMixin, NoRevertHistoryAdmin):
    list_display = ["code", "name", "spec", "unit", "category", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "name"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyHistoryAdmin):
    list_display = ["warehouse", "item", "minimum", "agreed_capacity", "delivery_hours"]
    list_select_related = ["warehouse", "item"]


@admin.register(StockBatch)
class StockBatchAdmin(ReadOnlyHistoryAdmin):
    list_display = ["warehouse", "item", "batch_number", "expiry_date", "quantity"]
    list_select_related = ["warehouse", "item"]
    search_fields = ["batch_number", "item__name", "warehouse__name"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyHistoryAdmin):
    list_display = ["at", "kind", "batch", "delta", "balance", "reason", "actor"]
    list_filter = ["kind"]
    list_select_related = ["batch__item", "batch__warehouse", "actor"]
