"""Welfare API (/api/v1/support/): health records, insurance policies, commendations and
casualty cases. Lists are scoped to the rescuers the user may read
(``permissions.visible_personnel``); each write parses an input serializer and calls one
``support.welfare.services`` function (403 wrong role, 404 outside reach, 409 refused
step, 400 field errors)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from support.welfare import selectors, services
from support.welfare.api import serializers as s
from support.welfare.permissions import reads_welfare


class WelfareReader(permissions.BasePermission):
    message = _("Your role may not read rescuer welfare.")

    def has_permission(self, request, view) -> bool:
        return reads_welfare(request.user)


def _parse(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class _WelfareViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated, WelfareReader]
    ordering_fields: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ()
    filterset_fields: tuple[str, ...] = ()
    lookup_value_regex = r"\d+"
    input_serializer: type[Serializer]

    def _answer(self, obj, code: int = status.HTTP_200_OK) -> Response:
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=code)


class HealthRecordViewSet(_WelfareViewSet):
    serializer_class = s.HealthRecordSerializer
    filterset_fields = ("personnel", "kind")
    ordering_fields = ("examined_on",)

    def get_queryset(self):
        return selectors.visible_health_records(self.request.user).order_by("-examined_on", "-id")

    @extend_schema(request=s.HealthRecordInputSerializer, responses={201: s.HealthRecordSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _parse(s.HealthRecordInputSerializer, request)
        record = services.record_health(
            actor=request.user, personnel_id=data.pop("personnel"), data=data
        )
        return self._answer(record, status.HTTP_201_CREATED)


class InsurancePolicyViewSet(_WelfareViewSet):
    serializer_class = s.InsurancePolicySerializer
    filterset_fields = ("personnel",)
    ordering_fields = ("expires_on",)

    def get_queryset(self):
        return selectors.visible_policies(self.request.user).order_by("-expires_on", "-id")

    @extend_schema(
        request=s.InsurancePolicyInputSerializer, responses={201: s.InsurancePolicySerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _parse(s.InsurancePolicyInputSerializer, request)
        policy = services.record_insurance(
            actor=request.user, personnel_id=data.pop("personnel"), data=data
        )
        return self._answer(policy, status.HTTP_201_CREATED)


class CommendationViewSet(_WelfareViewSet):
    serializer_class = s.CommendationSerializer
    filterset_fields = ("personnel", "force", "incident", "level")
    ordering_fields = ("awarded_on",)

    def get_queryset(self):
        return (
            selectors.visible_commendations(self.request.user)
            .select_related("jurisdiction")
            .order_by("-awarded_on", "-id")
        )

    @extend_schema(request=s.CommendationInputSerializer, responses={201: s.CommendationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _parse(s.CommendationInputSerializer, request)
        commendation = services.record_commendation(actor=request.user, data=data)
        return self._answer(commendation, status.HTTP_201_CREATED)


class CasualtyCaseViewSet(_WelfareViewSet):
    """Casualty cases and their procedure: POST submits; ``review`` and ``decide``."""

    serializer_class = s.CasualtyCaseSerializer
    filterset_fields = ("personnel", "status", "kind", "procedure", "incident")
    ordering_fields = ("occurred_at",)

    def get_queryset(self):
        return selectors.visible_cases(self.request.user).order_by("-occurred_at", "-id")

    @extend_schema(request=s.CasualtyInputSerializer, responses={201: s.CasualtyCaseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _parse(s.CasualtyInputSerializer, request)
        case = services.submit_casualty(
            actor=request.user, personnel_id=data.pop("personnel"), data=data
        )
        return self._answer(case, status.HTTP_201_CREATED)

    @extend_schema(request=s.CasualtyReviewSerializer, responses={200: s.CasualtyCaseSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        data = _parse(s.CasualtyReviewSerializer, request)
        case = services.review_casualty(actor=request.user, case_id=case.pk, **data)
        return self._answer(case)

    @extend_schema(request=s.CasualtyDecisionSerializer, responses={200: s.CasualtyCaseSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        data = _parse(s.CasualtyDecisionSerializer, request)
        case = services.decide_casualty(actor=request.user, case_id=case.pk, **data)
        return self._answer(case)


# Used by hooks.register for the live feed's subject representation.
FEED_VIEWSETS = {
    "support.healthrecord": HealthRecordViewSet,
    "support.insurancepolicy": InsurancePolicyViewSet,
    "support.commendation": CommendationViewSet,
    "support.casualtycase": CasualtyCaseViewSet,
}
