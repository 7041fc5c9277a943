"""Shelter API (/api/v1/support/): the register with upsert by external id, and the
per-capita indicator rows of each jurisdiction (``PUT`` by jurisdiction code for the
bureau). Reads are scoped by the base viewset; writes call the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.upserts import ApiErrorSerializer, ExternalIdUpsertMixin, upsert_schema
from core.api.viewsets import ScopedModelViewSet
from core.exceptions import NotFoundError
from core.models import Jurisdiction
from support.models import Shelter
from support.shelters import selectors, services
from support.shelters.api import serializers as s
from support.shelters.forms import ShelterFilter
from support.shelters.permissions import reads_shelters


class ShelterReader(permissions.BasePermission):
    message = _("Your role may not read shelters.")

    def has_permission(self, request, view) -> bool:
        return reads_shelters(request.user)


@upsert_schema(request=s.ShelterSerializer, response=s.ShelterSerializer)
class ShelterViewSet(ExternalIdUpsertMixin, ScopedModelViewSet):
    queryset = Shelter.objects.select_related("jurisdiction", "owner")
    serializer_class = s.ShelterSerializer
    permission_classes = [permissions.IsAuthenticated, ShelterReader]
    filterset_class = ShelterFilter
    search_fields = ("name", "address")
    ordering_fields = ("name", "area_m2", "capacity", "updated_at")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.create_shelter(
            actor=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_shelter(
            actor=self.request.user,
            shelter_id=serializer.instance.pk,
            data=dict(serializer.validated_data),
        )


CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="GB/T 2260 code")


class ShelterIndicatorViewSet(viewsets.ViewSet):
    """Per jurisdiction: shelter area, population, m² per resident against the target."""

    permission_classes = [permissions.IsAuthenticated, ShelterReader]
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{6,12}"

    @extend_schema(responses={200: s.IndicatorRowSerializer(many=True)})
    def list(self, request: Request) -> Response:
        rows = selectors.per_capita(jurisdictions=selectors.indicator_jurisdictions(request.user))
        if request.query_params.get("below") in ("1", "true"):
            rows = [r for r in rows if r.below]
        return Response(s.IndicatorRowSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[CODE],
        responses={200: s.IndicatorRowSerializer, 404: ApiErrorSerializer},
    )
    def retrieve(self, request: Request, code: str) -> Response:
        jurisdiction = self._visible(request, code)
        row = selectors.per_capita(jurisdictions=[jurisdiction])[0]
        return Response(s.IndicatorRowSerializer(row).data)

    @extend_schema(
        parameters=[CODE],
        request=s.IndicatorInputSerializer,
        responses={
            200: s.IndicatorRowSerializer,
            400: ApiErrorSerializer,
            403: ApiErrorSerializer,
            404: ApiErrorSerializer,
        },
    )
    def update(self, request: Request, code: str) -> Response:
        jurisdiction = self._visible(request, code)
        body = s.IndicatorInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.set_indicator(
            actor=request.user, jurisdiction_id=jurisdiction.pk, **body.validated_data
        )
        row = selectors.per_capita(jurisdictions=[jurisdiction])[0]
        return Response(s.IndicatorRowSerializer(row).data)

    def _visible(self, request: Request, code: str):
        own = request.user.jurisdiction
        qs = Jurisdiction.objects.filter(code=code)
        if not request.user.is_superuser:
            qs = qs.filter(path__startswith=own.path) if own else qs.none()
        jurisdiction = qs.first()
        if jurisdiction is None:
            raise NotFoundError(str(_("No such jurisdiction in yours.")))
        return jurisdiction
