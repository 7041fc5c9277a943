"""Passage serializers. Output: codes for machines, names and labels for people, no
personal data. Input serializers only parse; ``support.passage.services`` decides."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import DateTimeField
from support.choices import PassageKind
from support.models import PassageRequest, VehiclePass

TEXT_MAX = 2000
ID_MAX = 2**63 - 1


class PassageRequestSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    addressee = serializers.IntegerField(source="addressee_id", read_only=True)
    addressee_name = serializers.CharField(source="addressee.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    requested_by_name = serializers.StringRelatedField(source="requested_by")
    answered_by_name = serializers.StringRelatedField(source="answered_by", allow_null=True)

    class Meta:
        model = PassageRequest
        fields = [
            "id",
            "number",
            "jurisdiction",
            "incident",
            "kind",
            "kind_label",
            "addressee",
            "addressee_name",
            "area",
            "reason",
            "starts_at",
            "ends_at",
            "status",
            "status_label",
            "requested_by_name",
            "requested_at",
            "answered_by_name",
            "answered_at",
            "answer",
            "lifted_at",
            "updated_at",
        ]
        read_only_fields = fields


class PassageRequestInputSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    kind = serializers.ChoiceField(choices=PassageKind.choices)
    addressee = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        help_text=_("The traffic police or transport bureau (organisation id)."),
    )
    area = serializers.CharField(max_length=300)
    reason = serializers.CharField(max_length=TEXT_MAX)
    starts_at = DateTimeField()
    ends_at = DateTimeField(required=False, allow_null=True)


class AnswerInputSerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    answer = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


def pass_state(vehicle_pass: VehiclePass) -> str:
    now = timezone.now()
    if vehicle_pass.revoked_at is not None:
        return "revoked"
    if vehicle_pass.valid_until <= now:
        return "expired"
    if vehicle_pass.valid_from > now:
        return "not_yet_valid"
    return "valid"


class VehiclePassSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    incident = serializers.IntegerField(source="incident_id", read_only=True, allow_null=True)
    force = serializers.IntegerField(source="force_id", read_only=True)
    force_name = serializers.CharField(source="force.name", read_only=True)
    state = serializers.SerializerMethodField(
        help_text=_("valid, expired, not_yet_valid or revoked, now.")
    )

    class Meta:
        model = VehiclePass
        fields = [
            "id",
            "number",
            "jurisdiction",
            "incident",
            "force",
            "force_name",
            "plate",
            "vehicle",
            "route",
            "valid_from",
            "valid_until",
            "issued_at",
            "revoked_at",
            "revoke_reason",
            "state",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(choices=["valid", "expired", "not_yet_valid", "revoked"])
    )
    def get_state(self, obj: VehiclePass) -> str:
        return pass_state(obj)


class VehiclePassInputSerializer(serializers.Serializer):
    incident = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True
    )
    jurisdiction = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        required=False,
        allow_null=True,
        help_text=_("Without an incident: the issuing jurisdiction (default: your own)."),
    )
    force = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    plate = serializers.CharField(max_length=16)
    vehicle = serializers.CharField(max_length=100, required=False, allow_blank=True)
    route = serializers.CharField(max_length=300)
    valid_from = DateTimeField(required=False, allow_null=True)
    valid_until = DateTimeField()


class PublicPassSerializer(serializers.ModelSerializer):
    """What the public check shows: no person, no phone."""

    force_name = serializers.CharField(source="force.name", read_only=True)
    issuer = serializers.CharField(source="jurisdiction.name", read_only=True)

    class Meta:
        model = VehiclePass
        fields = [
            "number",
            "plate",
            "vehicle",
            "force_name",
            "route",
            "valid_from",
            "valid_until",
            "issuer",
        ]
        read_only_fields = fields


class VerifyQuerySerializer(serializers.Serializer):
    token = serializers.RegexField(
        regex=r"^[A-Za-z0-9_.:-]{1,1000}$",
        help_text=_("The token of the pass's QR code."),
    )


class VerificationSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(
        choices=["valid", "expired", "not_yet_valid", "revoked", "invalid"]
    )
    vehicle_pass = PublicPassSerializer(allow_null=True)
