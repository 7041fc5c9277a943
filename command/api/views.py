"""Incident API (SPEC §3). Reads are scoped by the base viewset to the user's jurisdiction
and below; writes parse an input serializer and call one ``command.services`` function,
which authorises and validates."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from command import services
from command.api import serializers as s
from command.models import Incident, IncidentType
from core import visibility
from core.api.upserts import ExternalIdUpsertMixin, upsert_schema
from core.api.viewsets import ScopedViewSetMixin

# Who reads incidents is decided in core.visibility, with the live feed.
INCIDENT_READERS = visibility.INCIDENT_READERS
can_read_incidents = visibility.can_read_incidents


class IncidentReader(permissions.BasePermission):
    message = _("Your role may not read incidents.")

    def has_permission(self, request, view) -> bool:
        return can_read_incidents(request.user)


class IncidentAccess(IncidentReader):
    """Reads for the reader roles; writes for whoever ``command.services`` lets record
    incidents (the service checks again, with the jurisdiction)."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return can_read_incidents(request.user)
        return services.can_record_incidents(request.user)


@upsert_schema(request=s.IncidentInputSerializer, response=s.IncidentSerializer)
class IncidentViewSet(
    ExternalIdUpsertMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """No ``update`` (PUT on one incident): changes are PATCH; PUT is only the upsert."""

    permission_classes = [permissions.IsAuthenticated, IncidentAccess]
    queryset = Incident.objects.select_related("incident_type", "jurisdiction", "reported_by")
    serializer_class = s.IncidentSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    filterset_fields = {
        "status": ["exact"],
        "level": ["exact"],
        "source": ["exact"],
        "area_type": ["exact"],
        "incident_type__code": ["exact"],
        "received_at": ["gte", "lte"],
        "external_id": ["exact"],
    }
    search_fields = ["title", "address", "description"]
    ordering_fields = ["received_at", "level", "updated_at"]

    def _output(self, incident: Incident) -> dict[str, Any]:
        fresh = self.queryset.get(pk=incident.pk)
        return s.IncidentSerializer(fresh, context=self.get_serializer_context()).data

    def _input(self, request: Request, *, partial: bool = False) -> dict[str, Any]:
        serializer = s.IncidentInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def upsert_create(self, data: Any) -> Incident:
        serializer = s.IncidentInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return services.create_incident(
            actor=self.request.user, data=dict(serializer.validated_data)
        )

    def upsert_update(self, instance: Incident, data: Any) -> Incident:
        serializer = s.IncidentInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return services.update_incident(
            actor=self.request.user, incident_id=instance.pk, data=dict(serializer.validated_data)
        )

    def upsert_representation(self, instance: Incident) -> dict[str, Any]:
        return self._output(instance)

    @extend_schema(request=s.IncidentInputSerializer, responses={201: s.IncidentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = services.create_incident(actor=request.user, data=self._input(request))
        return Response(self._output(incident), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.IncidentInputSerializer, responses=s.IncidentSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self.get_object()
        incident = services.update_incident(
            actor=request.user, incident_id=incident.pk, data=self._input(request, partial=True)
        )
        return Response(self._output(incident))

    @extend_schema(request=None, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        incident = services.close_incident(actor=request.user, incident_id=incident.pk)
        return Response(self._output(incident))


class IncidentTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """GB/T 35561 reference data, the same everywhere."""

    permission_classes = [permissions.IsAuthenticated, IncidentReader]
    queryset = IncidentType.objects.all()
    serializer_class = s.IncidentTypeSerializer
    ordering_fields = ()
    search_fields = ()
    pagination_class = None
    filterset_fields = ["category", "disaster_type"]
