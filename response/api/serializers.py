"""Graded-response serializers (DESIGN13). Output: codes for machines (jurisdiction,
hazard, level, status), names and labels for people; a seat's phone masked as everywhere
(core.permissions.can_see_personal_data). Input serializers only parse;
``response.services`` validates as a whole and decides who may write."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.masking import mask_phone
from core.models import Jurisdiction, Organisation
from core.permissions import can_see_personal_data
from response.choices import (
    OPEN_INSTRUCTION_STATUSES,
    ActivationStatus,
    ResponseHazard,
    ResponseLevel,
)
from response.models import (
    ManualInstruction,
    ResponseActivation,
    ResponseInstruction,
    ResponseManual,
    ResponseStep,
    Seat,
)
from response.services import MAX_DEADLINE_MINUTES, MAX_LINES

TEXT_MAX = 2000
REASON_MAX = 2000


# --- manuals ----------------------------------------------------------------------------------


class ManualLineSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = ManualInstruction
        fields = ["id", "position", "text", "department", "department_name", "deadline_minutes"]
        read_only_fields = fields


class ManualSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    hazard_label = serializers.CharField(source="get_hazard_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    lines = ManualLineSerializer(source="instructions", many=True, read_only=True)

    class Meta:
        model = ResponseManual
        fields = [
            "id",
            "jurisdiction",
            "jurisdiction_name",
            "hazard",
            "hazard_label",
            "level",
            "level_label",
            "title",
            "conditions",
            "updated_at",
            "lines",
        ]
        read_only_fields = fields


class ManualLineInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True),
        help_text=_("The responsible department (organisation id)."),
    )
    deadline_minutes = serializers.IntegerField(min_value=1, max_value=MAX_DEADLINE_MINUTES)


class ManualInputSerializer(serializers.Serializer):
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Jurisdiction.objects.all(),
        help_text=_("The jurisdiction code whose manual this is."),
    )
    hazard = serializers.ChoiceField(choices=ResponseHazard.choices)
    level = serializers.ChoiceField(choices=ResponseLevel.choices)
    title = serializers.CharField(max_length=150)
    conditions = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    lines = ManualLineInputSerializer(many=True, min_length=1, max_length=MAX_LINES)


# --- activations ------------------------------------------------------------------------------


class ResponseStepSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    by_name = serializers.StringRelatedField(source="by")

    class Meta:
        model = ResponseStep
        fields = ["id", "kind", "kind_label", "from_level", "to_level", "reason", "at", "by_name"]
        read_only_fields = fields


class ActivationSerializer(serializers.ModelSerializer):
    """A response as the API and the change feed show it; counts come from the list
    view's annotations (or are counted for one object)."""

    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    hazard_label = serializers.CharField(source="get_hazard_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    incident_title = serializers.SerializerMethodField()
    warning_headline = serializers.SerializerMethodField()
    activated_by_name = serializers.StringRelatedField(source="activated_by")
    ended_by_name = serializers.StringRelatedField(source="ended_by", allow_null=True)
    instruction_count = serializers.SerializerMethodField()
    open_count = serializers.SerializerMethodField()
    overdue_count = serializers.SerializerMethodField()

    class Meta:
        model = ResponseActivation
        fields = [
            "id",
            "jurisdiction",
            "jurisdiction_name",
            "hazard",
            "hazard_label",
            "level",
            "level_label",
            "status",
            "status_label",
            "incident",
            "incident_title",
            "warning",
            "warning_headline",
            "reason",
            "activated_at",
            "activated_by_name",
            "ended_at",
            "ended_by_name",
            "instruction_count",
            "open_count",
            "overdue_count",
        ]
        read_only_fields = fields

    def get_incident_title(self, activation: ResponseActivation) -> str:
        return activation.incident.title if activation.incident_id else ""

    def get_warning_headline(self, activation: ResponseActivation) -> str:
        return activation.warning.headline if activation.warning_id else ""

    def _counts(self, activation: ResponseActivation) -> dict[str, int]:
        found = self.context.get("counts", {}).get(activation.pk)
        if found is not None:
            return found
        return counts_of([activation]).get(activation.pk, _ZERO)

    def get_instruction_count(self, activation: ResponseActivation) -> int:
        return self._counts(activation)["total"]

    def get_open_count(self, activation: ResponseActivation) -> int:
        return self._counts(activation)["open"]

    def get_overdue_count(self, activation: ResponseActivation) -> int:
        return self._counts(activation)["overdue"]


_ZERO = {"total": 0, "open": 0, "overdue": 0}


def counts_of(activations: list[ResponseActivation]) -> dict[int, dict[str, int]]:
    """{activation pk: {total, open, overdue}} in one query."""
    from django.db.models import Count, Q

    ids = [a.pk for a in activations]
    if not ids:
        return {}
    is_open = Q(instructions__status__in=OPEN_INSTRUCTION_STATUSES)
    now = timezone.now()
    rows = (
        ResponseActivation.objects.filter(pk__in=ids)
        .annotate(
            total=Count("instructions"),
            open=Count("instructions", filter=is_open),
            overdue=Count(
                "instructions",
                filter=is_open
                & Q(status=ActivationStatus.ACTIVE)
                & (Q(instructions__overdue=True) | Q(instructions__due_at__lt=now)),
            ),
        )
        .values_list("pk", "total", "open", "overdue")
    )
    return {pk: {"total": t, "open": o, "overdue": d} for pk, t, o, d in rows}


class ActivationInputSerializer(serializers.Serializer):
    hazard = serializers.ChoiceField(choices=ResponseHazard.choices)
    level = serializers.ChoiceField(choices=ResponseLevel.choices)
    incident = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    warning = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    reason = serializers.CharField(max_length=REASON_MAX, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("incident") is None) == (attrs.get("warning") is None):
            raise serializers.ValidationError(
                {"incident": [_("Give an incident or a warning, not both.")]}
            )
        return attrs


class ResponseChangeLevelSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=ResponseLevel.choices)
    reason = serializers.CharField(max_length=REASON_MAX)


class ResponseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX)


# --- instructions -----------------------------------------------------------------------------


class InstructionSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    activation = serializers.IntegerField(source="activation_id", read_only=True)
    done_by_name = serializers.StringRelatedField(source="done_by", allow_null=True)
    late = serializers.SerializerMethodField(
        help_text=_("Open and past its due time (flagged or not yet).")
    )

    class Meta:
        model = ResponseInstruction
        fields = [
            "id",
            "activation",
            "level",
            "level_label",
            "text",
            "department",
            "department_name",
            "due_at",
            "status",
            "status_label",
            "acknowledged_at",
            "acknowledged_via",
            "acknowledged_label",
            "started_at",
            "done_at",
            "done_by_name",
            "report",
            "overdue",
            "late",
        ]
        read_only_fields = fields

    def get_late(self, instruction: ResponseInstruction) -> bool:
        return instruction.status in OPEN_INSTRUCTION_STATUSES and (
            instruction.overdue or instruction.due_at < timezone.now()
        )


class InstructionCompleteSerializer(serializers.Serializer):
    report = serializers.CharField(max_length=TEXT_MAX)


# --- seats ------------------------------------------------------------------------------------


class SeatSerializer(serializers.ModelSerializer):
    """A seat; its phone masked for everyone but administrators and its department."""

    activation = serializers.IntegerField(source="activation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Seat
        fields = [
            "id",
            "activation",
            "organisation",
            "organisation_name",
            "person",
            "phone",
            "joined_at",
            "left_at",
        ]
        read_only_fields = fields

    def get_phone(self, seat: Seat) -> str:
        request = self.context.get("request")
        if can_see_personal_data(getattr(request, "user", None), seat.organisation_id):
            return seat.phone
        return mask_phone(seat.phone)


class SeatInputSerializer(serializers.Serializer):
    activation = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    organisation = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    person = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


# --- the board --------------------------------------------------------------------------------


class ResponseBoardDepartmentSerializer(serializers.Serializer):
    department = serializers.IntegerField(source="department.pk")
    department_name = serializers.CharField(source="department.name")
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    seat = serializers.SerializerMethodField()
    instructions = InstructionSerializer(many=True)

    @extend_schema_field(SeatSerializer(allow_null=True))
    def get_seat(self, row: Any) -> dict | None:
        if row.seat is None:
            return None
        return SeatSerializer(row.seat, context=self.context).data


class ResponseBoardSerializer(serializers.Serializer):
    activation = ActivationSerializer()
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    done = serializers.IntegerField()
    overdue = serializers.IntegerField()
    departments = ResponseBoardDepartmentSerializer(many=True)
    steps = ResponseStepSerializer(many=True)
