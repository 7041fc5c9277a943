"""Who gets what and how the chase escalates are data: operators keep the rules and
steps here (each change an event, like other reference data). The outbox itself is read
on the notification pages."""

from django.contrib import admin

from core.admin_base import ReadOnlyMixin, ReferenceDataAdmin
from notify.models import EscalationStep, GatewayStatus, RecipientRule


@admin.register(RecipientRule)
class RecipientRuleAdmin(ReferenceDataAdmin):
    list_display = ["purpose", "audience", "channels", "organisation", "is_active"]
    list_filter = ["purpose", "is_active"]
    autocomplete_fields = ["organisation"]


@admin.register(EscalationStep)
class EscalationStepAdmin(ReferenceDataAdmin):
    list_display = ["purpose", "after_minutes", "audience", "channel", "organisation", "is_active"]
    list_filter = ["purpose", "channel", "is_active"]
    autocomplete_fields = ["organisation"]


@admin.register(GatewayStatus)
class GatewayStatusAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["channel", "backend", "last_ok_at", "last_error_at", "consecutive_failures"]
