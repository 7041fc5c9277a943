"""Incident serializers (SPEC §3). Input serializers only parse; ``command.services``
validates the incident as a whole and decides who may write it."""

from __future__ import annotations

from rest_framework import serializers

from command.choices import AreaType, IncidentLevel, IncidentSource
from command.models import Incident, IncidentType
from core.api import fields as bounded
from core.models import Jurisdiction


class IncidentTypeSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = IncidentType
        fields = ["id", "code", "name", "category", "category_label", "disaster_type"]


class IncidentSerializer(serializers.ModelSerializer):
    """Output: codes for machines, names and labels for people."""

    incident_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    incident_type_name = serializers.CharField(source="incident_type.name", read_only=True)
    category = serializers.CharField(source="incident_type.category", read_only=True)
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    area_type_label = serializers.CharField(source="get_area_type_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reported_by_name = serializers.StringRelatedField(source="reported_by")

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
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    area_type = serializers.ChoiceField(choices=AreaType.choices, required=False)
    deaths = bounded.CountField(required=False)
    injuries = bounded.CountField(required=False)
    missing = bounded.CountField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    external_id = bounded.ExternalIdField()
