"""Read-only admin of shelters and indicators, with history. Changes go through the
shelter pages and API, which call ``support.shelters.services``."""

from django.contrib import admin

from core.admin_base import ScopedReadOnlyHistoryAdmin as ReadOnlyHistoryAdmin
from support.models import Shelter, ShelterIndicator


@admin.register(Shelter)
class ShelterAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "kind", "level", "jurisdiction", "area_m2", "capacity", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "address", "external_id"]
    list_select_related = ["jurisdiction"]


@admin.register(ShelterIndicator)
class ShelterIndicatorAdmin(ReadOnlyHistoryAdmin):
    list_display = ["jurisdiction", "resident_population", "area_per_resident", "population_year"]
    list_select_related = ["jurisdiction"]
