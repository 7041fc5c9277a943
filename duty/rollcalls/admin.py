"""Read-only admin for roll calls, their targets, schedules and key periods, with
history. Every change goes through ``duty.rollcalls.services`` (pages and API)."""

from __future__ import annotations

from django.contrib import admin

from core.admin_base import ReadOnlyMixin
from core.admin_base import ScopedReadOnlyHistoryAdmin as ReadOnlyHistoryAdmin
from duty.models import RollCall, RollCallIntensification, RollCallSchedule, RollCallTarget


class TargetInline(ReadOnlyMixin, admin.TabularInline):
    model = RollCallTarget
    extra = 0
    fields = ["force", "department", "outcome", "answered_at", "answered_by", "people_on_duty"]
    readonly_fields = fields


@admin.register(RollCall)
class RollCallAdmin(ReadOnlyHistoryAdmin):
    list_display = ["started_at", "jurisdiction", "category", "department", "status", "schedule"]
    list_filter = ["status", "category"]
    date_hierarchy = "started_at"
    inlines = [TargetInline]


@admin.register(RollCallSchedule)
class RollCallScheduleAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "jurisdiction", "frequency", "day_of_month", "time_of_day", "is_active"]


@admin.register(RollCallIntensification)
class RollCallIntensificationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["reason", "jurisdiction", "starts_on", "ends_on", "frequency"]
