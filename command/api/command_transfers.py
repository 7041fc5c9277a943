"""Command hand-overs of an incident (Liaocheng §三.一.3):
GET/POST /api/v1/command/incidents/<id>/command-transfers/ — the steps in order, and a
new hand-over through ``command.command_transfers.transfer_command``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from command import command_transfers
from command.choices import CommandAuthority
from command.consultation_forms import area_q
from command.models import CommandTransfer, Incident
from core import visibility
from core.models import Organisation


class IncidentReader(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return visibility.can_read_incidents(request.user)


class CommandTransferSerializer(serializers.ModelSerializer):
    # Plain strings: the values are CommandAuthority's (the input names the enum once).
    from_authority = serializers.CharField(read_only=True)
    to_authority = serializers.CharField(read_only=True)
    from_authority_label = serializers.CharField(
        source="get_from_authority_display", read_only=True
    )
    to_authority_label = serializers.CharField(source="get_to_authority_display", read_only=True)
    to_organisation_name = serializers.CharField(
        source="to_organisation.name", read_only=True, default=""
    )
    recorded_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = CommandTransfer
        fields = [
            "id",
            "incident",
            "from_authority",
            "from_authority_label",
            "from_commander",
            "to_authority",
            "to_authority_label",
            "to_commander",
            "to_organisation",
            "to_organisation_name",
            "transferred_at",
            "recorded_by",
            "note",
        ]
        read_only_fields = fields


class AreaScopedPKField(serializers.PrimaryKeyRelatedField):
    """An organisation of the user's area (its jurisdiction, below, or above it); anything
    else reads as "does not exist"."""

    def get_queryset(self):  # type: ignore[no-untyped-def]
        queryset = super().get_queryset()
        user = getattr(self.context.get("request"), "user", None)
        if user is None or user.is_superuser:
            return queryset
        if user.jurisdiction is None:
            return queryset.none()
        return queryset.filter(area_q("jurisdiction", user.jurisdiction))


class CommandTransferInputSerializer(serializers.Serializer):
    to_authority = serializers.ChoiceField(choices=CommandAuthority.choices)
    to_commander = serializers.CharField(max_length=100)
    to_organisation = AreaScopedPKField(
        queryset=Organisation.objects.filter(is_active=True), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CommandTransferListView(GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, IncidentReader]
    serializer_class = CommandTransferSerializer
    queryset = CommandTransfer.objects.none()
    pagination_class = None

    def _incident(self, request: Request, incident_id: int) -> Incident:
        return get_object_or_404(
            Incident.objects.visible_to(request.user).select_related("jurisdiction"),
            pk=incident_id,
        )

    @extend_schema(responses=CommandTransferSerializer(many=True))
    def get(self, request: Request, incident_id: int) -> Response:
        incident = self._incident(request, incident_id)
        steps = command_transfers.transfers_of(incident)
        return Response(CommandTransferSerializer(steps, many=True).data)

    @extend_schema(
        request=CommandTransferInputSerializer, responses={201: CommandTransferSerializer}
    )
    def post(self, request: Request, incident_id: int) -> Response:
        incident = self._incident(request, incident_id)
        data = CommandTransferInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        transfer = command_transfers.transfer_command(
            actor=request.user, incident_id=incident.pk, **data.validated_data
        )
        return Response(CommandTransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(
        "incidents/<int:incident_id>/command-transfers/",
        CommandTransferListView.as_view(),
        name="incident-command-transfers",
    ),
]
