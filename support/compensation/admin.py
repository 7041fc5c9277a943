"""Read-only admin of compensation claims and their costs, with history: changes go
through the pages and API, which call ``support.compensation.services``."""

from django.contrib import admin

from core.admin_base import ScopedReadOnlyHistoryAdmin
from support.models import CompensationClaim, CompensationCost


class CostInline(admin.TabularInline):
    model = CompensationCost
    fields = ["category", "description", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CompensationClaim)
class CompensationClaimAdmin(ScopedReadOnlyHistoryAdmin):
    list_display = [
        "number",
        "claimant_name",
        "incident",
        "status",
        "claimed_amount",
        "approved_amount",
    ]
    list_filter = ["status", "basis"]
    search_fields = ["number", "claimant_name"]
    list_select_related = ["incident"]
    inlines = [CostInline]
