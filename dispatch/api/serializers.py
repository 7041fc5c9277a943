"""Dispatch-chain serializers (SPEC §4). Output serializers carry the names people read
(force, incident, status labels); input serializers only parse — every rule is in
``dispatch.services``, which answers with field errors of its own."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api import fields as bounded
from core.api.serializers import RowSerializerMixin
from core.masking import mask_phone
from core.models import Jurisdiction
from core.permissions import can_see_personal_data
from dispatch.choices import SpecialPeriodKind
from dispatch.models import (
    CallOutOrder,
    CallOutPlan,
    Consent,
    DispatchAlert,
    Notice,
    PlanLine,
    ReinforcementRequest,
    SpecialPeriod,
)
from forces.models import Force

# --- output ------------------------------------------------------------------------------


class PlanLineSerializer(serializers.ModelSerializer):
    force_name = serializers.CharField(source="force.name", read_only=True)
    organisation_name = serializers.CharField(source="force.organisation.name", read_only=True)
    linkage_tier = serializers.IntegerField(source="force.linkage_tier", read_only=True)

    class Meta:
        model = PlanLine
        fields = [
            "id",
            "force",
            "force_name",
            "organisation_name",
            "linkage_tier",
            "task",
            "people",
            "equipment",
            "already_deployed",
        ]
        read_only_fields = fields


class ConsentSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    given_by_name = serializers.StringRelatedField(source="given_by")

    class Meta:
        model = Consent
        fields = [
            "id",
            "plan",
            "organisation",
            "organisation_name",
            "given_by_name",
            "consulted_person",
            "consulted_at",
            "note",
            "recorded_at",
        ]
        read_only_fields = fields


class OrderSummarySerializer(serializers.ModelSerializer):
    force_name = serializers.CharField(source="force.name", read_only=True)
    status_label = bounded.ChoiceLabelField(source="status")

    class Meta:
        model = CallOutOrder
        fields = ["id", "number", "force", "force_name", "status", "status_label", "issued_at"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    status_label = bounded.ChoiceLabelField(source="status")
    drafted_by_name = serializers.StringRelatedField(source="drafted_by")
    decided_by_name = serializers.StringRelatedField(source="decided_by")
    lines = PlanLineSerializer(many=True, read_only=True)
    consents = ConsentSerializer(many=True, read_only=True)
    orders = OrderSummarySerializer(many=True, read_only=True)

    class Meta:
        model = CallOutPlan
        fields = [
            "id",
            "incident",
            "incident_title",
            "jurisdiction",
            "jurisdiction_name",
            "reinforcement",
            "task",
            "reason",
            "status",
            "status_label",
            "in_special_period",
            "drafted_by_name",
            "drafted_at",
            "submitted_at",
            "decided_by_name",
            "decided_at",
            "rejection_reason",
            "lines",
            "consents",
            "orders",
            "updated_at",
        ]
        read_only_fields = fields


class OrderSerializer(RowSerializerMixin, serializers.ModelSerializer):
    incident = serializers.IntegerField(source="plan.incident_id", read_only=True)
    incident_title = serializers.CharField(source="plan.incident.title", read_only=True)
    force_name = serializers.CharField(source="force.name", read_only=True)
    organisation_name = serializers.CharField(source="force.organisation.name", read_only=True)
    linkage_tier = serializers.IntegerField(source="force.linkage_tier", read_only=True)
    status_label = bounded.ChoiceLabelField(source="status")
    last_step_by_name = serializers.StringRelatedField(source="last_step_by")

    class Meta:
        model = CallOutOrder
        fields = [
            "id",
            "number",
            "plan",
            "incident",
            "incident_title",
            "force",
            "force_name",
            "organisation_name",
            "linkage_tier",
            "task",
            "people",
            "equipment",
            "status",
            "status_label",
            "issued_at",
            "delivered_at",
            "ack_deadline",
            "arrival_deadline",
            "result_deadline",
            "acknowledged_at",
            "departed_at",
            "arrived_at",
            "completed_at",
            "reported_at",
            "result",
            "people_rescued",
            "last_step_by_name",
            "last_step_on_behalf",
            "acknowledged_via",
            "acknowledged_label",
            "updated_at",
        ]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    force = serializers.IntegerField(source="order.force_id", read_only=True)
    force_name = serializers.CharField(source="order.force.name", read_only=True)
    incident = serializers.IntegerField(source="order.plan.incident_id", read_only=True)
    incident_title = serializers.CharField(source="order.plan.incident.title", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status_label = bounded.ChoiceLabelField(source="status")

    class Meta:
        model = Notice
        fields = [
            "id",
            "order",
            "order_number",
            "force",
            "force_name",
            "incident",
            "incident_title",
            "organisation",
            "organisation_name",
            "status",
            "status_label",
            "recorded_at",
            "delivered_at",
            "attempts",
            "read_at",
            "read_via",
            "read_label",
            "updated_at",
        ]
        read_only_fields = fields


class ReinforcementSerializer(serializers.ModelSerializer):
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    requesting_jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    requesting_jurisdiction_name = serializers.CharField(
        source="requesting_jurisdiction.name", read_only=True
    )
    upper_jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    upper_jurisdiction_name = serializers.CharField(
        source="upper_jurisdiction.name", read_only=True
    )
    status_label = bounded.ChoiceLabelField(source="status")
    requested_by_name = serializers.StringRelatedField(source="requested_by")
    decided_by_name = serializers.StringRelatedField(source="decided_by")

    class Meta:
        model = ReinforcementRequest
        fields = [
            "id",
            "incident",
            "incident_title",
            "requesting_jurisdiction",
            "requesting_jurisdiction_name",
            "upper_jurisdiction",
            "upper_jurisdiction_name",
            "needs",
            "reason",
            "status",
            "status_label",
            "requested_by_name",
            "requested_at",
            "decided_by_name",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class SpecialPeriodSerializer(serializers.ModelSerializer):
    kind_label = bounded.ChoiceLabelField(source="kind")
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    declared_by_name = serializers.StringRelatedField(source="declared_by", allow_null=True)

    class Meta:
        model = SpecialPeriod
        fields = [
            "id",
            "kind",
            "kind_label",
            "name",
            "jurisdiction",
            "jurisdiction_name",
            "starts_on",
            "ends_on",
            "recurs_yearly",
            "declared_by_name",
        ]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    kind_label = bounded.ChoiceLabelField(source="kind")
    order_number = serializers.CharField(source="order.number", read_only=True)
    force_name = serializers.CharField(source="order.force.name", read_only=True)
    incident = serializers.IntegerField(source="order.plan.incident_id", read_only=True)
    incident_title = serializers.CharField(source="order.plan.incident.title", read_only=True)

    class Meta:
        model = DispatchAlert
        fields = [
            "id",
            "order",
            "order_number",
            "force_name",
            "incident",
            "incident_title",
            "kind",
            "kind_label",
            "deadline",
            "raised_at",
            "resolved_at",
        ]
        read_only_fields = fields


# --- input -------------------------------------------------------------------------------


class PlanLineInputSerializer(serializers.Serializer):
    force = serializers.PrimaryKeyRelatedField(queryset=Force.objects.all())
    task = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    people = bounded.CountField(required=False, default=0)
    equipment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PlanInputSerializer(serializers.Serializer):
    """Draft (``incident``, optional ``reinforcement``) or, partially, edit a plan."""

    incident = serializers.IntegerField(min_value=1)
    reinforcement = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    task = serializers.CharField()
    reason = serializers.CharField()
    lines = PlanLineInputSerializer(many=True, allow_empty=False)
    allow_deployed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirm forces already out on an open order; without it such a plan is "
        "refused with 400 `force_deployed` naming them.",
    )


class PlanUpdateSerializer(serializers.Serializer):
    task = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)
    lines = PlanLineInputSerializer(many=True, allow_empty=False, required=False)
    allow_deployed = serializers.BooleanField(required=False, default=False)


class ReasonSerializer(serializers.Serializer):
    """A decision's reason; the service says when one is required (``reason_required``)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ConsentInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1)
    consulted_person = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    consulted_at = bounded.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ResultInputSerializer(serializers.Serializer):
    result = serializers.CharField(required=False, allow_blank=True, default="")
    people_rescued = bounded.CountField(required=False, allow_null=True, default=None)


class ReinforcementInputSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1)
    needs = serializers.CharField()
    reason = serializers.CharField()


class SpecialPeriodInputSerializer(serializers.Serializer):
    """Declare a flood season or a sensitive period for the bureau's own jurisdiction."""

    kind = serializers.ChoiceField(choices=SpecialPeriodKind.choices)
    name = serializers.CharField(max_length=100)
    starts_on = bounded.DateField()
    ends_on = bounded.DateField()


# --- force suggestions -------------------------------------------------------------------


class SuggestionQuerySerializer(serializers.Serializer):
    """``GET /api/v1/dispatch/suggestions/``: the plan page's ranking for an incident."""

    incident = serializers.IntegerField(min_value=1, max_value=bounded.MAX_INT)
    level = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Jurisdiction.objects.all(),
        required=False,
        help_text="Jurisdiction code of the drafting level; default the user's own.",
    )
    reinforcement = serializers.IntegerField(
        min_value=1,
        max_value=bounded.MAX_INT,
        required=False,
        help_text="A reinforcement request of the incident: its upper level, without the "
        "requesting jurisdiction.",
    )
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=20)


class SuggestionSerializer(serializers.Serializer):
    """One ranked force with the reasons the plan page shows. The leader's phone is
    masked unless the viewer may see the organisation's personal data."""

    rank = serializers.IntegerField(min_value=1)
    force = serializers.IntegerField(source="force.pk")
    force_name = serializers.CharField(source="force.name")
    organisation = serializers.IntegerField(source="force.organisation_id")
    organisation_name = serializers.CharField(source="force.organisation.name")
    jurisdiction = serializers.CharField(source="force.jurisdiction.code")
    jurisdiction_name = serializers.CharField(source="force.jurisdiction.name")
    headcount = serializers.IntegerField(source="force.headcount")
    leader_name = serializers.CharField(source="force.leader_name")
    leader_phone = serializers.CharField(source="force.leader_phone")
    duty_phone = serializers.CharField(source="force.duty_phone")
    linkage_tier = serializers.IntegerField(source="tier", min_value=1, max_value=3)
    formation_match = serializers.ChoiceField(
        choices=[("core", "core"), ("support", "support")], allow_null=True
    )
    matched_specialties = serializers.ListField(child=serializers.CharField())
    distance_km = serializers.FloatField(allow_null=True)
    eta_minutes = serializers.IntegerField(allow_null=True)
    deadline_minutes = serializers.IntegerField(allow_null=True)
    meets_deadline = serializers.BooleanField(allow_null=True)
    score = serializers.FloatField(help_text="The ranking score (higher first); see eta_model.")
    reasons = serializers.ListField(child=serializers.CharField())

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if data["leader_phone"] and not can_see_personal_data(user, instance.force.organisation_id):
            data["leader_phone"] = mask_phone(data["leader_phone"])
        return data


class SuggestionsSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    level = serializers.CharField()
    level_name = serializers.CharField()
    reinforcement = serializers.IntegerField(allow_null=True)
    located = serializers.BooleanField(
        help_text="False when the incident has an address but no coordinates: ranked "
        "without distance."
    )
    eta_model = serializers.CharField(help_text="How arrival is estimated and forces ranked.")
    suggestions = SuggestionSerializer(many=True)
