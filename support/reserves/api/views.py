"""Reserves API at /api/v1/support/: warehouses (CRUD, upsert by external id, the stock
actions), the item catalogue (upsert too), levels, batches and movements (read), and stock
on hand by warehouse × item. Reads are scoped to the caller's jurisdiction; every write
calls one service of ``support.reserves.services``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.upserts import ApiErrorSerializer, ExternalIdUpsertMixin, upsert_schema
from core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from core.bounds import MAX_INT
from core.exceptions import NotFoundError, ValidationFailed
from support.models import ReserveItem, StockBatch, StockLevel, StockMovement, Warehouse
from support.reserves import services
from support.reserves.api import serializers as s
from support.reserves.permissions import can_read_reserves
from support.reserves.selectors import stock_on_hand, visible_warehouses

ERRORS = {code: ApiErrorSerializer for code in (400, 403, 404, 409)}


class ReservesReader(permissions.BasePermission):
    message = "Your role may not read the reserves."

    def has_permission(self, request, view) -> bool:
        return can_read_reserves(request.user)


@upsert_schema(request=s.WarehouseSerializer, response=s.WarehouseSerializer)
class WarehouseViewSet(ExternalIdUpsertMixin, ScopedModelViewSet):
    permission_classes = [permissions.IsAuthenticated, ReservesReader]
    queryset = Warehouse.objects.select_related("owner", "jurisdiction")
    serializer_class = s.WarehouseSerializer
    filterset_fields = ("kind", "is_active", "external_id", "owner")
    search_fields = ("name", "address")
    ordering_fields = ("name", "kind", "updated_at")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.create_warehouse(
            actor=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_warehouse(
            actor=self.request.user,
            warehouse_id=serializer.instance.pk,
            data=dict(serializer.validated_data),
        )

    def _input(self, serializer_class):
        warehouse = self.get_object()
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return warehouse, data.validated_data

    def _movements(self, movements, code=status.HTTP_201_CREATED):
        return Response(s.MovementSerializer(movements, many=True).data, status=code)

    @extend_schema(
        request=s.StockReceiveInput, responses={201: s.MovementSerializer(many=True), **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        warehouse, d = self._input(s.StockReceiveInput)
        movement = services.receive_stock(
            actor=request.user,
            warehouse_id=warehouse.pk,
            item_id=d["item"],
            quantity=d["quantity"],
            batch_number=d["batch_number"],
            expiry_date=d.get("expiry_date"),
            reason=d.get("reason", ""),
        )
        return self._movements([movement])

    @extend_schema(
        request=s.StockIssueInput, responses={201: s.MovementSerializer(many=True), **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        warehouse, d = self._input(s.StockIssueInput)
        movements = services.issue_stock(
            actor=request.user,
            warehouse_id=warehouse.pk,
            item_id=d["item"],
            quantity=d["quantity"],
            reason=d["reason"],
            batch_id=d.get("batch"),
        )
        return self._movements(movements)

    @extend_schema(
        request=s.StockTransferInput, responses={201: s.MovementSerializer(many=True), **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        warehouse, d = self._input(s.StockTransferInput)
        pairs = services.transfer_stock(
            actor=request.user,
            from_warehouse_id=warehouse.pk,
            to_warehouse_id=d["to_warehouse"],
            item_id=d["item"],
            quantity=d["quantity"],
            reason=d["reason"],
        )
        return self._movements([m for pair in pairs for m in pair])

    @extend_schema(
        request=s.StockAdjustInput, responses={200: s.MovementSerializer(many=True), **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        warehouse, d = self._input(s.StockAdjustInput)
        if not StockBatch.objects.filter(pk=d["batch"], warehouse=warehouse).exists():
            raise NotFoundError("No such batch in this warehouse.")
        movement = services.adjust_stock(
            actor=request.user,
            batch_id=d["batch"],
            counted_quantity=d["counted_quantity"],
            reason=d["reason"],
        )
        return self._movements([movement] if movement else [], status.HTTP_200_OK)

    @extend_schema(request=s.StockLevelInput, responses={200: s.StockLevelSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def level(self, request, pk=None):
        warehouse, d = self._input(s.StockLevelInput)
        level = services.set_stock_level(
            actor=request.user,
            warehouse_id=warehouse.pk,
            item_id=d["item"],
            minimum=d["minimum"],
            agreed_capacity=d.get("agreed_capacity"),
            delivery_hours=d.get("delivery_hours"),
        )
        return Response(s.StockLevelSerializer(level).data)


@upsert_schema(request=s.ItemSerializer, response=s.ItemSerializer)
class ItemViewSet(ExternalIdUpsertMixin, viewsets.ModelViewSet):
    """The catalogue is shared by every warehouse: every reader sees all of it."""

    permission_classes = [permissions.IsAuthenticated, ReservesReader]
    queryset = ReserveItem.objects.all()
    serializer_class = s.ItemSerializer
    filterset_fields = ("category", "is_active", "external_id", "code")
    search_fields = ("name", "code", "spec")
    ordering_fields = ("code", "name")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.save_item(
            actor=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = services.save_item(
            actor=self.request.user,
            item_id=serializer.instance.pk,
            data=dict(serializer.validated_data),
        )


class _ReservesRead(ScopedReadOnlyViewSet):
    permission_classes = [permissions.IsAuthenticated, ReservesReader]


class StockLevelViewSet(_ReservesRead):
    queryset = StockLevel.objects.all()
    serializer_class = s.StockLevelSerializer
    filterset_fields = ("warehouse", "item")


class BatchViewSet(_ReservesRead):
    queryset = StockBatch.objects.all()
    serializer_class = s.BatchSerializer
    filterset_fields = ("warehouse", "item")
    ordering_fields = ("expiry_date", "received_at")


class MovementViewSet(_ReservesRead):
    queryset = StockMovement.objects.select_related("batch")
    serializer_class = s.MovementSerializer
    filterset_fields = ("kind", "batch", "batch__warehouse", "batch__item", "allocation_line")
    ordering_fields = ("at",)


class StockOnHandView(viewsets.ViewSet):
    """On hand per warehouse and item (``?warehouse=``, ``?item=``), the sum of batches."""

    permission_classes = [permissions.IsAuthenticated, ReservesReader]

    @extend_schema(responses={200: s.StockOnHandSerializer(many=True)})
    def list(self, request):
        warehouses = visible_warehouses(request.user).values_list("pk", flat=True)
        for name in ("warehouse", "item"):
            raw = request.query_params.get(name)
            if raw is not None and not (raw.isdigit() and int(raw) <= MAX_INT):
                raise ValidationFailed(f"{name} must be an id.", errors={name: ["Not an id."]})
        if request.query_params.get("warehouse"):
            warehouses = warehouses.filter(pk=int(request.query_params["warehouse"]))
        items = [int(request.query_params["item"])] if request.query_params.get("item") else None
        on_hand = stock_on_hand(warehouse_ids=list(warehouses), item_ids=items)
        rows = [
            {"warehouse": w, "item": i, "on_hand": qty} for (w, i), qty in sorted(on_hand.items())
        ]
        return Response(s.StockOnHandSerializer(rows, many=True).data)
