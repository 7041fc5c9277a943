"""Allocation API under /api/v1/support/allocations/: list, retrieve, create (a draft),
update (a draft, lines replaced) and the steps ``submit``, ``approve`` (issues from
stock), ``reject``, ``cancel``, ``deliver``, ``receive``. Each write parses an input
serializer and calls one support.allocation.services function: 400 bad input, 403 the
wrong role or unit, 404 outside what you read, 409 a refused step (not enough stock,
already approved)."""

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

from support.allocation import selectors, services
from support.allocation.api import serializers as s
from support.allocation.filters import AllocationFilter
from support.allocation.permissions import can_read_allocations
from support.models import AllocationRequest


def _parse(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class AllocationReader(permissions.BasePermission):
    """Reads for support's readers; writes reach the service, which decides."""

    message = _("Your role may not read allocations.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return can_read_allocations(request.user)
        return True


def _lines(values: dict[str, Any]) -> list[services.AllocationLineData]:
    return [
        services.AllocationLineData(
            item_id=line["item"], warehouse_id=line["warehouse"], quantity=line["quantity"]
        )
        for line in values["lines"]
    ]


class AllocationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Allocations (调拨) you may read: of your jurisdiction and below, your unit's
    requests, and those drawing on your warehouses."""

    permission_classes = [permissions.IsAuthenticated, AllocationReader]
    queryset = AllocationRequest.objects.all()
    serializer_class = s.AllocationSerializer
    filterset_class = AllocationFilter
    search_fields = ()
    ordering_fields = ("created_at", "needed_by")
    http_method_names = ["get", "post", "put", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[AllocationRequest]:
        return selectors.visible_allocations(self.request.user)

    def _output(self, allocation_id: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=allocation_id).first()
        if fresh is None:
            fresh = AllocationRequest.objects.get(pk=allocation_id)
        return Response(s.AllocationSerializer(fresh).data, status=code)

    @extend_schema(request=s.AllocationInputSerializer, responses={201: s.AllocationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A draft request; ``submit`` sends it to the approvers."""
        values = _parse(s.AllocationInputSerializer, request)
        allocation = services.create_allocation(
            actor=request.user, data=s.service_data(values), lines=_lines(values)
        )
        return self._output(allocation.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.AllocationInputSerializer, responses=s.AllocationSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a draft; its lines are replaced."""
        allocation = self.get_object()
        values = _parse(s.AllocationInputSerializer, request)
        services.update_allocation(
            actor=request.user,
            allocation_id=allocation.pk,
            data=s.service_data(values),
            lines=_lines(values),
        )
        return self._output(allocation.pk)

    @extend_schema(request=None, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        allocation = self.get_object()
        services.submit_allocation(actor=request.user, allocation_id=allocation.pk)
        return self._output(allocation.pk)

    @extend_schema(request=s.AllocationNoteSerializer, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve and issue every line from stock, all or none (409 naming a short
        line); a second approval is 409 and draws nothing."""
        allocation = self.get_object()
        values = _parse(s.AllocationNoteSerializer, request)
        services.approve_allocation(
            actor=request.user, allocation_id=allocation.pk, note=values.get("note", "")
        )
        return self._output(allocation.pk)

    @extend_schema(request=s.AllocationReasonSerializer, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        allocation = self.get_object()
        values = _parse(s.AllocationReasonSerializer, request)
        services.reject_allocation(
            actor=request.user, allocation_id=allocation.pk, reason=values["reason"]
        )
        return self._output(allocation.pk)

    @extend_schema(request=s.AllocationReasonSerializer, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        allocation = self.get_object()
        values = _parse(s.AllocationReasonSerializer, request)
        services.cancel_allocation(
            actor=request.user, allocation_id=allocation.pk, reason=values["reason"]
        )
        return self._output(allocation.pk)

    @extend_schema(request=None, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, pk: str) -> Response:
        allocation = self.get_object()
        services.record_delivery(actor=request.user, allocation_id=allocation.pk)
        return self._output(allocation.pk)

    @extend_schema(request=s.AllocationReceiptSerializer, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str) -> Response:
        allocation = self.get_object()
        values = _parse(s.AllocationReceiptSerializer, request)
        services.record_receipt(
            actor=request.user,
            allocation_id=allocation.pk,
            received=values.get("received") or {},
            note=values.get("note", ""),
        )
        return self._output(allocation.pk)


router = SimpleRouter()
router.register("allocations", AllocationViewSet, basename="support-allocation")

urlpatterns = router.urls
