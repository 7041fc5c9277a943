"""The one read-only admin of the apps' records: rows scoped to the viewer's jurisdiction
(``visible_to``), history shown, nothing added, changed, deleted or reverted — every
change goes through the services behind the pages and the API. The admin site itself
admits superusers only (core/admin_site.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from simple_history.admin import SimpleHistoryAdmin

from core.audit import client_address
from core.events import AdminEvent, record_event
from core.models import Jurisdiction


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


def _filed_under(obj: models.Model, *, deleting: bool) -> Jurisdiction | None:
    """Where an admin change is filed: a jurisdiction under itself (its parent once it
    is gone), anything else at the root of the tree."""
    if isinstance(obj, Jurisdiction):
        if not deleting:
            return obj
        if obj.parent_id:
            return obj.parent
    return Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()


class AdminChangeEventsMixin:
    """Every write an operator makes in the admin (reference data, unlocking a login) is
    also a ``core.Event`` with who, when and from which address — the admin's own
    LogEntry table is editable and keeps no address."""

    def _record(self, request, obj: models.Model, type_: AdminEvent, message: Any) -> None:
        jurisdiction = _filed_under(obj, deleting=type_ == AdminEvent.DELETED)
        if jurisdiction is None:
            return
        with transaction.atomic():
            record_event(
                type=type_,
                jurisdiction=jurisdiction,
                subject=obj,
                actor=request.user,
                ip_address=client_address(request),
                payload={
                    "model": obj._meta.label_lower,
                    "object_id": str(obj.pk),
                    "change": message,
                },
            )

    def log_addition(self, request, obj, message):
        self._record(request, obj, AdminEvent.ADDED, message)
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request, obj, message):
        self._record(request, obj, AdminEvent.CHANGED, message)
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            self._record(request, obj, AdminEvent.DELETED, str(obj))
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._record(request, obj, AdminEvent.DELETED, str(obj))
            super().delete_queryset(request, queryset)  # type: ignore[misc]


class ReferenceDataAdmin(AdminChangeEventsMixin, admin.ModelAdmin):
    """Reference data without services (division tree, specialties, formations, drill
    frequency rules): operators keep it here, each change in the event log."""
