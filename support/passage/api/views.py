"""Passage API under /api/v1/support/: ``passage-requests/`` (list, retrieve, create and
the actions acknowledge / answer / lift / withdraw), ``vehicle-passes/`` (list, retrieve,
create, ``revoke``) and the public ``passes/verify/?token=`` a checkpoint's app may call
without logging in. Every write parses an input serializer and calls one service."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from support.models import PassageRequest, VehiclePass
from support.passage import selectors, services
from support.passage.api import serializers as s
from support.passage.permissions import can_read_passage
from support.passage.signing import Verdict, verify
from support.passage.throttle import MISS_WINDOW_SECONDS, count_miss, refused


def _parse(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PassageReader(permissions.BasePermission):
    """Reads for the roles that follow passage; writes reach the service, which decides
    on role, jurisdiction and addressee."""

    message = _("Your role may not read passage requests or passes.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return can_read_passage(request.user)
        return True


class PassageRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Traffic-control and emergency-channel requests of your area (a department: those
    addressed to it)."""

    permission_classes = [permissions.IsAuthenticated, PassageReader]
    queryset = PassageRequest.objects.all()
    serializer_class = s.PassageRequestSerializer
    filterset_fields = ("status", "kind", "incident")
    search_fields = ()
    ordering_fields = ("requested_at", "starts_at", "status")
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PassageRequest]:
        return selectors.visible_requests(self.request.user).order_by("-requested_at", "-id")

    def _output(self, request_id: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = PassageRequest.objects.select_related(
            "jurisdiction", "addressee", "requested_by", "answered_by"
        ).get(pk=request_id)
        return Response(s.PassageRequestSerializer(fresh).data, status=code)

    @extend_schema(
        request=s.PassageRequestInputSerializer, responses={201: s.PassageRequestSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = _parse(s.PassageRequestInputSerializer, request)
        incident_id = values.pop("incident")
        created = services.request_passage(actor=request.user, incident_id=incident_id, data=values)
        return self._output(created.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.PassageRequestSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        services.acknowledge_passage(actor=request.user, request_id=found.pk)
        return self._output(found.pk)

    @extend_schema(request=s.AnswerInputSerializer, responses=s.PassageRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        values = _parse(s.AnswerInputSerializer, request)
        services.answer_passage(
            actor=request.user,
            request_id=found.pk,
            accepted=values["accepted"],
            answer=values.get("answer", ""),
        )
        return self._output(found.pk)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.PassageRequestSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        values = _parse(s.ReasonInputSerializer, request)
        services.lift_passage(
            actor=request.user, request_id=found.pk, note=values.get("reason", "")
        )
        return self._output(found.pk)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.PassageRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        values = _parse(s.ReasonInputSerializer, request)
        services.withdraw_passage(
            actor=request.user, request_id=found.pk, reason=values.get("reason", "")
        )
        return self._output(found.pk)


class VehiclePassViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Vehicle passes of your area (a department: its forces')."""

    permission_classes = [permissions.IsAuthenticated, PassageReader]
    queryset = VehiclePass.objects.all()
    serializer_class = s.VehiclePassSerializer
    filterset_fields = ("incident", "force", "plate")
    search_fields = ()
    ordering_fields = ("issued_at", "valid_until")
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[VehiclePass]:
        return selectors.visible_passes(self.request.user).order_by("-issued_at", "-id")

    def _output(self, pass_id: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = VehiclePass.objects.select_related("jurisdiction", "force").get(pk=pass_id)
        return Response(s.VehiclePassSerializer(fresh).data, status=code)

    @extend_schema(request=s.VehiclePassInputSerializer, responses={201: s.VehiclePassSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = _parse(s.VehiclePassInputSerializer, request)
        issued = services.issue_pass(actor=request.user, data=values)
        return self._output(issued.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.RevokeInputSerializer, responses=s.VehiclePassSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        values = _parse(s.RevokeInputSerializer, request)
        services.revoke_pass(actor=request.user, pass_id=found.pk, reason=values["reason"])
        return self._output(found.pk)


class PassMissThrottle(BaseThrottle):
    """An address that keeps presenting invalid tokens is refused for a while
    (support.passage.throttle: the page and this check share the count)."""

    def allow_request(self, request, view) -> bool:
        return not refused(request)

    def wait(self) -> float:
        return float(MISS_WINDOW_SECONDS)


class PassVerifyView(APIView):
    """What a checkpoint's scan of a pass says, as JSON (no login): ``valid``,
    ``expired``, ``not_yet_valid``, ``revoked`` or ``invalid`` (forged, tampered, not
    ours), with the plate, force, route and validity — no personal data."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [PassMissThrottle]

    @extend_schema(
        parameters=[s.VerifyQuerySerializer], responses=s.VerificationSerializer, auth=[]
    )
    def get(self, request: Request) -> Response:
        query = s.VerifyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = verify(query.validated_data["token"])
        if result.verdict == Verdict.INVALID:
            count_miss(request)
        return Response(
            s.VerificationSerializer(
                {"verdict": result.verdict, "vehicle_pass": result.vehicle_pass}
            ).data
        )


router = SimpleRouter()
router.register("passage-requests", PassageRequestViewSet, basename="support-passage-request")
router.register("vehicle-passes", VehiclePassViewSet, basename="support-vehicle-pass")
