"""Admin for reference data (specialties, formations: operators edit them here, each
change an event) and a read-only view of the registry with its history. Registry edits
go through the registry pages and API."""

from django.contrib import admin

from core.admin_base import ReferenceDataAdmin, ScopedReadOnlyHistoryAdmin
from forces.models import (
    Equipment,
    Expert,
    ExpertGroup,
    Force,
    Formation,
    FormationRequirement,
    Material,
    Personnel,
    Specialty,
)


@admin.register(Specialty)
class SpecialtyAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "sort_order"]


class FormationRequirementInline(admin.TabularInline):
    model = FormationRequirement
    extra = 0


@admin.register(Formation)
class FormationAdmin(ReferenceDataAdmin):
    list_display = ["name", "disaster_type"]
    inlines = [FormationRequirementInline]


class RegistryHistoryAdmin(ScopedReadOnlyHistoryAdmin):
    """Registry records are read and their history inspected here; edits go through the
    registry pages and API, which call ``forces.services`` (one path for every rule)."""


@admin.register(Force)
class ForceAdmin(RegistryHistoryAdmin):
    list_display = ["name", "category", "organisation", "jurisdiction", "status", "duty_phone"]
    list_filter = ["category", "status", "duty_mode"]
    search_fields = ["name", "organisation__name"]


@admin.register(Expert)
class ExpertAdmin(RegistryHistoryAdmin):
    list_display = ["name", "field", "title", "employer", "availability", "jurisdiction"]
    list_filter = ["availability"]
    search_fields = ["name", "field", "employer"]


@admin.register(ExpertGroup)
class ExpertGroupAdmin(RegistryHistoryAdmin):
    list_display = ["name", "disaster_type", "jurisdiction"]


@admin.register(Personnel)
class PersonnelAdmin(RegistryHistoryAdmin):
    list_display = ["name", "force", "position"]
    search_fields = ["name", "force__name"]


@admin.register(Equipment)
class EquipmentAdmin(RegistryHistoryAdmin):
    list_display = ["name", "force", "quantity", "unit", "condition"]
    search_fields = ["name", "force__name"]


@admin.register(Material)
class MaterialAdmin(RegistryHistoryAdmin):
    list_display = ["name", "force", "quantity", "unit", "expiry_date"]
    search_fields = ["name", "force__name"]
