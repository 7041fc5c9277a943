"""Serializers of the reserves API. Jurisdictions are written as codes, organisations and
items by id; the keeper's phone is masked for readers who neither keep the warehouse nor
may see personal data."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import ExternalIdField
from core.bounds import MAX_INT
from core.models import Jurisdiction, Organisation
from core.phones import validate_personal_phone
from support.models import ReserveItem, StockBatch, StockLevel, StockMovement, Warehouse
from support.reserves.permissions import keeper_phone_for

QUANTITY = {"max_digits": 14, "decimal_places": 2}


class WarehouseSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all(), help_text="GB/T 2260 code."
    )
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    keeper_phone = serializers.CharField(max_length=20, validators=[validate_personal_phone])
    external_id = ExternalIdField()

    class Meta:
        model = Warehouse
        fields = [
            "id",
            "name",
            "kind",
            "owner",
            "owner_name",
            "jurisdiction",
            "jurisdiction_name",
            "address",
            "latitude",
            "longitude",
            "keeper_name",
            "keeper_phone",
            "agreement_number",
            "agreement_expires",
            "notes",
            "is_active",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # uniqueness is the service's (and the database's)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Both coordinates or neither (the table's constraint), said on the field."""
        instance = self.instance
        lat = attrs.get("latitude", getattr(instance, "latitude", None))
        lon = attrs.get("longitude", getattr(instance, "longitude", None))
        if (lat is None) != (lon is None):
            missing = "longitude" if lon is None else "latitude"
            raise serializers.ValidationError(
                {missing: [_("Give both latitude and longitude, or neither.")]}
            )
        return attrs

    def to_representation(self, instance: Warehouse) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None:
            data["keeper_phone"] = keeper_phone_for(user, instance)
        return data


class ItemSerializer(serializers.ModelSerializer):
    external_id = ExternalIdField()

    class Meta:
        model = ReserveItem
        fields = [
            "id",
            "code",
            "name",
            "spec",
            "unit",
            "category",
            "expiry_warning_days",
            "is_active",
            "external_id",
        ]
        validators: list = []


class StockLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockLevel
        fields = ["id", "warehouse", "item", "minimum", "agreed_capacity", "delivery_hours"]


class BatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockBatch
        fields = [
            "id",
            "warehouse",
            "item",
            "batch_number",
            "expiry_date",
            "quantity",
            "received_at",
        ]


class MovementSerializer(serializers.ModelSerializer):
    warehouse = serializers.IntegerField(source="batch.warehouse_id", read_only=True)
    item = serializers.IntegerField(source="batch.item_id", read_only=True)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "batch",
            "warehouse",
            "item",
            "kind",
            "delta",
            "balance",
            "reason",
            "counterpart",
            "allocation_line",
            "actor",
            "at",
        ]


class StockReceiveInput(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    quantity = serializers.DecimalField(**QUANTITY)
    batch_number = serializers.CharField(max_length=40)
    expiry_date = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class StockIssueInput(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    quantity = serializers.DecimalField(**QUANTITY)
    reason = serializers.CharField(max_length=200)
    batch = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False, allow_null=True
    )


class StockTransferInput(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    to_warehouse = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    quantity = serializers.DecimalField(**QUANTITY)
    reason = serializers.CharField(max_length=200)


class StockAdjustInput(serializers.Serializer):
    batch = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    counted_quantity = serializers.DecimalField(**QUANTITY)
    reason = serializers.CharField(max_length=200)


class StockLevelInput(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    minimum = serializers.DecimalField(**QUANTITY, min_value=0)
    agreed_capacity = serializers.DecimalField(**QUANTITY, required=False, allow_null=True)
    delivery_hours = serializers.IntegerField(
        min_value=1, max_value=720, required=False, allow_null=True
    )


class StockOnHandSerializer(serializers.Serializer):
    warehouse = serializers.IntegerField()
    item = serializers.IntegerField()
    on_hand = serializers.DecimalField(**QUANTITY)
