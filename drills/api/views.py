"""Drill API (SPEC §6, §8). Lists are scoped once, through ``visible_to``; writes and
transitions parse an input serializer, call one ``drills.services`` function and answer
with the output serializer: 403 wrong role, 404 outside the jurisdiction, 409 with a
``code`` for a refused transition, 400 with field errors for bad input."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from core.api.parsers import JSONParser
from core.api.viewsets import RegistryReader, ScopedReadOnlyViewSet
from core.models import Jurisdiction
from drills import after_action, selectors, services
from drills import permissions as dr_permissions
from drills.api import serializers as s
from drills.choices import ComplianceStatus
from drills.models import (
    AfterActionReport,
    AnnualDrillPlan,
    ContingencyPlan,
    Drill,
    DrillAttachment,
    FollowUpAction,
)


def _parse(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class DrillViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Drills: list, retrieve, plan (POST), and the transitions conduct and evaluate."""

    queryset = Drill.objects.select_related(
        "organiser__jurisdiction", "contingency_plan", "annual_plan"
    ).prefetch_related(
        "participating_forces",
        "participating_organisations",
        Prefetch("actions", queryset=FollowUpAction.objects.select_related("owner", "closed_by")),
        Prefetch("attachments", queryset=DrillAttachment.objects.select_related("uploaded_by")),
    )
    serializer_class = s.DrillSerializer
    filterset_fields = ["status", "drill_type", "organiser", "annual_plan", "contingency_plan"]
    search_fields = ["title", "organiser__name"]
    ordering_fields = ["planned_date", "conducted_on", "updated_at"]
    lookup_value_regex = r"\d+"

    def _answer(self, drill: Drill, code: int = status.HTTP_200_OK) -> Response:
        drill = self.get_queryset().get(pk=drill.pk)
        return Response(self.get_serializer(drill).data, status=code)

    @extend_schema(request=s.DrillInputSerializer, responses={201: s.DrillSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _parse(s.DrillInputSerializer, request)
        organiser = data.pop("organiser")
        forces = data.pop("participating_forces", [])
        organisations = data.pop("participating_organisations", [])
        drill = services.create_drill(
            actor=request.user,
            organiser=organiser,
            data=data,
            forces=forces,
            organisations=organisations,
        )
        return self._answer(drill, status.HTTP_201_CREATED)

    @extend_schema(request=s.ConductInputSerializer, responses=s.DrillSerializer)
    @action(detail=True, methods=["post"])
    def conduct(self, request: Request, pk: str | None = None) -> Response:
        drill = self.get_object()
        data = _parse(s.ConductInputSerializer, request)
        drill = services.conduct_drill(
            actor=request.user,
            drill_id=drill.pk,
            conducted_on=data["conducted_on"],
            notes=data["notes"],
        )
        return self._answer(drill)

    @extend_schema(request=s.EvaluateInputSerializer, responses=s.DrillSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request: Request, pk: str | None = None) -> Response:
        drill = self.get_object()
        data = _parse(s.EvaluateInputSerializer, request)
        problems = [services.ProblemInput(**row) for row in data["problems"]]
        drill = services.evaluate_drill(
            actor=request.user,
            drill_id=drill.pk,
            score=data["score"],
            improvements=data["improvements"],
            problems=problems,
        )
        return self._answer(drill)

    @extend_schema(
        request={"multipart/form-data": s.AttachmentInputSerializer},
        responses={201: s.DrillAttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        url_path="attachments",
    )
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        drill = self.get_object()
        data = _parse(s.AttachmentInputSerializer, request)
        attachment = services.add_drill_attachment(
            actor=request.user, drill_id=drill.pk, upload=data["file"]
        )
        return Response(
            s.DrillAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED
        )


class FollowUpActionViewSet(ScopedReadOnlyViewSet):
    """Problems found in drills and in incidents' after-action reports."""

    queryset = FollowUpAction.objects.select_related("owner", "closed_by", "after_action")
    serializer_class = s.FollowUpActionSerializer
    search_fields = ()
    filterset_fields = ["drill", "after_action", "owner"]
    ordering_fields = ["deadline"]
    lookup_value_regex = r"\d+"

    @extend_schema(request=s.CloseActionInputSerializer, responses=s.FollowUpActionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = _parse(s.CloseActionInputSerializer, request)
        item = services.close_follow_up_action(
            actor=request.user, action_id=item.pk, note=data["closure_note"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)


class ContingencyPlanViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = ContingencyPlan.objects.select_related("organisation")
    serializer_class = s.ContingencyPlanSerializer
    ordering_fields = ("name",)
    filterset_fields = ["organisation", "kind", "hazard", "is_active"]
    search_fields = ["name"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=s.ContingencyPlanInputSerializer, responses={201: s.ContingencyPlanSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = services.create_contingency_plan(
            actor=request.user, **_parse(s.ContingencyPlanInputSerializer, request)
        )
        return Response(self.get_serializer(plan).data, status=status.HTTP_201_CREATED)


class AnnualDrillPlanViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = AnnualDrillPlan.objects.select_related("organisation")
    serializer_class = s.AnnualDrillPlanSerializer
    ordering_fields = ("year",)
    search_fields = ()
    filterset_fields = ["organisation", "year"]

    @extend_schema(
        request=s.AnnualPlanInputSerializer, responses={201: s.AnnualDrillPlanSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = services.create_annual_plan(
            actor=request.user, **_parse(s.AnnualPlanInputSerializer, request)
        )
        return Response(self.get_serializer(plan).data, status=status.HTTP_201_CREATED)


class ComplianceViewSet(viewsets.ViewSet):
    """Who is due or overdue under the drill frequency rules, in the user's jurisdiction.
    ``?status=overdue|due|ok`` (repeatable); ``?jurisdiction=<code>`` narrows the subtree."""

    permission_classes = [IsAuthenticated, RegistryReader]
    serializer_class = s.ComplianceRowSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=ComplianceStatus.values, many=True),
            OpenApiParameter("jurisdiction", OpenApiTypes.STR),
        ],
        responses=s.ComplianceRowSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        wanted = {v for v in request.query_params.getlist("status") if v}
        unknown = wanted - set(ComplianceStatus.values)
        if unknown:
            return Response(
                {
                    "code": "invalid",
                    "detail": _("Unknown status."),
                    "errors": {"status": [_("Unknown status.")]},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        path = ""
        code = request.query_params.get("jurisdiction")
        if code:
            j = Jurisdiction.objects.filter(code=code).first()
            if j is None or not (
                request.user.is_superuser
                or (request.user.jurisdiction and request.user.jurisdiction.contains(j))
            ):
                return Response(
                    {"code": "not_found", "detail": _("No such jurisdiction in yours.")},
                    status=status.HTTP_404_NOT_FOUND,
                )
            path = j.path
        rows = selectors.compliance(
            request.user,
            today=timezone.localdate(),
            statuses=wanted or None,
            jurisdiction_path=path,
        )
        return Response(s.ComplianceRowSerializer(rows, many=True).data)


class AfterActionAccess(permissions.BasePermission):
    """The centre without the hall screen reads; the services decide who writes what."""

    def has_permission(self, request, view) -> bool:
        return dr_permissions.can_read_after_actions(request.user)


class AfterActionReportViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """After-action reports (总结): list, retrieve, save (POST: create or rework the draft
    of an incident), ``submit``, ``accept``, ``return``."""

    permission_classes = [IsAuthenticated, AfterActionAccess]
    queryset = AfterActionReport.objects.select_related(
        "incident", "organisation", "submitted_by", "reviewed_by"
    ).prefetch_related(
        Prefetch("actions", queryset=FollowUpAction.objects.select_related("owner", "closed_by"))
    )
    serializer_class = s.AfterActionReportSerializer
    filterset_fields = ["status", "incident", "organisation"]
    ordering_fields = ["created_at", "submitted_at"]
    search_fields = ()
    lookup_value_regex = r"\d+"

    def _answer(self, report: AfterActionReport, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            self.get_serializer(self.get_queryset().get(pk=report.pk)).data, status=code
        )

    @extend_schema(
        request=s.AfterActionInputSerializer,
        responses={201: s.AfterActionReportSerializer, 200: s.AfterActionReportSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _parse(s.AfterActionInputSerializer, request)
        problems = data.pop("problems")
        existed = AfterActionReport.objects.filter(incident_id=data["incident"]).exists()
        report = after_action.save_after_action(
            actor=request.user,
            incident_id=data.pop("incident"),
            problems=None if problems is None else [services.ProblemInput(**p) for p in problems],
            **data,
        )
        return self._answer(report, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.AfterActionReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        return self._answer(
            after_action.submit_after_action(actor=request.user, report_id=report.pk)
        )

    @extend_schema(request=s.ReviewInputSerializer, responses=s.AfterActionReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        data = _parse(s.ReviewInputSerializer, request)
        return self._answer(
            after_action.accept_after_action(
                actor=request.user, report_id=report.pk, note=data["note"]
            )
        )

    @extend_schema(request=s.ReturnInputSerializer, responses=s.AfterActionReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        data = _parse(s.ReturnInputSerializer, request)
        return self._answer(
            after_action.return_after_action(
                actor=request.user, report_id=report.pk, reason=data["reason"]
            )
        )
