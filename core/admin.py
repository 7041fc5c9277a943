from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.models import Event, Jurisdiction, Organisation, PersonalDataAccess, User


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "sector", "jurisdiction", "linkage_tier", "duty_phone"]
    list_filter = ["kind", "linkage_tier"]
    search_fields = ["name", "short_name", "uscc"]
    autocomplete_fields = ["jurisdiction"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "organisation", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff"]
    search_fields = ["username", "display_name"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Linkage", {"fields": ("display_name", "phone", "organisation")}),
    )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The event log is append-only: read it here, never change it."""

    list_display = ["seq", "type", "subject_label", "jurisdiction", "actor", "created_at"]
    list_filter = ["type"]
    search_fields = ["subject_label", "type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("jurisdiction", "actor")
        )


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Who saw which masked phone in full: read it here, never change it."""

    list_display = ["accessed_at", "user", "subject_label", "field", "ip_address"]
    list_filter = ["subject_type", "field"]
    search_fields = ["subject_label", "user__username", "user__display_name"]
    date_hierarchy = "accessed_at"

    def get_queryset(self, request):
        from core.audit import reveals_for

        # Scoped like the /audit/ page: reveals of records in the user's jurisdiction.
        return reveals_for(request.user).select_related("user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
