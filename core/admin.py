"""Admin of the platform's floor, for platform operators (superusers) only. Accounts and
organisations are read here and written on the /accounts/ pages, whose services
authorise, validate and record every change; reference data (the division tree) is
edited here. Third-party admins are narrowed the same way: logs and tokens are read,
not written."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from core.admin_base import (
    AdminChangeEventsMixin,
    NoRevertHistoryAdmin,
    ReadOnlyMixin,
    ReferenceDataAdmin,
    ScopedAdminMixin,
)
from core.admin_labels import event_type_label, group_label
from core.models import ApiToken, Event, Jurisdiction, Organisation, PersonalDataAccess, User
from core.roles import Role


@admin.register(Jurisdiction)
class JurisdictionAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, ReadOnlyMixin, NoRevertHistoryAdmin):
    list_display = ["name", "kind", "sector", "jurisdiction", "linkage_tier", "duty_phone"]
    list_filter = ["kind", "linkage_tier"]
    search_fields = ["name", "short_name", "uscc"]


class RoleListFilter(admin.SimpleListFilter):
    """Users by role, named in Chinese (the groups themselves are codes)."""

    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() in Role.values:
            return queryset.filter(groups__name=self.value())
        return queryset


@admin.register(User)
class UserAdmin(ReadOnlyMixin, BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "organisation",
        "roles",
        "is_active",
        "is_superuser",
    ]
    list_filter = [RoleListFilter, "is_active", "is_superuser"]
    search_fields = ["username", "display_name"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Linkage"), {"fields": ("display_name", "phone", "organisation")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return "、".join(str(Role(g.name).label) for g in obj.groups.all() if g.name in Role.values)


@admin.register(Event)
class EventAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The event log is append-only: read it here, never change it."""

    list_display = ["seq", "type_label", "subject_label", "jurisdiction", "actor", "created_at"]
    list_filter = ["type"]
    search_fields = ["subject_label", "type"]
    list_select_related = ["jurisdiction", "actor"]

    @admin.display(description=_("type"), ordering="type")
    def type_label(self, obj: Event) -> str:
        return event_type_label(obj.type)

    def get_list_filter(self, request):
        return [EventTypeListFilter]


class EventTypeListFilter(admin.SimpleListFilter):
    """Event types by their Chinese names; the code stays the filter's value."""

    title = _("type")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        types = model_admin.get_queryset(request).order_by("type").values_list("type", flat=True)
        return [(t, event_type_label(t)) for t in types.distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(type=self.value()) if self.value() else queryset


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who saw which masked phone in full: read it here, never change it."""

    list_display = ["accessed_at", "user", "subject_label", "field", "ip_address"]
    list_filter = ["subject_type", "field"]
    search_fields = ["subject_label", "user__username", "user__display_name"]
    date_hierarchy = "accessed_at"

    def get_queryset(self, request):
        from core.audit import reveals_for

        # Scoped like the /audit/ page: reveals of records in the user's jurisdiction.
        return reveals_for(request.user).select_related("user")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """API tokens (only their hashes are stored): read here, revoked through the API."""

    list_display = ["user", "name", "kind", "prefix", "created_at", "expires_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "prefix", "name"]
    list_select_related = ["user"]


def _narrow(model, *, can_delete: bool = False) -> None:
    """Re-register another app's admin of ``model`` without add and change (and
    without delete unless ``can_delete``)."""
    if not admin.site.is_registered(model):
        return
    base = type(admin.site._registry[model])
    admin.site.unregister(model)

    class Narrowed(AdminChangeEventsMixin, base):  # type: ignore[valid-type, misc]
        def has_add_permission(self, request, obj=None) -> bool:
            return False

        def has_change_permission(self, request, obj=None) -> bool:
            return False

        def has_delete_permission(self, request, obj=None) -> bool:
            return can_delete and super().has_delete_permission(request, obj)

    Narrowed.__name__ = Narrowed.__qualname__ = f"ReadOnly{base.__name__}"
    admin.site.register(model, Narrowed)


# Roles are groups whose permissions core.roles re-applies after every migrate; an edit
# here would be silently undone, or worse, kept until then.
admin.site.unregister(Group)


@admin.register(Group)
class ReadOnlyGroupAdmin(ReadOnlyMixin, BaseGroupAdmin):
    """Groups named as people know them: the role, or the organisation's own group."""

    list_display = ["label", "name"]

    @admin.display(description=_("name"), ordering="name")
    def label(self, obj: Group) -> str:
        return group_label(obj.name)


def _narrow_installed() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # A device made or edited here would be a second factor nobody enrolled; deleting one
    # is how a lost phone is reset (the user enrols again at the next login).
    _narrow(TOTPDevice, can_delete=True)
    # Login records are audit: read only. Deleting an attempt unlocks an account early
    # (README: login lockout), which operators may do.
    _narrow(AccessLog)
    _narrow(AccessFailureLog)
    _narrow(AccessAttempt, can_delete=True)


_narrow_installed()
