"""Reporting API (Tieling §三.(二).2): rules (read by incident readers, written by the
bureau), the required reports with deadlines and 迟报 flags, ``submit`` (multipart, with
attachments) and ``receive``. Every write calls one service in ``command.reports``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from command import reports
from command.choices import IncidentLevel
from command.models import IncidentReport, IncidentType, ReportAttachment, ReportRule
from core.api.viewsets import ScopedViewSetMixin


class ReportReader(permissions.BasePermission):
    message = _("Your role may not read incident reports.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS or view.action in {"submit", "receive"}:
            return reports.can_read_reports(request.user)
        return reports.can_edit_rules(request.user)


# --- serializers -----------------------------------------------------------------------------


class ReportRuleSerializer(serializers.ModelSerializer):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", read_only=True)
    incident_types = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = ReportRule
        fields = [
            "id",
            "jurisdiction",
            "jurisdiction_code",
            "name",
            "incident_types",
            "min_level",
            "min_deaths",
            "min_injuries",
            "min_missing",
            "initial_minutes",
            "follow_up_minutes",
            "final_hours",
            "copy_to_bureau",
            "copy_to_fire_brigade",
            "active",
            "updated_at",
        ]
        read_only_fields = fields


class ReportRuleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    incident_types = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=IncidentType.objects.all(), required=False
    )
    min_level = serializers.ChoiceField(
        choices=IncidentLevel.choices, required=False, allow_blank=True
    )
    min_deaths = serializers.IntegerField(
        min_value=0, max_value=100000, required=False, allow_null=True
    )
    min_injuries = serializers.IntegerField(
        min_value=0, max_value=100000, required=False, allow_null=True
    )
    min_missing = serializers.IntegerField(
        min_value=0, max_value=100000, required=False, allow_null=True
    )
    initial_minutes = serializers.IntegerField(min_value=1, max_value=1440, required=False)
    follow_up_minutes = serializers.IntegerField(min_value=0, max_value=10080, required=False)
    final_hours = serializers.IntegerField(min_value=1, max_value=720, required=False)
    copy_to_bureau = serializers.BooleanField(required=False)
    copy_to_fire_brigade = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)


class ReportAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportAttachment
        fields = ["id", "name", "uploaded_at"]
        read_only_fields = fields


class IncidentReportSerializer(serializers.ModelSerializer):
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.__str__", read_only=True, default="")
    attachments = ReportAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = IncidentReport
        fields = [
            "id",
            "incident",
            "incident_title",
            "rule",
            "kind",
            "addressee",
            "sequence",
            "due_at",
            "status",
            "late",
            "title",
            "body",
            "submitted_at",
            "submitted_by",
            "received_at",
            "received_by",
            "attachments",
        ]
        read_only_fields = fields


class SubmitInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=150)
    body = serializers.CharField()
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=reports.MAX_ATTACHMENTS
    )


class ReceiveInputSerializer(serializers.Serializer):
    received_by = serializers.CharField(max_length=100)


def _parse(serializer_class, request: Request) -> dict[str, Any]:
    data = request.data
    if hasattr(data, "getlist") and serializer_class is SubmitInputSerializer:
        data = {
            "title": data.get("title"),
            "body": data.get("body"),
            "attachments": data.getlist("attachments"),
        }
        data = {k: v for k, v in data.items() if v is not None}
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- viewsets --------------------------------------------------------------------------------


class ReportRuleViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Rules of the user's jurisdiction and below; POST creates one in the user's own
    jurisdiction, PATCH changes it (deactivate with ``active: false``; never deleted)."""

    permission_classes = [permissions.IsAuthenticated, ReportReader]
    queryset = ReportRule.objects.select_related("jurisdiction").prefetch_related("incident_types")
    serializer_class = ReportRuleSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    filterset_fields = ("active",)
    ordering_fields = ("name", "updated_at")

    def _output(self, rule: ReportRule) -> dict[str, Any]:
        return ReportRuleSerializer(self.queryset.get(pk=rule.pk)).data

    def _save(self, request: Request, rule_id: int | None, partial: bool) -> ReportRule:
        serializer = ReportRuleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        types = data.pop("incident_types", None)
        if types is None:
            types = list(ReportRule.objects.get(pk=rule_id).incident_types.all()) if rule_id else []
        return reports.save_rule(
            actor=request.user, data=data, incident_types=types, rule_id=rule_id
        )

    @extend_schema(request=ReportRuleInputSerializer, responses={201: ReportRuleSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self._save(request, None, partial=False)
        return Response(self._output(rule), status=status.HTTP_201_CREATED)

    @extend_schema(request=ReportRuleInputSerializer, responses=ReportRuleSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self.get_object()
        rule = self._save(request, rule.pk, partial=True)
        return Response(self._output(rule))


class IncidentReportViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Required reports of the user's jurisdiction and below, by deadline."""

    permission_classes = [permissions.IsAuthenticated, ReportReader]
    queryset = IncidentReport.objects.select_related("incident", "submitted_by").prefetch_related(
        "attachments"
    )
    serializer_class = IncidentReportSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = {
        "incident": ["exact"],
        "status": ["exact"],
        "late": ["exact"],
        "kind": ["exact"],
        "addressee": ["exact"],
        "due_at": ["gte", "lte"],
    }
    ordering_fields = ("due_at", "submitted_at")

    def _output(self, report: IncidentReport) -> dict[str, Any]:
        return IncidentReportSerializer(self.queryset.get(pk=report.pk)).data

    @extend_schema(
        request={"multipart/form-data": SubmitInputSerializer},
        responses=IncidentReportSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        data = _parse(SubmitInputSerializer, request)
        report = reports.submit_report(
            actor=request.user,
            report_id=report.pk,
            title=data["title"],
            body=data["body"],
            attachments=data.get("attachments", []),
        )
        return Response(self._output(report))

    @extend_schema(request=ReceiveInputSerializer, responses=IncidentReportSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        data = _parse(ReceiveInputSerializer, request)
        report = reports.receive_report(
            actor=request.user, report_id=report.pk, received_by=data["received_by"]
        )
        return Response(self._output(report))


router = SimpleRouter()
router.register("report-rules", ReportRuleViewSet, basename="report-rule")
router.register("reports", IncidentReportViewSet, basename="incident-report")
urlpatterns = router.urls
