"""The one read-only admin of the apps' records: rows scoped to the viewer's jurisdiction
(``visible_to``), history shown, nothing added, changed, deleted or reverted — every
change goes through the services behind the pages and the API. The admin site itself
admits superusers only (core/admin_site.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
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


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History to read, never to revert: simple-history's version page saves its form on
    POST with nothing but the view permission (SIMPLE_HISTORY_REVERT_DISABLED only hides
    the button), which would write around the services and the event log."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedReadOnlyHistoryAdmin(ScopedAdminMixin, ReadOnlyMixin, NoRevertHistoryAdmin):
    pass
