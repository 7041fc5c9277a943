"""Requisition API under /api/v1/support/requisitions/: list and read what you may see
(``selectors.visible_requisitions``), POST requests one for an incident, and the actions
``handover``, ``return`` and ``cancel``. Each write calls one service, which authorises:
400 bad input, 403 wrong role or jurisdiction, 404 outside what you read, 409 a refused
transition."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from support.models import Requisition
from support.requisition import selectors, services
from support.requisition.api import serializers as s
from support.requisition.permissions import opens_requisitions


def _parse(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class RequisitionReader(permissions.BasePermission):
    message = _("Your role may not read requisitions.")

    def has_permission(self, request, view) -> bool:
        return opens_requisitions(request.user)


class RequisitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, RequisitionReader]
    queryset = Requisition.objects.all()
    serializer_class = s.RequisitionSerializer
    filterset_fields = ("status", "incident", "mode")
    search_fields = ()
    ordering_fields = ("requested_at", "needed_from")
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Requisition]:
        return selectors.visible_requisitions(self.request.user)

    def _output(self, requisition_id: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = Requisition.objects.select_related("incident", "jurisdiction").get(
            pk=requisition_id
        )
        return Response(s.RequisitionSerializer(fresh).data, status=code)

    @extend_schema(request=s.RequisitionInputSerializer, responses={201: s.RequisitionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = _parse(s.RequisitionInputSerializer, request)
        incident_id = values.pop("incident")
        requisition = services.request_requisition(
            actor=request.user, incident_id=incident_id, data=values
        )
        return self._output(requisition.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.RequisitionHandoverInputSerializer, responses=s.RequisitionSerializer)
    @action(detail=True, methods=["post"])
    def handover(self, request: Request, pk: str) -> Response:
        requisition = self.get_object()
        values = _parse(s.RequisitionHandoverInputSerializer, request)
        services.record_handover(
            actor=request.user,
            requisition_id=requisition.pk,
            at=values.get("at"),
            condition=values["condition"],
        )
        return self._output(requisition.pk)

    @extend_schema(request=s.RequisitionReturnInputSerializer, responses=s.RequisitionSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        requisition = self.get_object()
        values = _parse(s.RequisitionReturnInputSerializer, request)
        services.record_return(
            actor=request.user,
            requisition_id=requisition.pk,
            at=values.get("at"),
            condition=values["condition"],
            damage=values.get("damage", ""),
        )
        return self._output(requisition.pk)

    @extend_schema(request=s.RequisitionReasonSerializer, responses=s.RequisitionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        requisition = self.get_object()
        values = _parse(s.RequisitionReasonSerializer, request)
        services.cancel_requisition(
            actor=request.user, requisition_id=requisition.pk, reason=values["reason"]
        )
        return self._output(requisition.pk)


router = SimpleRouter()
router.register("requisitions", RequisitionViewSet, basename="support-requisition")
urlpatterns = router.urls
