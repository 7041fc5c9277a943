"""Serializers of the shelter API: the register (upsert by external id like the
registry) and the per-capita rows of each jurisdiction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from core.api.fields import ExternalIdField
from core.models import Jurisdiction, Organisation
from support.models import Shelter
from support.shelters import FACILITIES, FACILITY_CODES
from support.shelters.permissions import keeper_phone_for


class _VisibleOrganisationField(serializers.PrimaryKeyRelatedField):
    """A managing unit the caller can see (an invisible one reads as not existing)."""

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        qs = Organisation.objects.all()
        if user is None or user.is_superuser:
            return qs
        own = user.jurisdiction
        return qs.filter(jurisdiction__path__startswith=own.path) if own else qs.none()


class ShelterSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all()
    )
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    owner = _VisibleOrganisationField(required=False, allow_null=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True, allow_null=True)
    facilities = serializers.MultipleChoiceField(choices=FACILITIES, required=False)
    external_id = ExternalIdField()

    class Meta:
        model = Shelter
        fields = [
            "id",
            "name",
            "kind",
            "level",
            "jurisdiction",
            "jurisdiction_name",
            "owner",
            "owner_name",
            "address",
            "latitude",
            "longitude",
            "area_m2",
            "capacity",
            "facilities",
            "keeper_name",
            "keeper_phone",
            "is_active",
            "external_id",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # The services check uniqueness under their lock and answer 400 per field.
        validators: list = []

    def to_representation(self, instance: Shelter) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["facilities"] = [c for c in FACILITY_CODES if c in (instance.facilities or [])]
        request = self.context.get("request")
        if request is not None:
            data["keeper_phone"] = keeper_phone_for(request.user, instance)
        return data

    def validate_facilities(self, value: set[str]) -> list[str]:
        return [c for c in FACILITY_CODES if c in value]


class IndicatorRowSerializer(serializers.Serializer):
    """One jurisdiction's per-capita shelter area (shelters in service of it and below)."""

    jurisdiction = serializers.CharField(source="jurisdiction.code")
    jurisdiction_name = serializers.CharField(source="jurisdiction.name")
    level = serializers.CharField(source="jurisdiction.level")
    shelter_count = serializers.IntegerField()
    area_m2 = serializers.DecimalField(max_digits=14, decimal_places=1)
    capacity = serializers.IntegerField()
    resident_population = serializers.IntegerField(source="population", allow_null=True)
    population_year = serializers.IntegerField(
        source="indicator.population_year", allow_null=True, default=None
    )
    area_per_resident = serializers.DecimalField(
        source="target", max_digits=5, decimal_places=2, allow_null=True
    )
    per_capita = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    below = serializers.BooleanField()
    has_indicator = serializers.BooleanField()
    shortfall_m2 = serializers.DecimalField(max_digits=14, decimal_places=1)
    source = serializers.CharField(source="indicator.source", default="")


class IndicatorInputSerializer(serializers.Serializer):
    resident_population = serializers.IntegerField(min_value=1, max_value=2_000_000_000)
    area_per_resident = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01")
    )
    population_year = serializers.IntegerField(
        min_value=1949, max_value=2100, required=False, allow_null=True
    )
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
