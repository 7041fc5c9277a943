"""Compensation API shapes: claims with their costs and attachments, and the inputs of
each service."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from command.models import Incident
from forces.models import Force
from support.choices import CostCategory, LiabilityBasis
from support.models import CompensationAttachment, CompensationClaim, CompensationCost, Requisition


class ClaimCostSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompensationCost
        fields = ["id", "category", "description", "amount"]
        read_only_fields = fields


class ClaimAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompensationAttachment
        fields = ["id", "name", "file", "uploaded_at"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    costs = ClaimCostSerializer(many=True, read_only=True)
    attachments = ClaimAttachmentSerializer(many=True, read_only=True)
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    reviewing_department_name = serializers.CharField(
        source="reviewing_department.name", read_only=True
    )

    class Meta:
        model = CompensationClaim
        fields = [
            "id",
            "number",
            "jurisdiction",
            "incident",
            "incident_title",
            "force",
            "requisition",
            "claimant_name",
            "reviewing_department",
            "reviewing_department_name",
            "basis",
            "liable_party",
            "summary",
            "status",
            "claimed_amount",
            "approved_amount",
            "created_at",
            "submitted_at",
            "reviewed_at",
            "review_opinion",
            "approved_at",
            "approval_reference",
            "paid_at",
            "payment_reference",
            "return_reason",
            "costs",
            "attachments",
            "updated_at",
        ]
        read_only_fields = fields


class ClaimCostInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=CostCategory.choices)
    description = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class ClaimFieldsSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(choices=LiabilityBasis.choices)
    liable_party = serializers.CharField(max_length=150, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=4000)
    bank_account_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=40, required=False, allow_blank=True)
    costs = ClaimCostInputSerializer(many=True, required=False, max_length=100)


class ClaimInputSerializer(ClaimFieldsSerializer):
    force = serializers.PrimaryKeyRelatedField(
        queryset=Force.objects.all(), required=False, allow_null=True
    )
    incident = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True
    )
    requisition = serializers.PrimaryKeyRelatedField(
        queryset=Requisition.objects.all(), required=False, allow_null=True
    )


class ClaimReviewInputSerializer(serializers.Serializer):
    opinion = serializers.CharField(max_length=4000)


class ClaimApproveInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    approval_reference = serializers.CharField(max_length=60)


class ClaimPaymentInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=60)


class ClaimReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class ClaimAttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
