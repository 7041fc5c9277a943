"""Force registry serializers. Personal data (phones of people, ID numbers) is masked
for everyone but the owning organisation and administrators (SPEC §2)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import ExternalIdField
from core.api.serializers import RowSerializerMixin
from core.masking import mask_id_number, mask_phone
from core.models import Jurisdiction, Organisation
from core.permissions import can_see_personal_data
from forces.choices import CommMeans
from forces.models import (
    Equipment,
    Expert,
    ExpertGroup,
    Force,
    Formation,
    FormationRequirement,
    Material,
    Personnel,
    Specialty,
)

MASKERS = {"phone": mask_phone, "leader_phone": mask_phone, "id_number": mask_id_number}


class MaskedSerializerMixin:
    """Masks the fields in ``masked_fields`` unless the user may see them."""

    masked_fields: tuple[str, ...] = ()

    def owner_organisation_id(self, obj: Any) -> int | None:
        return obj.organisation_id

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)  # type: ignore[misc]
        owner = self.owner_organisation_id(instance)
        # One answer per owning organisation for the whole page, not one per row.
        seen = self.__dict__.setdefault("_personal_data_seen", {})
        if owner not in seen:
            request = self.context.get("request")  # type: ignore[attr-defined]
            seen[owner] = can_see_personal_data(getattr(request, "user", None), owner)
        if not seen[owner]:
            for name in self.masked_fields:
                if data.get(name):
                    data[name] = MASKERS[name](data[name])
        return data


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related-object input limited to what the user can see."""

    def get_queryset(self):
        request = self.context.get("request")
        return super().get_queryset().visible_to(request.user)


class JurisdictionCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Jurisdiction.objects.all(), **kwargs)


class SpecialtySerializer(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["id", "code", "name"]


class FormationRequirementSerializer(serializers.ModelSerializer):
    specialty = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = FormationRequirement
        fields = ["specialty", "min_forces", "is_core"]


class FormationSerializer(serializers.ModelSerializer):
    requirements = FormationRequirementSerializer(many=True, read_only=True)

    class Meta:
        model = Formation
        fields = ["id", "disaster_type", "name", "description", "requirements"]


class ForceSerializer(MaskedSerializerMixin, RowSerializerMixin, serializers.ModelSerializer):
    masked_fields = ("leader_phone",)

    organisation = ScopedRelatedField(queryset=Organisation.objects.all())
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    industry_authority = ScopedRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    jurisdiction = JurisdictionCodeField(required=False)
    specialties = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Specialty.objects.all()
    )
    comm_means = serializers.MultipleChoiceField(choices=CommMeans.choices, required=False)
    linkage_tier = serializers.IntegerField(read_only=True)
    external_id = ExternalIdField()

    class Meta:
        model = Force
        fields = [
            "id",
            "name",
            "category",
            "organisation",
            "organisation_name",
            "industry_authority",
            "jurisdiction",
            "address",
            "latitude",
            "longitude",
            "specialties",
            "headcount",
            "duty_mode",
            "duty_phone",
            "leader_name",
            "leader_phone",
            "comm_means",
            "funding_mode",
            "status",
            "linkage_tier",
            "linkage_tier_override",
            "external_id",
            "notes",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance: Force) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["comm_means"] = sorted(data.get("comm_means") or [])
        return data

    def validate_comm_means(self, value: set[str]) -> list[str]:
        return sorted(value)


def normalised_id_number(value: str) -> str:
    """The form the model stores (check character X in capitals), so an upsert that
    sends the same number in lower case is seen as unchanged."""
    return (value or "").strip().upper()


class ForceItemSerializerMixin(MaskedSerializerMixin):
    def owner_organisation_id(self, obj: Any) -> int | None:
        return obj.force.organisation_id


class PersonnelSerializer(
    ForceItemSerializerMixin, RowSerializerMixin, serializers.ModelSerializer
):
    masked_fields = ("phone", "id_number")
    force = ScopedRelatedField(queryset=Force.objects.all())
    external_id = ExternalIdField()
    specialty = serializers.SlugRelatedField(
        slug_field="code", queryset=Specialty.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Personnel
        fields = [
            "id",
            "force",
            "name",
            "gender",
            "id_number",
            "phone",
            "position",
            "specialty",
            "certifications",
            "medical_exam_date",
            "insurance_expiry",
            "is_active",
            "external_id",
        ]

    def validate_id_number(self, value: str) -> str:
        return normalised_id_number(value)


class EquipmentSerializer(ForceItemSerializerMixin, serializers.ModelSerializer):
    force = ScopedRelatedField(queryset=Force.objects.all())
    external_id = ExternalIdField()

    class Meta:
        model = Equipment
        fields = ["id", "force", "name", "model", "quantity", "unit", "condition", "external_id"]


class MaterialSerializer(ForceItemSerializerMixin, serializers.ModelSerializer):
    force = ScopedRelatedField(queryset=Force.objects.all())
    external_id = ExternalIdField()

    class Meta:
        model = Material
        fields = ["id", "force", "name", "spec", "quantity", "unit", "expiry_date", "external_id"]


class ExpertSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    masked_fields = ("phone", "id_number")
    organisation = ScopedRelatedField(queryset=Organisation.objects.all())
    jurisdiction = JurisdictionCodeField(required=False)
    external_id = ExternalIdField()
    specialties = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Specialty.objects.all()
    )

    class Meta:
        model = Expert
        fields = [
            "id",
            "name",
            "field",
            "specialties",
            "title",
            "employer",
            "phone",
            "id_number",
            "availability",
            "organisation",
            "jurisdiction",
            "external_id",
        ]

    def validate_id_number(self, value: str) -> str:
        return normalised_id_number(value)


class ExpertGroupSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ExpertGroup
        fields = ["id", "name", "disaster_type", "organisation", "jurisdiction", "members"]
