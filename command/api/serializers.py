"""Incident serializers (SPEC §3). Input serializers only parse; ``command.services``
validates the incident as a whole and decides who may write it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from command.choices import AreaType, CoordinateSystem, IncidentLevel, IncidentSource
from command.forms import to_wgs84
from command.models import (
    HotlineTransfer,
    Incident,
    IncidentAssessment,
    IncidentHandover,
    IncidentNote,
    IncidentType,
)
from core.api import fields as bounded
from core.api.serializers import RowSerializerMixin
from core.masking import mask_phone
from core.models import Jurisdiction
from core.permissions import can_see_personal_data


class IncidentTypeSerializer(serializers.ModelSerializer):
    category_label = bounded.ChoiceLabelField(source="category")

    class Meta:
        model = IncidentType
        fields = ["id", "code", "name", "category", "category_label", "disaster_type"]


class IncidentSerializer(RowSerializerMixin, serializers.ModelSerializer):
    """Output: codes for machines, names and labels for people."""

    incident_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    incident_type_name = serializers.CharField(source="incident_type.name", read_only=True)
    category = serializers.CharField(source="incident_type.category", read_only=True)
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    source_label = bounded.ChoiceLabelField(source="source")
    level_label = bounded.ChoiceLabelField(source="level")
    area_type_label = bounded.ChoiceLabelField(source="area_type")
    status_label = bounded.ChoiceLabelField(source="status")
    reported_by_name = serializers.StringRelatedField(source="reported_by")
    disposition_label = bounded.ChoiceLabelField(source="disposition")
    first_receiver_name = serializers.CharField(
        source="first_receiver.name", read_only=True, default=None
    )
    handling_unit_name = serializers.CharField(
        source="handling_unit.name", read_only=True, default=None
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "received_at",
            "source",
            "source_label",
            "incident_type",
            "incident_type_name",
            "category",
            "level",
            "level_label",
            "jurisdiction",
            "jurisdiction_name",
            "address",
            "latitude",
            "longitude",
            "caller_name",
            "callback_phone",
            "disposition",
            "disposition_label",
            "first_receiver",
            "first_receiver_name",
            "handling_unit",
            "handling_unit_name",
            "area_type",
            "area_type_label",
            "deaths",
            "injuries",
            "missing",
            "description",
            "status",
            "status_label",
            "reported_by_name",
            "closed_at",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Incident) -> dict[str, Any]:
        """The call-back number is a personal phone: masked unless the reader is of the
        receiving unit or an administrator (SPEC §2)."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if data.get("callback_phone") and not can_see_personal_data(
            user, instance.first_receiver_id
        ):
            data["callback_phone"] = mask_phone(data["callback_phone"])
        return data


class IncidentInputSerializer(serializers.Serializer):
    """Create (all required fields) or, with ``partial=True``, change an incident."""

    title = serializers.CharField(max_length=150)
    received_at = bounded.DateTimeField(required=False)
    source = serializers.ChoiceField(choices=IncidentSource.choices)
    incident_type = serializers.SlugRelatedField(
        slug_field="code", queryset=IncidentType.objects.all()
    )
    level = serializers.ChoiceField(choices=IncidentLevel.choices, required=False)
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all(), required=False
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
    )
    datum = serializers.ChoiceField(
        choices=CoordinateSystem.choices,
        required=False,
        write_only=True,
        help_text="The datum the coordinates were read in; stored as WGS-84.",
    )
    caller_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    callback_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    area_type = serializers.ChoiceField(choices=AreaType.choices, required=False)
    deaths = bounded.CountField(required=False)
    injuries = bounded.CountField(required=False)
    missing = bounded.CountField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    external_id = bounded.ExternalIdField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        datum = attrs.pop("datum", CoordinateSystem.WGS84)
        lat, lon = attrs.get("latitude"), attrs.get("longitude")
        if (lat is None) != (lon is None) and ("latitude" in attrs or "longitude" in attrs):
            missing = "longitude" if lon is None else "latitude"
            raise serializers.ValidationError(
                {missing: [_("Give both latitude and longitude, or neither.")]}
            )
        if not self.partial and lat is None and not (attrs.get("address") or "").strip():
            raise serializers.ValidationError(
                {"address": [_("Give an address or pick the place on the map.")]}
            )
        if lat is not None and lon is not None:
            attrs["latitude"], attrs["longitude"] = to_wgs84(lat, lon, datum)
        return attrs


class HotlineTransferSerializer(serializers.ModelSerializer):
    hotline_name = serializers.CharField(source="hotline.name", read_only=True, default=None)
    transferred_by_name = serializers.StringRelatedField(source="transferred_by")

    class Meta:
        model = HotlineTransfer
        fields = [
            "id",
            "incident",
            "hotline",
            "hotline_name",
            "work_order_number",
            "summary",
            "transferred_at",
            "transferred_by_name",
            "reply",
            "replied_at",
        ]
        read_only_fields = fields


class HotlineTransferInputSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=2000)
    work_order_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    hotline = serializers.IntegerField(required=False, min_value=1, max_value=bounded.MAX_INT)


class HotlineReplyInputSerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=2000)
    work_order_number = serializers.CharField(max_length=40, required=False, allow_blank=True)


class IncidentHandoverSerializer(serializers.ModelSerializer):
    from_unit_name = serializers.CharField(source="from_unit.name", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True)
    kind_label = bounded.ChoiceLabelField(source="kind")

    class Meta:
        model = IncidentHandover
        fields = [
            "id",
            "incident",
            "kind",
            "kind_label",
            "from_unit",
            "from_unit_name",
            "to_unit",
            "to_unit_name",
            "handed_at",
            "note",
        ]
        read_only_fields = fields


class IncidentHandOverInputSerializer(serializers.Serializer):
    to_unit = serializers.IntegerField(min_value=1, max_value=bounded.MAX_INT)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class IncidentMaritimeInputSerializer(serializers.Serializer):
    maritime_unit = serializers.IntegerField(required=False, min_value=1, max_value=bounded.MAX_INT)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class IncidentNoteSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    author_name = serializers.StringRelatedField(source="author")

    class Meta:
        model = IncidentNote
        fields = [
            "id",
            "incident",
            "organisation",
            "organisation_name",
            "author_name",
            "text",
            "created_at",
        ]
        read_only_fields = fields


class IncidentNoteInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class IncidentAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentAssessment
        fields = ["id", "incident", "from_level", "to_level", "reason", "assessed_at"]
        read_only_fields = fields


class IncidentReassessInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=IncidentLevel.choices)
    reason = serializers.CharField(max_length=2000)


class IncidentCloseInputSerializer(serializers.Serializer):
    end_open_work = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
