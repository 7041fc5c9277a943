"""Dispatch-chain API (SPEC §4). Lists are scoped once, through ``visible_to``; every
transition is a POST action that parses an input serializer, calls one
``dispatch.services`` function and answers with the output serializer. The services
decide role, jurisdiction and transition, so the API, the pages and the tasks refuse the
same things: 403 wrong role, 404 outside the jurisdiction, 409 with a ``code`` for a
refused transition, 400 with field errors for bad input."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from core.exceptions import InvalidTransition
from dispatch import permissions as dispatch_permissions
from dispatch import selectors, services
from dispatch.api import serializers as s
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


class DispatchAccess(permissions.BasePermission):
    """Reads as ``dispatch.permissions`` says, the same predicate the pages and the live
    feed ask. Writes reach the service, which decides: the department consenting to a
    plan or the force stepping its order is not a reader."""

    message = _("Your role may not read the dispatch chain.")

    def reads(self, user: Any) -> bool:
        return dispatch_permissions.can_read_dispatch(user)

    def has_permission(self, request, view) -> bool:
        if request.method not in permissions.SAFE_METHODS:
            return True
        return self.reads(request.user)


class PlanAccess(DispatchAccess):
    def reads(self, user: Any) -> bool:
        return dispatch_permissions.may_list_plans(user)


class OrderAccess(DispatchAccess):
    def reads(self, user: Any) -> bool:
        return dispatch_permissions.may_list_orders(user)


class NoticeAccess(DispatchAccess):
    def reads(self, user: Any) -> bool:
        return dispatch_permissions.may_list_notices(user)


def _parse(serializer_class: type[Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _lines(rows: list[dict[str, Any]]) -> list[services.LineInput]:
    return [
        services.LineInput(
            force_id=row["force"].pk,
            task=row.get("task", ""),
            people=row.get("people", 0),
            equipment=row.get("equipment", ""),
        )
        for row in rows
    ]


# --- plans -------------------------------------------------------------------------------


class PlanViewSet(ScopedModelViewSet):
    """Call-out plans (调用方案): draft, edit, submit, approve, reject, consent. Readers
    see their jurisdiction's plans; a department sees the plans whose forces it answers
    for, wherever they were drafted, since it may have to consent (Liaocheng §三.一.2)."""

    permission_classes = [permissions.IsAuthenticated, PlanAccess]
    queryset = CallOutPlan.objects.select_related(
        "incident", "jurisdiction", "drafted_by", "decided_by"
    ).prefetch_related(
        Prefetch("lines", queryset=PlanLine.objects.select_related("force__organisation")),
        Prefetch("consents", queryset=Consent.objects.select_related("organisation", "given_by")),
        Prefetch("orders", queryset=CallOutOrder.objects.select_related("force")),
    )
    serializer_class = s.PlanSerializer
    search_fields = ()
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    filterset_fields = ["status", "incident", "reinforcement", "in_special_period"]
    ordering_fields = ["drafted_at", "submitted_at", "decided_at", "updated_at"]

    def get_queryset(self) -> QuerySet[CallOutPlan]:
        user = self.request.user
        readable = self.queryset.none()
        if dispatch_permissions.can_read_dispatch(user):
            readable |= self.queryset.visible_to(user)
        if dispatch_permissions.can_read_department_plans(user):
            org = user.organisation_id
            answered_for = PlanLine.objects.filter(
                Q(force__industry_authority_id=org)
                | Q(force__industry_authority__isnull=True, force__organisation_id=org)
            ).values("plan_id")
            readable |= self.queryset.filter(pk__in=answered_for)
        return readable

    def _output(self, plan_id: int, *, code: int = status.HTTP_200_OK) -> Response:
        plan = self.queryset.get(pk=plan_id)
        return Response(s.PlanSerializer(plan, context=self.get_serializer_context()).data, code)

    @extend_schema(request=s.PlanInputSerializer, responses={201: s.PlanSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _parse(s.PlanInputSerializer, request)
        plan = services.draft_plan(
            actor=request.user,
            incident_id=data["incident"],
            task=data["task"],
            reason=data["reason"],
            lines=_lines(data["lines"]),
            reinforcement_id=data.get("reinforcement"),
            allow_deployed=data["allow_deployed"],
        )
        return self._output(plan.pk, code=status.HTTP_201_CREATED)

    @extend_schema(request=s.PlanUpdateSerializer, responses=s.PlanSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        data = _parse(s.PlanUpdateSerializer, request)
        if "lines" in data:
            lines = _lines(data["lines"])
        else:
            lines = [
                services.LineInput(
                    force_id=line.force_id,
                    task=line.task,
                    people=line.people,
                    equipment=line.equipment,
                )
                for line in plan.lines.all()
            ]
        services.update_plan(
            actor=request.user,
            plan_id=plan.pk,
            task=data.get("task", plan.task),
            reason=data.get("reason", plan.reason),
            lines=lines,
            allow_deployed=data["allow_deployed"],
        )
        return self._output(plan.pk)

    @extend_schema(request=None, responses=s.PlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        services.submit_plan(actor=request.user, plan_id=int(pk))
        return self._output(int(pk))

    @extend_schema(request=None, responses=s.PlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve: the answer is the plan with the orders just issued."""
        services.approve_plan(actor=request.user, plan_id=int(pk))
        return self._output(int(pk))

    @extend_schema(request=s.ReasonSerializer, responses=s.PlanSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = _parse(s.ReasonSerializer, request)
        services.reject_plan(actor=request.user, plan_id=int(pk), reason=data["reason"])
        return self._output(int(pk))

    @extend_schema(request=s.ConsentInputSerializer, responses={201: s.ConsentSerializer})
    @action(detail=True, methods=["post"])
    def consent(self, request: Request, pk: str) -> Response:
        """The industry department's consent, given by the department or recorded by the
        approver. The department may sit outside the plan's jurisdiction (a
        reinforcement), so the service, not the scoped queryset, decides on 404."""
        data = _parse(s.ConsentInputSerializer, request)
        consent = services.record_consent(
            actor=request.user,
            plan_id=int(pk),
            organisation_id=data["organisation"],
            consulted_person=data["consulted_person"],
            consulted_at=data["consulted_at"],
            note=data["note"],
        )
        consent = Consent.objects.select_related("organisation", "given_by").get(pk=consent.pk)
        return Response(s.ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


# --- orders ------------------------------------------------------------------------------


class OrderViewSet(ScopedReadOnlyViewSet):
    """Orders (出动指令): readers see their jurisdiction's; a force account sees its own
    force's orders wherever they were issued (a reinforcement plan of the upper level)."""

    permission_classes = [permissions.IsAuthenticated, OrderAccess]
    queryset = CallOutOrder.objects.select_related(
        "plan__incident", "force__organisation", "last_step_by"
    )
    serializer_class = s.OrderSerializer
    search_fields = ()
    lookup_value_regex = r"\d+"
    filterset_fields = ["status", "plan", "force", "plan__incident"]
    ordering_fields = ["issued_at", "status", "updated_at"]

    def get_queryset(self) -> QuerySet[CallOutOrder]:
        user = self.request.user
        readable = self.queryset.none()
        if dispatch_permissions.can_read_dispatch(user):
            readable |= self.queryset.visible_to(user)
        if dispatch_permissions.can_read_own_orders(user):
            readable |= self.queryset.filter(force__organisation_id=user.organisation_id)
        return readable

    def _step(self, request: Request, pk: str, step: str, **kwargs: Any) -> Response:
        services.advance_order(actor=request.user, order_id=int(pk), action=step, **kwargs)
        order = self.queryset.get(pk=int(pk))
        return Response(s.OrderSerializer(order, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=s.OrderSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        return self._step(request, pk, "acknowledge")

    @extend_schema(request=None, responses=s.OrderSerializer)
    @action(detail=True, methods=["post"])
    def depart(self, request: Request, pk: str) -> Response:
        return self._step(request, pk, "depart")

    @extend_schema(request=None, responses=s.OrderSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request: Request, pk: str) -> Response:
        return self._step(request, pk, "arrive")

    @extend_schema(request=None, responses=s.OrderSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        return self._step(request, pk, "complete")

    @extend_schema(request=s.ResultInputSerializer, responses=s.OrderSerializer)
    @action(detail=True, methods=["post"])
    def result(self, request: Request, pk: str) -> Response:
        data = _parse(s.ResultInputSerializer, request)
        return self._step(
            request, pk, "result", result=data["result"], people_rescued=data["people_rescued"]
        )


# --- notices, reinforcement, periods, alerts ---------------------------------------------


class NoticeViewSet(ScopedReadOnlyViewSet):
    """Notices for the record (报备): readers see their jurisdiction's; a department sees
    the notices addressed to it."""

    permission_classes = [permissions.IsAuthenticated, NoticeAccess]
    queryset = Notice.objects.select_related(
        "organisation", "order__force", "order__plan__incident"
    )
    serializer_class = s.NoticeSerializer
    search_fields = ()
    lookup_value_regex = r"\d+"
    filterset_fields = ["status", "organisation"]
    ordering_fields = ["recorded_at", "delivered_at", "updated_at"]

    def get_queryset(self) -> QuerySet[Notice]:
        user = self.request.user
        readable = self.queryset.none()
        if dispatch_permissions.can_read_dispatch(user):
            readable |= self.queryset.visible_to(user)
        if dispatch_permissions.can_read_department_plans(user):
            readable |= self.queryset.filter(organisation_id=user.organisation_id)
        return readable

    @extend_schema(request=None, responses=s.NoticeSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        """The department signs for its notice (签收), as on the notice page. Idempotent:
        a notice already read answers 200 with its first reading, and records nothing."""
        try:
            services.read_notice(actor=request.user, notice_id=int(pk))
        except InvalidTransition as exc:
            # Raised only after the reader was authorised for this notice.
            if exc.code != "already_read":
                raise
        notice = Notice.objects.select_related(
            "organisation", "order__force", "order__plan__incident"
        ).get(pk=int(pk))
        return Response(s.NoticeSerializer(notice, context=self.get_serializer_context()).data)


class ReinforcementViewSet(ScopedModelViewSet):
    """Cross-region reinforcement (跨区域增援): request, then the upper level decides."""

    permission_classes = [permissions.IsAuthenticated, DispatchAccess]
    queryset = ReinforcementRequest.objects.select_related(
        "incident",
        "requesting_jurisdiction",
        "upper_jurisdiction",
        "requested_by",
        "decided_by",
    )
    serializer_class = s.ReinforcementSerializer
    search_fields = ()
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d+"
    filterset_fields = ["status", "incident"]
    ordering_fields = ["requested_at", "decided_at"]

    def _output(self, request_id: int, *, code: int = status.HTTP_200_OK) -> Response:
        row = self.queryset.get(pk=request_id)
        return Response(s.ReinforcementSerializer(row).data, code)

    @extend_schema(
        request=s.ReinforcementInputSerializer, responses={201: s.ReinforcementSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _parse(s.ReinforcementInputSerializer, request)
        row = services.request_reinforcement(
            actor=request.user,
            incident_id=data["incident"],
            needs=data["needs"],
            reason=data["reason"],
        )
        return self._output(row.pk, code=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ReinforcementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        services.decide_reinforcement(actor=request.user, request_id=int(pk), approve=True)
        return self._output(int(pk))

    @extend_schema(request=s.ReasonSerializer, responses=s.ReinforcementSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = _parse(s.ReasonSerializer, request)
        services.decide_reinforcement(
            actor=request.user, request_id=int(pk), approve=False, reason=data["reason"]
        )
        return self._output(int(pk))


class SpecialPeriodViewSet(ScopedModelViewSet):
    """Flood seasons and sensitive periods that apply here: those declared for the
    user's jurisdiction or above (they cover it) and below. The emergency bureau of a
    level (approvers, duty officers) declares them (POST) and ends them (``end``)."""

    permission_classes = [permissions.IsAuthenticated, DispatchAccess]
    queryset = SpecialPeriod.objects.select_related("jurisdiction", "declared_by")
    serializer_class = s.SpecialPeriodSerializer
    # The list is ordered by the model's Meta (newest first).
    ordering_fields = ()
    search_fields = ()
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d+"
    filterset_fields = ["kind", "recurs_yearly"]

    @extend_schema(
        request=s.SpecialPeriodInputSerializer, responses={201: s.SpecialPeriodSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _parse(s.SpecialPeriodInputSerializer, request)
        period = services.declare_special_period(actor=request.user, **data)
        period = self.queryset.get(pk=period.pk)
        return Response(s.SpecialPeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: s.SpecialPeriodSerializer,
            204: OpenApiResponse(description="Withdrawn: the period had not begun."),
        },
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        """Today becomes the period's last day; a period that has not begun is withdrawn
        (204)."""
        period = services.end_special_period(actor=request.user, period_id=int(pk))
        if period is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        period = self.queryset.get(pk=period.pk)
        return Response(s.SpecialPeriodSerializer(period).data)

    def get_queryset(self) -> QuerySet[SpecialPeriod]:
        return selectors.special_periods_for(self.request.user)


class AlertViewSet(ScopedReadOnlyViewSet):
    """Overdue steps of orders (acknowledge, arrival, result)."""

    permission_classes = [permissions.IsAuthenticated, DispatchAccess]
    queryset = DispatchAlert.objects.select_related("order__force", "order__plan__incident")
    serializer_class = s.AlertSerializer
    search_fields = ()
    lookup_value_regex = r"\d+"
    filterset_fields = {"kind": ["exact"], "resolved_at": ["isnull"]}
    ordering_fields = ["raised_at", "deadline"]


# --- force suggestions -------------------------------------------------------------------


class SuggestionView(APIView):
    """Force suggestions for an incident (SPEC §4.1): the plan page's ranking
    (``dispatch.selectors.suggest_forces``), for the readers of the dispatch chain, at
    a level in their jurisdiction."""

    permission_classes = [permissions.IsAuthenticated, DispatchAccess]

    @extend_schema(
        operation_id="dispatch_suggestions",
        parameters=[s.SuggestionQuerySerializer],
        responses=s.SuggestionsSerializer,
    )
    def get(self, request: Request) -> Response:
        query = s.SuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        scope = selectors.suggestion_scope(
            request.user,
            incident_id=data["incident"],
            level=data.get("level"),
            reinforcement_id=data.get("reinforcement"),
        )
        ranked = selectors.suggest_forces(
            scope.incident, scope.level, exclude_jurisdiction=scope.exclude, limit=data["limit"]
        )
        for rank, suggestion in enumerate(ranked, start=1):
            suggestion.rank = rank  # type: ignore[attr-defined]
        body = {
            "incident": scope.incident.pk,
            "level": scope.level.code,
            "level_name": scope.level.name,
            "reinforcement": scope.reinforcement.pk if scope.reinforcement else None,
            "located": scope.incident.latitude is not None,
            "eta_model": selectors.eta_model_text(),
            "suggestions": ranked,
        }
        return Response(s.SuggestionsSerializer(body, context={"request": request}).data)
