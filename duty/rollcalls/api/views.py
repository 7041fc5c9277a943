"""Roll calls in the REST API (/api/v1/duty/roll-calls/, /roll-call-targets/,
/roll-call-schedules/, /roll-call-report/). Writes call ``duty.rollcalls.services``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.viewsets import ScopedReadOnlyViewSet
from core.roles import Role
from duty.models import RollCall, RollCallSchedule, RollCallTarget
from duty.rollcalls import selectors, services
from duty.rollcalls.api.serializers import (
    AnswerSerializer,
    RollCallSerializer,
    ScheduleSerializer,
    StartSerializer,
    TargetSerializer,
)
from duty.rollcalls.permissions import can_read


class RollCallReader(permissions.BasePermission):
    message = _("Your role may not read roll calls.")

    def has_permission(self, request, view) -> bool:
        return can_read(request.user)


class RollCallViewSet(ScopedReadOnlyViewSet):
    """Roll calls of the user's jurisdiction and below. ``POST`` starts one by hand;
    ``POST …/close/`` closes it; ``GET …/targets/`` lists its forces and answers."""

    permission_classes = [permissions.IsAuthenticated, RollCallReader]
    queryset = RollCall.objects.select_related("jurisdiction")
    serializer_class = RollCallSerializer
    search_fields = ()
    filterset_fields = ["status", "jurisdiction", "schedule"]
    ordering_fields = ["started_at"]
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        page = getattr(self, "_page_ids", None)
        if page:
            context["progress"] = selectors.progress_by_roll_call(page)
        return context

    def paginate_queryset(self, queryset: QuerySet) -> list | None:
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._page_ids = [r.pk for r in page]
        return page

    @extend_schema(request=StartSerializer, responses={201: RollCallSerializer})
    def create(self, request: Request) -> Response:
        serializer = StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        roll_call = services.start_roll_call(actor=request.user, **serializer.validated_data)
        data = RollCallSerializer(roll_call, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RollCallSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        roll_call = self.get_object()
        roll_call = services.close_roll_call(actor=request.user, roll_call_id=roll_call.pk)
        return Response(RollCallSerializer(roll_call, context=self.get_serializer_context()).data)

    @extend_schema(responses=TargetSerializer(many=True))
    @action(detail=True, methods=["get"])
    def targets(self, request: Request, pk: str) -> Response:
        roll_call = self.get_object()
        page = self.paginate_queryset(selectors.targets_of(roll_call))
        return self.get_paginated_response(TargetSerializer(page, many=True).data)


class TargetViewSet(ScopedReadOnlyViewSet):
    """A force account's own targets (``?outcome=waiting`` for what it must answer);
    ``POST …/answer/`` answers. Readers see every target in their jurisdiction."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = RollCallTarget.objects.select_related("force", "department", "roll_call")
    serializer_class = TargetSerializer
    ordering_fields = ()
    search_fields = ()
    filterset_fields = ["outcome", "roll_call", "force"]

    def get_queryset(self) -> QuerySet[RollCallTarget]:
        user = self.request.user
        readable = self.queryset.none()
        if can_read(user):
            readable |= self.queryset.filter(roll_call__in=RollCall.objects.visible_to(user))
        if user.has_role(Role.FORCE_ACCOUNT) and user.organisation_id:
            readable |= self.queryset.filter(force__organisation_id=user.organisation_id)
        return readable.order_by("-roll_call__started_at", "force__name")

    @extend_schema(request=AnswerSerializer, responses=TargetSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        target = self.get_object()
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = services.answer_roll_call(
            actor=request.user, target_id=target.pk, **serializer.validated_data
        )
        return Response(TargetSerializer(done).data)


class ScheduleViewSet(ScopedReadOnlyViewSet):
    permission_classes = [permissions.IsAuthenticated, RollCallReader]
    queryset = RollCallSchedule.objects.select_related("jurisdiction")
    serializer_class = ScheduleSerializer
    filterset_fields = ()
    ordering_fields = ()
    search_fields = ()


class ReportView(APIView):
    """Answer rate and median answer time over closed roll calls started between
    ``start`` and ``end`` (local dates, inclusive; default: the last six months)."""

    permission_classes = [permissions.IsAuthenticated, RollCallReader]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", date, required=False),
            OpenApiParameter("end", date, required=False),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        from duty.rollcalls.forms import ReportForm

        start, end = ReportForm.default_range()
        form = ReportForm(
            {
                "start": request.query_params.get("start", start),
                "end": request.query_params.get("end", end),
            }
        )
        if not form.is_valid():
            return Response(
                {"code": "invalid", "detail": _("Invalid report range."), "errors": form.errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        report = selectors.answer_report(
            request.user, form.cleaned_data["start"], form.cleaned_data["end"]
        )

        def rows(items):
            # ReportRowSerializer's representation, written out: 5,000 forces through
            # the serializer's fields took longer than the report's query.
            return [
                {
                    "key": None if r.key is None else str(r.key),
                    "label": str(r.label),
                    "total": r.total,
                    "on_time": r.on_time,
                    "late": r.late,
                    "no_answer": r.no_answer,
                    "answer_rate": r.answer_rate,
                    "median_seconds": None if r.median_seconds is None else float(r.median_seconds),
                }
                for r in items
            ]

        return Response(
            {
                "start": report.start,
                "end": report.end,
                "generated_at": timezone.now(),
                "roll_calls": report.roll_calls,
                "overall": rows([report.overall])[0],
                "by_month": rows(report.by_month),
                "by_department": rows(report.by_department),
                "by_category": rows(report.by_category),
                "by_force": rows(report.by_force),
                "missed_in_a_row": [
                    {"force": s.force_id, "force_name": s.force_name, "misses": s.misses}
                    for s in report.streaks
                ],
            }
        )
