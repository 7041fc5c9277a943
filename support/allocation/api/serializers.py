"""Allocation API serializers: separate input (the request and its lines, each step's
body) and output (the request with its lines, the receiver's phone masked)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.bounds import MAX_INT
from core.masking import mask_phone
from support.choices import AllocationStatus
from support.models import AllocationLine, AllocationRequest


class AllocationLineSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.__str__", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)
    warehouse_name = serializers.CharField(source="warehouse.name", read_only=True)

    class Meta:
        model = AllocationLine
        fields = (
            "id",
            "item",
            "item_name",
            "unit",
            "warehouse",
            "warehouse_name",
            "quantity",
            "received_quantity",
        )
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = serializers.ChoiceField(choices=AllocationStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    requesting_organisation_name = serializers.CharField(
        source="requesting_organisation.name", read_only=True
    )
    receiver_phone = serializers.SerializerMethodField()
    lines = AllocationLineSerializer(many=True, read_only=True)

    class Meta:
        model = AllocationRequest
        fields = (
            "id",
            "number",
            "jurisdiction",
            "incident",
            "risk_period",
            "purpose",
            "destination",
            "latitude",
            "longitude",
            "needed_by",
            "receiver_name",
            "receiver_phone",
            "status",
            "status_label",
            "requesting_organisation",
            "requesting_organisation_name",
            "requested_by",
            "created_at",
            "submitted_at",
            "decided_at",
            "decided_by",
            "decision_note",
            "delivered_at",
            "received_at",
            "receipt_note",
            "lines",
        )
        read_only_fields = fields

    def get_receiver_phone(self, obj: AllocationRequest) -> str:
        return mask_phone(obj.receiver_phone)


class AllocationLineInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    warehouse = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    quantity = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )


class AllocationInputSerializer(serializers.Serializer):
    incident = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_INT
    )
    risk_period = serializers.CharField(required=False, allow_blank=True, max_length=150)
    jurisdiction = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text=_("For a risk period: the jurisdiction code the materials are for."),
    )
    purpose = serializers.CharField(max_length=2000)
    destination = serializers.CharField(max_length=200)
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        allow_null=True,
        min_value=Decimal(-90),
        max_value=Decimal(90),
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        allow_null=True,
        min_value=Decimal(-180),
        max_value=Decimal(180),
    )
    needed_by = serializers.DateTimeField()
    receiver_name = serializers.CharField(max_length=50)
    receiver_phone = serializers.CharField(max_length=20)
    lines = AllocationLineInputSerializer(many=True, allow_empty=False)


class AllocationNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AllocationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AllocationReceiptSerializer(serializers.Serializer):
    received = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2),
        required=False,
        help_text=_("Quantity received by line id; a line not named arrived in full."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def service_data(values: dict[str, Any]) -> dict[str, Any]:
    from core.models import Jurisdiction

    data = {
        key: values.get(key)
        for key in (
            "risk_period",
            "purpose",
            "destination",
            "latitude",
            "longitude",
            "needed_by",
            "receiver_name",
            "receiver_phone",
        )
    }
    data["incident_id"] = values.get("incident")
    code = values.get("jurisdiction") or ""
    if code:
        found = Jurisdiction.objects.filter(code=code).first()
        data["jurisdiction_id"] = found.pk if found else -1
    return data
