"""Read-only admin for rosters, shifts, duty logs, hand-overs and spot checks, with
their history. Every change goes through ``duty.rosters.services``."""

from __future__ import annotations

from django.contrib import admin

from core.admin_base import ReadOnlyMixin, ScopedAdminMixin
from core.admin_base import ScopedReadOnlyHistoryAdmin as ReadOnlyHistoryAdmin
from duty.models import DutyLogEntry, DutyRoster, HandOver, Shift, ShiftOfficer, SpotCheck


class ShiftOfficerInline(admin.TabularInline):
    model = ShiftOfficer
    extra = 0
    can_delete = False
    fields = ["name", "phone", "organisation", "position"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DutyRoster)
class DutyRosterAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "organisation", "jurisdiction", "force", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation", "jurisdiction", "force"]
    exclude = ["feed_token"]


@admin.register(Shift)
class ShiftAdmin(ReadOnlyHistoryAdmin):
    list_display = ["roster", "starts_at", "ends_at", "leader_name"]
    list_select_related = ["roster"]
    date_hierarchy = "starts_at"
    inlines = [ShiftOfficerInline]


@admin.register(DutyLogEntry)
class DutyLogEntryAdmin(ReadOnlyHistoryAdmin):
    list_display = ["occurred_at", "roster", "category", "is_open", "closed_at"]
    list_filter = ["category", "is_open"]
    list_select_related = ["roster"]


@admin.register(HandOver)
class HandOverAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["handed_over_at", "roster", "from_officer", "to_officer"]
    list_select_related = ["roster", "from_officer", "to_officer"]


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyHistoryAdmin):
    list_display = ["organisation", "checked_on", "year", "quarter", "satisfaction_score"]
    list_filter = ["year", "quarter", "call_handling_passed", "duty_passed"]
    list_select_related = ["organisation"]
