"""Read-only admin of passage, with history and jurisdiction scoping. Changes go through
the passage pages and API, which call ``support.passage.services`` (they notify, sign and
record events)."""

from django.contrib import admin

from core.admin_base import ScopedReadOnlyHistoryAdmin as ReadOnlyHistoryAdmin
from support.models import PassageRequest, VehiclePass


@admin.register(PassageRequest)
class PassageRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "kind", "incident", "addressee", "status", "requested_at"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "area"]
    list_select_related = ["incident", "addressee"]


@admin.register(VehiclePass)
class VehiclePassAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "plate", "force", "valid_from", "valid_until", "revoked_at"]
    search_fields = ["number", "plate"]
    list_select_related = ["force"]
