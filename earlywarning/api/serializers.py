"""Warning serializers (SPEC §3, DESIGN12). Output: codes for machines (hazard type,
jurisdictions), names and labels for people; phones masked as everywhere. Input
serializers only parse; ``earlywarning.services`` validates the warning as a whole (areas
in the issuer's jurisdiction, levels, polygon) and decides who may write it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import fields as bounded
from core.masking import mask_phone
from core.models import Jurisdiction, Organisation
from core.permissions import can_see_personal_data
from earlywarning.choices import (
    Certainty,
    RecipientState,
    Urgency,
    WarningLevel,
)
from earlywarning.models import HazardType, HazardWarning, WarningRecipient
from forces.models import Specialty

# CAP <polygon>: "lat,lon lat,lon …" — at least four pairs (a closed ring), WGS-84
# decimal degrees. The service checks the ranges and that the ring is closed.
_NUMBER = r"-?[0-9]{1,3}(?:\.[0-9]{1,8})?"
_PAIR = rf"{_NUMBER},{_NUMBER}"
POLYGON_PATTERN = rf"^(?:{_PAIR}(?: {_PAIR}){{3,499}})?$"
MAX_AREAS = 50


class HazardTypeSerializer(serializers.ModelSerializer):
    specialties = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    cap_category_label = serializers.CharField(source="get_cap_category_display", read_only=True)

    class Meta:
        model = HazardType
        fields = [
            "id",
            "code",
            "name",
            "sector",
            "cap_category",
            "cap_category_label",
            "specialties",
            "concerned_sectors",
            "is_active",
        ]
        read_only_fields = fields


class WarningSerializer(serializers.ModelSerializer):
    """A warning version as the API and the change feed show it."""

    hazard_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    hazard_type_name = serializers.CharField(source="hazard_type.name", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    previous = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = HazardWarning
        fields = [
            "id",
            "identifier",
            "sender",
            "version",
            "previous",
            "msg_type",
            "status",
            "status_label",
            "hazard_type",
            "hazard_type_name",
            "level",
            "level_label",
            "issuer",
            "issuer_name",
            "jurisdiction",
            "jurisdiction_name",
            "areas",
            "area_description",
            "polygon",
            "headline",
            "description",
            "instruction",
            "force_instruction",
            "urgency",
            "certainty",
            "effective_at",
            "expires_at",
            "opens_key_period",
            "source",
            "source_label",
            "source_sender",
            "source_identifier",
            "source_sent",
            "external_id",
            "created_at",
            "updated_at",
            "published_at",
            "ended_at",
            "cancel_reason",
        ]
        read_only_fields = fields


class VisibleOrganisationField(serializers.PrimaryKeyRelatedField):
    """An organisation the caller can see; any other reads as one that does not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        return super().get_queryset().visible_to(getattr(request, "user", None))


class WarningInputSerializer(serializers.Serializer):
    """A draft's content (create, upsert; with ``partial=True`` a change of a draft).
    Areas are jurisdiction codes; the hazard type is its code."""

    hazard_type = serializers.SlugRelatedField(
        slug_field="code", queryset=HazardType.objects.filter(is_active=True)
    )
    level = serializers.ChoiceField(choices=WarningLevel.choices)
    areas = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="code", queryset=Jurisdiction.objects.all()),
        min_length=1,
        max_length=MAX_AREAS,
    )
    headline = serializers.CharField(max_length=160)
    description = serializers.CharField(max_length=5000)
    instruction = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    force_instruction = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    polygon = serializers.RegexField(
        POLYGON_PATTERN, max_length=20000, required=False, allow_blank=True, default=""
    )
    area_description = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    effective_at = bounded.DateTimeField()
    expires_at = bounded.DateTimeField()
    urgency = serializers.ChoiceField(
        choices=Urgency.choices, required=False, default=Urgency.EXPECTED
    )
    certainty = serializers.ChoiceField(
        choices=Certainty.choices, required=False, default=Certainty.LIKELY
    )
    opens_key_period = serializers.BooleanField(required=False, default=False)
    external_id = bounded.ExternalIdField(default="")
    issuer = VisibleOrganisationField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text=(
            "The issuing department (an organisation id). Default: yours. A provincial "
            "sync client names the department that is to publish the draft it hands down."
        ),
    )

    def validate_areas(self, value: list[Jurisdiction]) -> list[Jurisdiction]:
        return list(dict.fromkeys(value))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        effective, expires = attrs.get("effective_at"), attrs.get("expires_at")
        if effective and expires and expires <= effective:
            raise serializers.ValidationError(
                {"expires_at": [_("The expiry must be after the effective time.")]}
            )
        return attrs


class CancelReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class RelaySerializer(serializers.Serializer):
    """Forces of these specialties (all forces when none) in these jurisdictions (default:
    the warning's areas within yours)."""

    specialties = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="code", queryset=Specialty.objects.all()),
        required=False,
        default=list,
        max_length=100,
    )
    jurisdictions = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="code", queryset=Jurisdiction.objects.all()),
        required=False,
        default=list,
        max_length=MAX_AREAS,
    )


class RelayResultSerializer(serializers.Serializer):
    added = serializers.IntegerField(help_text="How many recipients were added.")


class RecipientSerializer(serializers.ModelSerializer):
    """One recipient on the 叫应 board. Phones are masked for everyone but administrators
    and the recipient's own organisation (core.permissions.can_see_personal_data)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    phone = serializers.SerializerMethodField()
    supervisor_phone = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = WarningRecipient
        fields = [
            "id",
            "warning",
            "kind",
            "kind_label",
            "jurisdiction",
            "jurisdiction_name",
            "grid",
            "force",
            "organisation",
            "label",
            "phone",
            "supervisor_label",
            "supervisor_phone",
            "acknowledged_at",
            "acknowledged_channel",
            "acknowledged_label",
            "state",
        ]
        read_only_fields = fields

    def _sees_phones(self, recipient: WarningRecipient) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return can_see_personal_data(user, recipient.organisation_id)

    def get_phone(self, recipient: WarningRecipient) -> str:
        return recipient.phone if self._sees_phones(recipient) else recipient.shown_phone

    def get_supervisor_phone(self, recipient: WarningRecipient) -> str:
        if self._sees_phones(recipient):
            return recipient.supervisor_phone
        return mask_phone(recipient.supervisor_phone)

    @extend_schema_field(serializers.ChoiceField(choices=RecipientState.choices))
    def get_state(self, recipient: WarningRecipient) -> str:
        state = getattr(recipient, "state", None)
        if state is None:
            # Outside the board's query (the acknowledgement's answer): answered or not.
            return RecipientState.ANSWERED if recipient.acknowledged_at else RecipientState.CHASING
        return state


class BoardRowSerializer(serializers.Serializer):
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    jurisdiction_name = serializers.CharField(source="jurisdiction.name")
    total = serializers.IntegerField()
    answered = serializers.IntegerField()
    chasing = serializers.IntegerField()
    unreached = serializers.IntegerField()


class BoardSerializer(serializers.Serializer):
    """The 叫应 board: totals and one row per child jurisdiction holding recipients."""

    warning = serializers.IntegerField(source="warning.pk")
    total = serializers.IntegerField()
    answered = serializers.IntegerField()
    chasing = serializers.IntegerField()
    unreached = serializers.IntegerField()
    rows = BoardRowSerializer(many=True)
