"""The one read-only admin of the apps' records: rows scoped to the administrator's
jurisdiction (``visible_to``), history shown, nothing added, changed or deleted — every
change goes through the services behind the pages and the API."""

from __future__ import annotations

from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ScopedAdminMixin:
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class ScopedReadOnlyHistoryAdmin(ScopedAdminMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    pass
