"""Compensation API under /api/v1/support/compensation-claims/: list and read the claims
you may see; POST a draft (a force's claim, or a returned requisition's), PUT/PATCH a
draft or returned one (``costs`` replaces the lines), and the steps ``submit``,
``review``, ``approve``, ``pay``, ``return``, ``reject`` and ``attachments`` (multipart
upload). Each write calls one service: 400 bad input, 403 wrong role or department, 404
outside what you read, 409 a refused step (approving twice: the second is 409)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from support.compensation import selectors, services
from support.compensation.api import serializers as s
from support.compensation.permissions import opens_claims
from support.models import CompensationClaim, CompensationCost

FIELDS = services.CLAIM_FIELDS


def _parse(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ClaimReader(permissions.BasePermission):
    message = _("Your role may not read compensation claims.")

    def has_permission(self, request, view) -> bool:
        return opens_claims(request.user)


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, ClaimReader]
    queryset = CompensationClaim.objects.all()
    serializer_class = s.ClaimSerializer
    filterset_fields = ("status", "incident", "force")
    search_fields = ()
    ordering_fields = ("created_at", "claimed_amount")
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[CompensationClaim]:
        return selectors.visible_claims(self.request.user).prefetch_related(
            Prefetch("costs", queryset=CompensationCost.objects.order_by("id")), "attachments"
        )

    def _output(self, claim_id: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            CompensationClaim.objects.select_related("incident", "reviewing_department")
            .prefetch_related("costs", "attachments")
            .get(pk=claim_id)
        )
        return Response(
            s.ClaimSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=s.ClaimInputSerializer, responses={201: s.ClaimSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = _parse(s.ClaimInputSerializer, request)
        costs = values.pop("costs", [])
        claim = services.create_claim(actor=request.user, data=values, costs=costs)
        return self._output(claim.pk, status.HTTP_201_CREATED)

    def _update(self, request: Request, partial: bool) -> Response:
        claim = self.get_object()
        serializer = s.ClaimFieldsSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        costs = values.pop("costs", None)
        data = {name: getattr(claim, name) for name in FIELDS}
        data.update(values)
        services.update_claim(actor=request.user, claim_id=claim.pk, data=data, costs=costs)
        return self._output(claim.pk)

    @extend_schema(request=s.ClaimFieldsSerializer, responses=s.ClaimSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=s.ClaimFieldsSerializer, responses=s.ClaimSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(request, partial=True)

    @extend_schema(request=None, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        claim = self.get_object()
        services.submit_claim(actor=request.user, claim_id=claim.pk)
        return self._output(claim.pk)

    @extend_schema(request=s.ClaimReviewInputSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        claim = self.get_object()
        values = _parse(s.ClaimReviewInputSerializer, request)
        services.review_claim(actor=request.user, claim_id=claim.pk, opinion=values["opinion"])
        return self._output(claim.pk)

    @extend_schema(request=s.ClaimApproveInputSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        claim = self.get_object()
        values = _parse(s.ClaimApproveInputSerializer, request)
        services.approve_claim(
            actor=request.user,
            claim_id=claim.pk,
            amount=values["amount"],
            approval_reference=values["approval_reference"],
        )
        return self._output(claim.pk)

    @extend_schema(request=s.ClaimPaymentInputSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str) -> Response:
        claim = self.get_object()
        values = _parse(s.ClaimPaymentInputSerializer, request)
        services.record_payment(
            actor=request.user, claim_id=claim.pk, reference=values["reference"]
        )
        return self._output(claim.pk)

    @extend_schema(request=s.ClaimReasonSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        claim = self.get_object()
        values = _parse(s.ClaimReasonSerializer, request)
        services.return_claim(actor=request.user, claim_id=claim.pk, reason=values["reason"])
        return self._output(claim.pk)

    @extend_schema(request=s.ClaimReasonSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        claim = self.get_object()
        values = _parse(s.ClaimReasonSerializer, request)
        services.reject_claim(actor=request.user, claim_id=claim.pk, reason=values["reason"])
        return self._output(claim.pk)

    @extend_schema(request=s.ClaimAttachmentInputSerializer, responses={201: s.ClaimSerializer})
    @action(detail=True, methods=["post"])
    def attachments(self, request: Request, pk: str) -> Response:
        claim = self.get_object()
        values = _parse(s.ClaimAttachmentInputSerializer, request)
        services.add_attachment(
            actor=request.user,
            claim_id=claim.pk,
            upload=values["file"],
            name=values.get("name", ""),
        )
        return self._output(claim.pk, status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("compensation-claims", ClaimViewSet, basename="support-compensation-claim")
urlpatterns = router.urls
