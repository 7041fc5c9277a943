"""Read-only admin of allocations, with history: every step goes through the allocation
pages and API, which call ``support.allocation.services``."""

from django.contrib import admin

from core.admin_base import ScopedReadOnlyHistoryAdmin
from support.models import AllocationLine, AllocationRequest


class AllocationLineInline(admin.TabularInline):
    model = AllocationLine
    extra = 0
    fields = ["item", "warehouse", "quantity", "received_quantity"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AllocationRequest)
class AllocationRequestAdmin(ScopedReadOnlyHistoryAdmin):
    list_display = [
        "number",
        "jurisdiction",
        "incident",
        "destination",
        "needed_by",
        "status",
        "requesting_organisation",
    ]
    list_filter = ["status"]
    search_fields = ["number", "destination", "requesting_organisation__name"]
    list_select_related = ["jurisdiction", "incident", "requesting_organisation"]
    inlines = [AllocationLineInline]


@admin.register(AllocationLine)
class AllocationLineAdmin(ScopedReadOnlyHistoryAdmin):
    list_display = ["request", "item", "warehouse", "quantity", "received_quantity"]
    list_select_related = ["request", "item", "warehouse"]
