"""Read-only admin for drills, with history. Changes go through the drill pages and API,
which call ``drills.services`` (one path for every rule); frequency rules are data and
are edited here by platform operators (superusers), each change an event."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin_base import ReferenceDataAdmin
from core.admin_base import ScopedReadOnlyHistoryAdmin as ReadOnlyHistoryAdmin
from drills.models import (
    AnnualDrillPlan,
    ContingencyPlan,
    Drill,
    DrillAttachment,
    DrillFrequencyRule,
    FollowUpAction,
)


@admin.register(Drill)
class DrillAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "drill_type", "organiser", "planned_date", "status", "score"]
    list_filter = ["status", "drill_type"]
    search_fields = ["title", "organiser__name"]
    list_select_related = ["organiser"]


@admin.register(FollowUpAction)
class FollowUpActionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["problem", "drill", "owner", "deadline", "closed_at"]
    list_select_related = ["drill", "owner"]


@admin.register(ContingencyPlan)
class ContingencyPlanAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "organisation", "kind", "hazard", "is_active"]
    list_filter = ["kind"]
    list_select_related = ["organisation"]


@admin.register(AnnualDrillPlan)
class AnnualDrillPlanAdmin(ReadOnlyHistoryAdmin):
    list_display = ["organisation", "year"]
    list_select_related = ["organisation"]


@admin.register(DrillAttachment)
class DrillAttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "drill", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["drill", "uploaded_by"]
    # The stored file is shown through the access-checked download view: /media/ is not served.
    fields = ["drill", "download", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["download", "uploaded_at"]

    @admin.display(description=DrillAttachment._meta.get_field("file").verbose_name)
    def download(self, obj: DrillAttachment) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("drills:attachment", args=[obj.pk]), obj.original_name
        )

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DrillFrequencyRule)
class DrillFrequencyRuleAdmin(ReferenceDataAdmin):
    list_display = [
        "code",
        "name",
        "organisation_kind",
        "risk_class",
        "scope",
        "period_months",
        "is_active",
    ]
