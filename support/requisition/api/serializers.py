"""Requisition API shapes: what is read, and the inputs of each service."""

from __future__ import annotations

from rest_framework import serializers

from core.models import Organisation
from forces.models import Equipment
from support.choices import RequisitionMode
from support.models import Requisition
from support.requisition.permissions import owner_phone_for


class RequisitionSerializer(serializers.ModelSerializer):
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)

    class Meta:
        model = Requisition
        fields = [
            "id",
            "number",
            "jurisdiction",
            "jurisdiction_name",
            "incident",
            "incident_title",
            "mode",
            "equipment",
            "description",
            "quantity",
            "plate_or_serial",
            "with_operator",
            "owner_organisation",
            "owner_name",
            "owner_phone",
            "needed_from",
            "needed_until",
            "purpose",
            "status",
            "requested_by",
            "requested_at",
            "handed_over_at",
            "handover_condition",
            "returned_at",
            "return_condition",
            "damage",
            "cancel_reason",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Requisition) -> dict:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None:
            data["owner_phone"] = owner_phone_for(request.user, instance)
        return data


class RequisitionInputSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1)
    mode = serializers.ChoiceField(choices=RequisitionMode.choices, default=RequisitionMode.CALL)
    equipment = serializers.PrimaryKeyRelatedField(
        queryset=Equipment.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    plate_or_serial = serializers.CharField(max_length=60, required=False, allow_blank=True)
    with_operator = serializers.BooleanField(default=False)
    owner_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    owner_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    owner_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    needed_from = serializers.DateTimeField()
    needed_until = serializers.DateTimeField()
    purpose = serializers.CharField(max_length=2000)


class RequisitionHandoverInputSerializer(serializers.Serializer):
    at = serializers.DateTimeField(required=False, allow_null=True)
    condition = serializers.CharField(max_length=2000)


class RequisitionReturnInputSerializer(RequisitionHandoverInputSerializer):
    damage = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RequisitionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
