"""API base classes. Every viewset scopes its queryset here, once, through
``visible_to(request.user)``; an object outside the user's jurisdiction is a 404."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, viewsets

from core.permissions import can_read_registry


class RegistryReader(permissions.BasePermission):
    """Role check for the registry endpoints; jurisdiction is the queryset's job."""

    message = _("Your role may not read this registry.")

    def has_permission(self, request, view) -> bool:
        return can_read_registry(request.user)


class ScopedViewSetMixin:
    """Applies ``visible_to`` to ``queryset``; subclasses add select/prefetch in
    ``queryset`` itself so list query counts stay constant in page size."""

    permission_classes = [permissions.IsAuthenticated, RegistryReader]
    # Explicit opt-in: DRF's OrderingFilter without ``ordering_fields`` orders by every
    # serializer field, which turns a masked field (ID number, phone) into an oracle —
    # ``?ordering=id_number`` sorts by the value the mask hides. Each list names the
    # fields it may be ordered, searched and filtered by; none may be masked
    # (``core.masking.MASKED_FIELDS``, tests/security/test_ordering_oracle.py).
    ordering_fields: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ()
    filterset_fields: tuple[str, ...] = ()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().visible_to(self.request.user)  # type: ignore[misc]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Writes go through services: subclasses implement ``perform_create`` /
    ``perform_update`` / ``perform_destroy`` by calling one service each."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
