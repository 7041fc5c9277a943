"""Read-only admin of requisitions, with history: changes go through the pages and API,
which call ``support.requisition.services``."""

from django.contrib import admin

from core.admin_base import ScopedReadOnlyHistoryAdmin
from support.models import Requisition


@admin.register(Requisition)
class RequisitionAdmin(ScopedReadOnlyHistoryAdmin):
    list_display = ["number", "description", "owner_name", "incident", "status", "requested_at"]
    list_filter = ["status", "mode"]
    search_fields = ["number", "description", "owner_name"]
    list_select_related = ["incident"]
