"""Graded-response API (DESIGN13) under /api/v1/response/: manuals with their instruction
lists, activations (raise/lower with ``change-level``, ``end``, the HQ ``board``),
instructions (``acknowledge``, ``start``, ``complete``) and seats (join, ``leave``).

Reads go through ``response.selectors``; every write parses an input serializer and calls
one ``response.services`` function, which authorises (role, jurisdiction, department),
validates and records the event — the pages and the SMS-reply handler call the same
functions, so the API refuses exactly what they refuse: 400 bad input or a missing
manual, 403 wrong role or department, 404 outside what you read, 409 a refused
transition (already active, already acknowledged, ended)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.roles import Role
from core.visibility import INCIDENT_READERS
from response import selectors, services
from response.api import serializers as s
from response.filters import ActivationFilter, InstructionFilter, ManualFilter
from response.models import ResponseActivation, ResponseInstruction, ResponseManual, Seat
from response.permissions import can_read_responses

# Manuals are read by whoever reads responses of the area, and by departments (the lines
# that name them).
MANUAL_READERS = INCIDENT_READERS | {Role.DEPARTMENT_EDITOR}


def _parse(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ResponseReader(permissions.BasePermission):
    """Reads for the roles that follow responses or work instructions; writes reach the
    service, which decides on role, jurisdiction and department."""

    message = _("Your role may not read responses.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return can_read_responses(request.user)
        return True


class ManualReader(permissions.BasePermission):
    message = _("Your role may not read response manuals.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if request.method in permissions.SAFE_METHODS:
            return bool(user.is_superuser or user.has_role(*MANUAL_READERS))
        return True


def visible_manuals(user: Any) -> QuerySet[ResponseManual]:
    """Manuals of the user's jurisdiction and below, and of its ancestors (the manuals a
    response here falls back to)."""
    base = ResponseManual.objects.select_related("jurisdiction").prefetch_related(
        "instructions__department"
    )
    if user.is_superuser:
        return base.all()
    own = user.jurisdiction
    if own is None:
        return base.none()
    return base.filter(
        Q(jurisdiction__path__startswith=own.path)
        | Q(jurisdiction__code__in=own.ancestors_and_self())
    )


class ManualViewSet(viewsets.ModelViewSet):
    """Response manuals (应急响应手册) with their instruction lists (指令清单). POST
    creates one, PUT/PATCH replace it with its lines, DELETE removes it: the bureau's
    duty officers, approvers and administrators of the jurisdiction."""

    permission_classes = [permissions.IsAuthenticated, ManualReader]
    queryset = ResponseManual.objects.all()
    serializer_class = s.ManualSerializer
    filterset_class = ManualFilter
    search_fields = ()
    ordering_fields = ("updated_at", "level", "hazard")
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ResponseManual]:
        return visible_manuals(self.request.user)

    def _output(self, manual_id: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = visible_manuals(self.request.user).filter(pk=manual_id).first()
        if fresh is None:
            fresh = ResponseManual.objects.get(pk=manual_id)
        return Response(s.ManualSerializer(fresh).data, status=code)

    def _save(self, values: dict[str, Any], manual_id: int | None) -> ResponseManual:
        return services.save_manual(
            actor=self.request.user,
            jurisdiction=values["jurisdiction"],
            hazard=values["hazard"],
            level=values["level"],
            title=values["title"],
            conditions=values.get("conditions", ""),
            lines=[
                services.ManualLine(
                    text=line["text"],
                    department=line["department"],
                    deadline_minutes=line["deadline_minutes"],
                )
                for line in values["lines"]
            ],
            manual_id=manual_id,
        )

    @extend_schema(request=s.ManualInputSerializer, responses={201: s.ManualSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        manual = self._save(_parse(s.ManualInputSerializer, request), None)
        return self._output(manual.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.ManualInputSerializer, responses=s.ManualSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        manual = self.get_object()
        if kwargs.get("partial"):
            current = {
                "jurisdiction": manual.jurisdiction.code,
                "hazard": manual.hazard,
                "level": manual.level,
                "title": manual.title,
                "conditions": manual.conditions,
                "lines": [
                    {
                        "text": line.text,
                        "department": line.department_id,
                        "deadline_minutes": line.deadline_minutes,
                    }
                    for line in manual.instructions.all()
                ],
            }
            given = request.data if isinstance(request.data, dict) else {}
            serializer = s.ManualInputSerializer(
                data={**current, **given}, context={"request": request}
            )
            serializer.is_valid(raise_exception=True)
            values = dict(serializer.validated_data)
        else:
            values = _parse(s.ManualInputSerializer, request)
        self._save(values, manual.pk)
        return self._output(manual.pk)

    @extend_schema(request=s.ManualInputSerializer, responses=s.ManualSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        manual = self.get_object()
        services.delete_manual(actor=request.user, manual_id=manual.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Responses you may see: of your jurisdiction and below, or instructing or seating
    your department. POST activates one for an incident or a warning."""

    permission_classes = [permissions.IsAuthenticated, ResponseReader]
    queryset = ResponseActivation.objects.all()
    serializer_class = s.ActivationSerializer
    filterset_class = ActivationFilter
    search_fields = ()
    ordering_fields = ("activated_at", "ended_at")
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ResponseActivation]:
        return selectors.visible_activations(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "counts": s.counts_of(rows)}
        data = s.ActivationSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _output(self, activation_id: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=activation_id).first()
        if fresh is None:
            fresh = ResponseActivation.objects.get(pk=activation_id)
        return Response(
            s.ActivationSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(request=s.ActivationInputSerializer, responses={201: s.ActivationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = _parse(s.ActivationInputSerializer, request)
        activation = services.activate_response(
            actor=request.user,
            hazard=values["hazard"],
            level=values["level"],
            incident_id=values.get("incident"),
            warning_id=values.get("warning"),
            reason=values.get("reason", ""),
        )
        return self._output(activation.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.ResponseChangeLevelSerializer, responses=s.ActivationSerializer)
    @action(detail=True, methods=["post"], url_path="change-level")
    def change_level(self, request: Request, pk: str) -> Response:
        """Raise or lower: the new level's lines not yet sent go out; lowering cancels
        the open instructions of higher levels."""
        activation = self.get_object()
        values = _parse(s.ResponseChangeLevelSerializer, request)
        services.change_level(
            actor=request.user,
            activation_id=activation.pk,
            level=values["level"],
            reason=values["reason"],
        )
        return self._output(activation.pk)

    @extend_schema(request=s.ResponseReasonSerializer, responses=s.ActivationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        """End the response: open instructions cancelled, seats left."""
        activation = self.get_object()
        values = _parse(s.ResponseReasonSerializer, request)
        services.end_response(
            actor=request.user, activation_id=activation.pk, reason=values["reason"]
        )
        return self._output(activation.pk)

    @extend_schema(request=None, responses=s.ResponseBoardSerializer)
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=())
    def board(self, request: Request, pk: str) -> Response:
        """The HQ board: departments with their instructions and seat, counts, steps."""
        activation = self.get_object()
        return Response(
            s.ResponseBoardSerializer(
                selectors.board(activation), context=self.get_serializer_context()
            ).data
        )


class InstructionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Instructions of the responses you read (a department: its own). The department
    acknowledges, starts and completes them with a report; a duty officer may sign for it
    (值班员代签)."""

    permission_classes = [permissions.IsAuthenticated, ResponseReader]
    queryset = ResponseInstruction.objects.all()
    serializer_class = s.InstructionSerializer
    filterset_class = InstructionFilter
    search_fields = ()
    ordering_fields = ("due_at", "status")
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ResponseInstruction]:
        return selectors.visible_instructions(self.request.user).order_by("due_at", "pk")

    def _output(self, instruction_id: int) -> Response:
        fresh = ResponseInstruction.objects.select_related("department", "done_by").get(
            pk=instruction_id
        )
        return Response(s.InstructionSerializer(fresh).data)

    @extend_schema(request=None, responses=s.InstructionSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        instruction = self.get_object()
        services.acknowledge_instruction(actor=request.user, instruction_id=instruction.pk)
        return self._output(instruction.pk)

    @extend_schema(request=None, responses=s.InstructionSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        instruction = self.get_object()
        services.start_instruction(actor=request.user, instruction_id=instruction.pk)
        return self._output(instruction.pk)

    @extend_schema(request=s.InstructionCompleteSerializer, responses=s.InstructionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        instruction = self.get_object()
        values = _parse(s.InstructionCompleteSerializer, request)
        services.complete_instruction(
            actor=request.user, instruction_id=instruction.pk, report=values["report"]
        )
        return self._output(instruction.pk)


def visible_seats(user: Any) -> QuerySet[Seat]:
    activations = selectors.visible_activations(user).values("pk")
    return Seat.objects.filter(activation__in=activations).select_related("organisation")


class SeatViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Seats (席位) of the responses you read. POST seats a department (the HQ records any
    department, a department takes its own); ``leave`` frees it."""

    permission_classes = [permissions.IsAuthenticated, ResponseReader]
    queryset = Seat.objects.all()
    serializer_class = s.SeatSerializer
    filterset_fields = ("activation", "organisation")
    search_fields = ()
    ordering_fields = ("joined_at",)
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Seat]:
        return visible_seats(self.request.user).order_by("joined_at", "pk")

    def _output(self, seat_id: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = Seat.objects.select_related("organisation").get(pk=seat_id)
        return Response(
            s.SeatSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=s.SeatInputSerializer, responses={201: s.SeatSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = _parse(s.SeatInputSerializer, request)
        if not selectors.visible_activations(request.user).filter(pk=values["activation"]).exists():
            from core.exceptions import NotFoundError

            raise NotFoundError(_("No such response."))
        seat = services.join_seat(
            actor=request.user,
            activation_id=values["activation"],
            organisation_id=values["organisation"],
            person=values["person"],
            phone=values.get("phone", ""),
        )
        return self._output(seat.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.SeatSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str) -> Response:
        seat = self.get_object()
        services.leave_seat(actor=request.user, seat_id=seat.pk)
        return self._output(seat.pk)


router = SimpleRouter()
router.register("manuals", ManualViewSet, basename="response-manual")
router.register("activations", ActivationViewSet, basename="response-activation")
router.register("instructions", InstructionViewSet, basename="response-instruction")
router.register("seats", SeatViewSet, basename="response-seat")

urlpatterns = router.urls
