"""Read-only admin of the welfare part, with history, scoped like the pages. Records are
written through the welfare pages and API, which call ``support.welfare.services``."""

from django.contrib import admin

from core.admin_base import ScopedReadOnlyHistoryAdmin
from support.models import CasualtyCase, Commendation, HealthRecord, InsurancePolicy


@admin.register(HealthRecord)
class HealthRecordAdmin(ScopedReadOnlyHistoryAdmin):
    list_display = ["personnel", "kind", "examined_on", "fit_for_duty", "next_due"]
    list_filter = ["kind", "fit_for_duty"]
    search_fields = ["personnel__name", "institution"]
    raw_id_fields = ["personnel", "recorded_by"]
    list_select_related = ["personnel"]


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(ScopedReadOnlyHistoryAdmin):
    list_display = ["personnel", "insurer", "policy_number", "starts_on", "expires_on"]
    search_fields = ["personnel__name", "insurer", "policy_number"]
    raw_id_fields = ["personnel", "recorded_by"]
    list_select_related = ["personnel"]


@admin.register(Commendation)
class CommendationAdmin(ScopedReadOnlyHistoryAdmin):
    list_display = ["title", "level", "personnel", "force", "awarded_on", "awarded_by"]
    list_filter = ["level"]
    search_fields = ["title", "personnel__name", "force__name"]
    raw_id_fields = ["personnel", "force", "incident", "jurisdiction", "recorded_by"]
    list_select_related = ["personnel", "force"]


@admin.register(CasualtyCase)
class CasualtyCaseAdmin(ScopedReadOnlyHistoryAdmin):
    list_display = ["personnel", "kind", "procedure", "status", "occurred_at", "decision"]
    list_filter = ["kind", "procedure", "status"]
    search_fields = ["personnel__name", "decision_reference"]
    raw_id_fields = ["personnel", "incident", "submitted_by", "reviewed_by", "decided_by"]
    list_select_related = ["personnel"]
