"""Roster, shift and spot-check serializers. Input and output are separate: inputs only
parse, the rules are in ``duty.rosters.services``. Phones on a roster are masked for
everyone but its owner, its joint-duty partners and administrators."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import fields as bounded
from core.masking import mask_phone
from duty.models import DutyRoster, Shift, SpotCheck
from duty.rosters.permissions import can_see_roster_phones
from duty.rosters.selectors import coverage_gaps
from forces.validators import validate_personal_phone


def _user(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


def _phones_visible(context: dict[str, Any], roster: DutyRoster) -> bool:
    cache = context.setdefault("_phones_visible", {})
    if roster.pk not in cache:
        cache[roster.pk] = can_see_roster_phones(_user(context), roster)
    return cache[roster.pk]


def shift_data(shift: Shift, visible: bool) -> dict[str, Any]:
    def phone(value: str) -> str:
        return value if visible else mask_phone(value)

    return {
        "id": shift.pk,
        "roster": shift.roster_id,
        "starts_at": serializers.DateTimeField().to_representation(shift.starts_at),
        "ends_at": serializers.DateTimeField().to_representation(shift.ends_at),
        "leader_name": shift.leader_name,
        "leader_phone": phone(shift.leader_phone),
        "notes": shift.notes,
        "officers": [
            {
                "id": o.pk,
                "name": o.name,
                "phone": phone(o.phone),
                "organisation": o.organisation_id,
            }
            for o in shift.officers.all()
        ],
    }


class OfficerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField()
    organisation = serializers.IntegerField(allow_null=True)


class ShiftSerializer(serializers.Serializer):
    """Output of a shift with its officers (``roster__partners`` and ``officers``
    prefetched); phones masked per roster."""

    id = serializers.IntegerField(read_only=True)
    roster = serializers.IntegerField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    leader_name = serializers.CharField(read_only=True)
    leader_phone = serializers.CharField(read_only=True)
    notes = serializers.CharField(read_only=True)
    officers = OfficerOutputSerializer(many=True, read_only=True)

    def to_representation(self, instance: Shift) -> dict[str, Any]:
        return shift_data(instance, _phones_visible(self.context, instance.roster))


class RosterSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    partners = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    shifts = serializers.SerializerMethodField()
    gaps = serializers.SerializerMethodField()

    class Meta:
        model = DutyRoster
        fields = [
            "id",
            "name",
            "organisation",
            "organisation_name",
            "partners",
            "force",
            "jurisdiction",
            "is_active",
            "shifts",
            "gaps",
        ]

    @extend_schema_field(ShiftSerializer(many=True))
    def get_shifts(self, roster: DutyRoster) -> list[dict[str, Any]]:
        visible = _phones_visible(self.context, roster)
        return [shift_data(s, visible) for s in roster.window_shifts]

    @extend_schema_field(
        serializers.ListField(child=serializers.ListField(child=serializers.DateTimeField()))
    )
    def get_gaps(self, roster: DutyRoster) -> list[list[str]]:
        start, end = self.context["window"]
        field = serializers.DateTimeField()
        return [
            [field.to_representation(s), field.to_representation(e)]
            for s, e in coverage_gaps(roster, start, end, shifts=roster.window_shifts)
        ]


class OfficerInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[validate_personal_phone]
    )
    organisation = serializers.IntegerField(required=False, allow_null=True)


class ShiftInputSerializer(serializers.Serializer):
    roster = serializers.IntegerField(required=False)
    starts_at = bounded.DateTimeField(required=False)
    ends_at = bounded.DateTimeField(required=False)
    leader_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    leader_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[validate_personal_phone]
    )
    notes = serializers.CharField(max_length=200, required=False, allow_blank=True)
    officers = OfficerInputSerializer(many=True, required=False)


class ShiftCreateSerializer(ShiftInputSerializer):
    """A new shift names its roster (the schema says so: a POST without it is a 400)."""

    roster = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class SpotCheckSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    checked_by = serializers.StringRelatedField()
    closed_by = serializers.StringRelatedField()
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = SpotCheck
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "checked_by",
            "checked_on",
            "year",
            "quarter",
            "call_handling_passed",
            "call_handling_note",
            "duty_passed",
            "duty_note",
            "satisfaction_score",
            "findings",
            "rectification_deadline",
            "is_open",
            "closed_at",
            "closed_by",
            "closing_note",
        ]


class SpotCheckInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    checked_on = bounded.DateField(required=False)
    call_handling_passed = serializers.BooleanField(default=True)
    call_handling_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    duty_passed = serializers.BooleanField(default=True)
    duty_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    satisfaction_score = serializers.IntegerField(min_value=0, max_value=100)
    findings = serializers.CharField(required=False, allow_blank=True)
    rectification_deadline = bounded.DateField(required=False, allow_null=True)


class CloseInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
