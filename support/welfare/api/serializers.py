"""Welfare API serializers. No phone or ID number is exposed: a rescuer is named by the
registry's id and name only (the registry's own endpoints mask the rest)."""

from __future__ import annotations

from rest_framework import serializers

from support.choices import CasualtyKind, CasualtyProcedure, CommendationLevel, HealthRecordKind
from support.models import CasualtyCase, Commendation, HealthRecord, InsurancePolicy

# Ids beyond a 32-bit key are refused as input rather than overflowing the database.
MAX_ID = 2_147_483_647


class HealthRecordSerializer(serializers.ModelSerializer):
    personnel_name = serializers.CharField(source="personnel.name", read_only=True)
    force = serializers.IntegerField(source="personnel.force_id", read_only=True)

    class Meta:
        model = HealthRecord
        fields = [
            "id",
            "personnel",
            "personnel_name",
            "force",
            "kind",
            "examined_on",
            "institution",
            "fit_for_duty",
            "conclusion",
            "next_due",
            "recorded_at",
        ]
        read_only_fields = fields


class HealthRecordInputSerializer(serializers.Serializer):
    personnel = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=HealthRecordKind.choices)
    examined_on = serializers.DateField()
    institution = serializers.CharField(max_length=150, required=False, allow_blank=True)
    fit_for_duty = serializers.BooleanField(required=False, default=True)
    conclusion = serializers.CharField(required=False, allow_blank=True)
    next_due = serializers.DateField(required=False, allow_null=True)


class InsurancePolicySerializer(serializers.ModelSerializer):
    personnel_name = serializers.CharField(source="personnel.name", read_only=True)
    force = serializers.IntegerField(source="personnel.force_id", read_only=True)

    class Meta:
        model = InsurancePolicy
        fields = [
            "id",
            "personnel",
            "personnel_name",
            "force",
            "insurer",
            "policy_number",
            "sum_insured",
            "starts_on",
            "expires_on",
            "recorded_at",
        ]
        read_only_fields = fields


class InsurancePolicyInputSerializer(serializers.Serializer):
    personnel = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    insurer = serializers.CharField(max_length=150)
    policy_number = serializers.CharField(max_length=60)
    sum_insured = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    starts_on = serializers.DateField()
    expires_on = serializers.DateField()


class CommendationSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="jurisdiction.code", read_only=True)

    class Meta:
        model = Commendation
        fields = [
            "id",
            "jurisdiction",
            "personnel",
            "force",
            "incident",
            "level",
            "title",
            "reason",
            "awarded_by",
            "awarded_on",
            "document_number",
            "recorded_at",
        ]
        read_only_fields = fields


class CommendationInputSerializer(serializers.Serializer):
    personnel = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    force = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    incident = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    level = serializers.ChoiceField(choices=CommendationLevel.choices)
    title = serializers.CharField(max_length=150)
    reason = serializers.CharField()
    awarded_by = serializers.CharField(max_length=150)
    awarded_on = serializers.DateField()
    document_number = serializers.CharField(max_length=60, required=False, allow_blank=True)


class CasualtyCaseSerializer(serializers.ModelSerializer):
    personnel_name = serializers.CharField(source="personnel.name", read_only=True)
    force = serializers.IntegerField(source="personnel.force_id", read_only=True)

    class Meta:
        model = CasualtyCase
        fields = [
            "id",
            "personnel",
            "personnel_name",
            "force",
            "incident",
            "kind",
            "occurred_at",
            "circumstances",
            "procedure",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "decided_at",
            "decision",
            "decision_authority",
            "decision_reference",
        ]
        read_only_fields = fields


class CasualtyInputSerializer(serializers.Serializer):
    personnel = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    incident = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    kind = serializers.ChoiceField(choices=CasualtyKind.choices)
    procedure = serializers.ChoiceField(
        choices=CasualtyProcedure.choices, required=False, default=CasualtyProcedure.NONE
    )
    occurred_at = serializers.DateTimeField()
    circumstances = serializers.CharField()


class CasualtyReviewSerializer(serializers.Serializer):
    opinion = serializers.CharField()


class CasualtyDecisionSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=150)
    authority = serializers.CharField(max_length=150)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
