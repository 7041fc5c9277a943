"""Warnings API — grids part (DESIGN12): the grid register at /api/v1/warnings/grids/.

Reads are scoped to the caller's jurisdiction; writes call ``earlywarning.grids``, which
decides who may keep which grid (403 for a reader role, 400 naming ``jurisdiction`` for a
place outside the caller's). ``PUT grids/by-external-id/<source>:<id>/`` is idempotent."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.routers import SimpleRouter

from core.api.upserts import ExternalIdUpsertMixin, upsert_schema
from core.api.viewsets import ScopedModelViewSet
from earlywarning.api.grid_serializers import GridSerializer
from earlywarning.grid_forms import GridFilter
from earlywarning.grids import can_read_grids, create_grid, update_grid
from earlywarning.models import Grid


class GridReader(permissions.BasePermission):
    message = "Your role may not read the grid register."

    def has_permission(self, request, view) -> bool:
        return can_read_grids(request.user)


@upsert_schema(request=GridSerializer, response=GridSerializer)
class GridViewSet(ExternalIdUpsertMixin, ScopedModelViewSet):
    permission_classes = [permissions.IsAuthenticated, GridReader]
    queryset = Grid.objects.select_related("jurisdiction")
    serializer_class = GridSerializer
    filterset_class = GridFilter
    search_fields = ("name", "code", "person_name")
    ordering_fields = ("code", "name", "updated_at")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = create_grid(
            actor=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = update_grid(
            actor=self.request.user,
            grid_id=serializer.instance.pk,
            data=dict(serializer.validated_data),
        )


router = SimpleRouter()
router.register("grids", GridViewSet, basename="grid")
urlpatterns = [*router.urls]
