"""Drill API serializers: output serializers for reads, input serializers for writes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api import fields as bounded
from core.models import Organisation
from drills.choices import ComplianceStatus, DrillType, PlanKind, RuleScope
from drills.models import (
    AfterActionReport,
    AnnualDrillPlan,
    ContingencyPlan,
    Drill,
    DrillAttachment,
    FollowUpAction,
)
from forces.choices import DisasterType
from forces.models import Force


def _scoped(queryset, context: dict[str, Any]):
    request = context.get("request")
    return queryset.visible_to(request.user) if request is not None else queryset.none()


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id the user may see; anything else reads as "does not exist"."""

    def get_queryset(self):
        return _scoped(super().get_queryset(), self.context)


# --- output -----------------------------------------------------------------------------


class ContingencyPlanSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = ContingencyPlan
        fields = ["id", "organisation", "organisation_name", "name", "kind", "hazard", "is_active"]
        read_only_fields = fields


class AnnualDrillPlanSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = AnnualDrillPlan
        fields = ["id", "organisation", "organisation_name", "year", "notes", "created_at"]
        read_only_fields = fields


class FollowUpActionSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    # A problem of an incident's after-action report: the incident it was found in.
    incident = serializers.IntegerField(
        source="after_action.incident_id", read_only=True, default=None, allow_null=True
    )
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_closed = serializers.BooleanField(read_only=True)

    class Meta:
        model = FollowUpAction
        fields = [
            "id",
            "drill",
            "after_action",
            "incident",
            "problem",
            "action",
            "owner",
            "owner_name",
            "owner_person",
            "deadline",
            "is_closed",
            "closed_at",
            "closed_by",
            "closure_note",
        ]
        read_only_fields = fields


class DrillAttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DrillAttachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
        read_only_fields = fields


class DrillSerializer(serializers.ModelSerializer):
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    jurisdiction = serializers.CharField(source="organiser.jurisdiction.code", read_only=True)
    participating_forces = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    participating_organisations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    actions = FollowUpActionSerializer(many=True, read_only=True)
    attachments = DrillAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Drill
        fields = [
            "id",
            "title",
            "drill_type",
            "hazard",
            "scenario",
            "organiser",
            "organiser_name",
            "jurisdiction",
            "annual_plan",
            "contingency_plan",
            "planned_date",
            "location",
            "participating_forces",
            "participating_organisations",
            "multi_department_declared",
            "is_multi_department",
            "status",
            "conducted_on",
            "conduct_notes",
            "score",
            "improvements",
            "evaluated_at",
            "actions",
            "attachments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------


class DrillInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=150)
    drill_type = serializers.ChoiceField(choices=DrillType.choices)
    hazard = serializers.ChoiceField(choices=DisasterType.choices, required=False, allow_blank=True)
    scenario = serializers.CharField(required=False, allow_blank=True)
    organiser = ScopedPrimaryKeyField(queryset=Organisation.objects.all())
    annual_plan = ScopedPrimaryKeyField(
        queryset=AnnualDrillPlan.objects.all(), required=False, allow_null=True
    )
    contingency_plan = ScopedPrimaryKeyField(
        queryset=ContingencyPlan.objects.all(), required=False, allow_null=True
    )
    planned_date = serializers.DateField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    participating_forces = ScopedPrimaryKeyField(
        queryset=Force.objects.all(), many=True, required=False
    )
    participating_organisations = ScopedPrimaryKeyField(
        queryset=Organisation.objects.all(), many=True, required=False
    )
    multi_department_declared = serializers.BooleanField(required=False, default=False)


class ConductInputSerializer(serializers.Serializer):
    conducted_on = bounded.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ProblemInputSerializer(serializers.Serializer):
    problem = serializers.CharField()
    action = serializers.CharField(required=False, allow_blank=True, default="")
    owner = ScopedPrimaryKeyField(queryset=Organisation.objects.all())
    owner_person = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    deadline = bounded.DateField()


class EvaluateInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100)
    improvements = serializers.CharField(required=False, allow_blank=True, default="")
    problems = ProblemInputSerializer(many=True, required=False, default=list)


class CloseActionInputSerializer(serializers.Serializer):
    closure_note = serializers.CharField()


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class ContingencyPlanInputSerializer(serializers.Serializer):
    organisation = ScopedPrimaryKeyField(queryset=Organisation.objects.all())
    name = serializers.CharField(max_length=150)
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    hazard = serializers.ChoiceField(choices=DisasterType.choices, required=False, allow_blank=True)


class AnnualPlanInputSerializer(serializers.Serializer):
    organisation = ScopedPrimaryKeyField(queryset=Organisation.objects.all())
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ComplianceRowSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation.pk")
    organisation_name = serializers.CharField(source="organisation.name")
    jurisdiction = serializers.CharField(source="organisation.jurisdiction.code")
    risk_class = serializers.CharField(source="organisation.risk_class")
    rule = serializers.CharField(source="rule.code")
    rule_name = serializers.CharField(source="rule.name")
    scope = serializers.ChoiceField(source="rule.scope", choices=RuleScope.choices)
    period_months = serializers.IntegerField(source="rule.period_months")
    contingency_plan = serializers.IntegerField(source="plan.pk", allow_null=True, default=None)
    last_drill = serializers.IntegerField(source="last_drill_id", allow_null=True)
    last_drill_on = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=ComplianceStatus.choices)


class AfterActionReportSerializer(serializers.ModelSerializer):
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    submitted_by = serializers.StringRelatedField(read_only=True)
    reviewed_by = serializers.StringRelatedField(read_only=True)
    actions = FollowUpActionSerializer(many=True, read_only=True)

    class Meta:
        model = AfterActionReport
        fields = [
            "id",
            "incident",
            "incident_title",
            "organisation",
            "organisation_name",
            "summary",
            "what_worked",
            "what_failed",
            "suggestions",
            "status",
            "submitted_at",
            "submitted_by",
            "reviewed_at",
            "reviewed_by",
            "review_note",
            "actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AfterActionInputSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    what_worked = serializers.CharField(required=False, allow_blank=True, default="")
    what_failed = serializers.CharField(required=False, allow_blank=True, default="")
    suggestions = serializers.CharField(required=False, allow_blank=True, default="")
    problems = ProblemInputSerializer(many=True, required=False, allow_null=True, default=None)


class ReviewInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnInputSerializer(serializers.Serializer):
    reason = serializers.CharField()
