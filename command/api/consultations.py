"""会商研判 API: /api/v1/command/consultations/ list, retrieve, create (POST), change
(PATCH, while open), ``conclude`` (POST); the PDF is the page's. Reads through
``consultations_for``; writes call one function of ``command.consultations``. Experts'
phones are never in the answer (the record names them, the expert API masks phones)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from command import consultations
from command.api import command_transfers
from command.choices import IncidentLevel
from command.consultation_forms import area_q
from command.models import Consultation, Incident
from core.api import fields as bounded
from core.models import Jurisdiction, Organisation
from forces.models import Expert

LEVELS = IncidentLevel.choices


class ConsultationAccess(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return consultations.can_read_consultations(request.user)
        return consultations.can_record_consultations(request.user)


class ExpertBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Expert
        fields = ["id", "name", "title", "field", "employer"]
        read_only_fields = fields


class DepartmentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name"]
        read_only_fields = fields


class ConsultationSerializer(serializers.ModelSerializer):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", read_only=True)
    departments = DepartmentBriefSerializer(many=True, read_only=True)
    experts = ExpertBriefSerializer(many=True, read_only=True)
    recorded_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "jurisdiction",
            "jurisdiction_code",
            "incident",
            "warning",
            "topic",
            "held_at",
            "place",
            "chaired_by",
            "departments",
            "experts",
            "other_participants",
            "situation",
            "conclusions",
            "recommended_level",
            "status",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AreaScopedPKField(serializers.PrimaryKeyRelatedField):
    """A department or expert of the user's area (its jurisdiction, below, or above it);
    anything else reads as "does not exist". The service checks the meeting's area."""

    def get_queryset(self):  # type: ignore[no-untyped-def]
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or user.is_superuser:
            return queryset
        if user.jurisdiction is None:
            return queryset.none()
        return queryset.filter(area_q("jurisdiction", user.jurisdiction))


class OwnAreaJurisdictionField(serializers.SlugRelatedField):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        queryset = super().get_queryset()
        user = getattr(self.context.get("request"), "user", None)
        if user is None or user.is_superuser:
            return queryset
        if user.jurisdiction is None:
            return queryset.none()
        return queryset.filter(path__startswith=user.jurisdiction.path)


class _Fields(serializers.Serializer):
    place = serializers.CharField(max_length=100, required=False, allow_blank=True)
    chaired_by = serializers.CharField(max_length=100, required=False, allow_blank=True)
    departments = AreaScopedPKField(
        queryset=Organisation.objects.filter(is_active=True), many=True, required=False
    )
    experts = AreaScopedPKField(queryset=Expert.objects.all(), many=True, required=False)
    other_participants = serializers.CharField(required=False, allow_blank=True)
    situation = serializers.CharField(required=False, allow_blank=True)
    conclusions = serializers.CharField(required=False, allow_blank=True)
    recommended_level = serializers.ChoiceField(choices=LEVELS, required=False, allow_blank=True)


class ConsultationInputSerializer(_Fields):
    topic = serializers.CharField(max_length=150)
    held_at = bounded.DateTimeField()
    incident = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True
    )
    warning = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    jurisdiction = OwnAreaJurisdictionField(
        slug_field="code", queryset=Jurisdiction.objects.all(), required=False, allow_null=True
    )


class ConsultationPatchSerializer(_Fields):
    topic = serializers.CharField(max_length=150, required=False)
    held_at = bounded.DateTimeField(required=False)


class ConcludeInputSerializer(serializers.Serializer):
    conclusions = serializers.CharField()
    recommended_level = serializers.ChoiceField(
        choices=LEVELS, required=False, allow_blank=True, default=""
    )


class ConsultationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.IsAuthenticated, ConsultationAccess]
    serializer_class = ConsultationSerializer
    queryset = Consultation.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    filterset_fields = ["status", "incident", "recommended_level"]
    ordering_fields = ["held_at"]
    search_fields = ["topic"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return consultations.consultations_for(self.request.user)

    def _answer(self, consultation: Consultation, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=consultation.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(request=ConsultationInputSerializer, responses={201: ConsultationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ConsultationInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        incident = values.pop("incident", None)
        consultation = consultations.record_consultation(
            actor=request.user,
            incident_id=incident.pk if incident else None,
            warning_id=values.pop("warning", None),
            **values,
        )
        return self._answer(consultation, status.HTTP_201_CREATED)

    @extend_schema(request=ConsultationPatchSerializer, responses=ConsultationSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        consultation = self.get_object()
        data = ConsultationPatchSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        consultation = consultations.update_consultation(
            actor=request.user, consultation_id=consultation.pk, **data.validated_data
        )
        return self._answer(consultation)

    @extend_schema(request=ConcludeInputSerializer, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request: Request, pk: str | None = None) -> Response:
        consultation = self.get_object()
        data = ConcludeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = consultations.conclude_consultation(
            actor=request.user, consultation_id=consultation.pk, **data.validated_data
        )
        return self._answer(consultation)


router = SimpleRouter()
router.register("consultations", ConsultationViewSet, basename="consultation")

urlpatterns = [*router.urls, *command_transfers.urlpatterns]
