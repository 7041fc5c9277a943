"""Warnings API (SPEC §3, DESIGN12) under /api/v1/warnings/.

Reads are ``earlywarning.selectors.visible_warnings(user)``; every write parses an input
serializer and calls one ``earlywarning.services`` function, which authorises (role,
sector, jurisdiction), validates and records the event — the pages and the CAP import
call the same functions, so the API refuses exactly what they refuse: 400 bad input,
403 wrong role or sector, 404 outside the jurisdiction, 409 a refused transition.

A provincial ``sync_client`` reads, and writes drafts only (``PUT by-external-id/``, the
imported upstream warnings a person here publishes); it never publishes."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api.upserts import ExternalIdUpsertMixin, upsert_schema
from core.exceptions import ConflictError, NotFoundError
from core.models import Jurisdiction
from core.roles import Role
from earlywarning import permissions as warning_permissions
from earlywarning import selectors, services
from earlywarning.api import serializers as s
from earlywarning.choices import RecipientKind, RecipientState, WarningSource
from earlywarning.filters import WarningFilter
from earlywarning.models import HazardType, HazardWarning, WarningRecipient


def _reads(user: Any) -> bool:
    """The reader roles, and force accounts (the warnings they were sent)."""
    return warning_permissions.can_read_warnings(user) or user.has_role(Role.FORCE_ACCOUNT)


class WarningReader(permissions.BasePermission):
    message = _("Your role may not read warnings.")

    def has_permission(self, request, view) -> bool:
        return warning_permissions.can_read_warnings(request.user)


class WarningAccess(permissions.BasePermission):
    """Reads for the reader roles (and force accounts, which see what they were sent);
    writes reach the service, which decides on role, sector and jurisdiction."""

    message = _("Your role may not read warnings.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return _reads(request.user)
        return True


def _parse(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any):
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _warning_data(values: dict[str, Any], external_id: str = "") -> services.WarningData:
    return services.WarningData(
        hazard_type=values["hazard_type"],
        level=values["level"],
        areas=list(values["areas"]),
        headline=values["headline"],
        description=values["description"],
        effective_at=values["effective_at"],
        expires_at=values["expires_at"],
        instruction=values.get("instruction", ""),
        force_instruction=values.get("force_instruction", ""),
        polygon=values.get("polygon", ""),
        area_description=values.get("area_description", ""),
        urgency=values["urgency"],
        certainty=values["certainty"],
        opens_key_period=values.get("opens_key_period", False),
        external_id=values.get("external_id") or external_id,
    )


def _current_values(warning: HazardWarning) -> dict[str, Any]:
    return {
        "hazard_type": warning.hazard_type,
        "level": warning.level,
        "areas": list(warning.areas.all()),
        "headline": warning.headline,
        "description": warning.description,
        "effective_at": warning.effective_at,
        "expires_at": warning.expires_at,
        "instruction": warning.instruction,
        "force_instruction": warning.force_instruction,
        "polygon": warning.polygon,
        "area_description": warning.area_description,
        "urgency": warning.urgency,
        "certainty": warning.certainty,
        "opens_key_period": warning.opens_key_period,
        "external_id": warning.external_id,
    }


class RecipientQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=RecipientState.choices, required=False)
    jurisdiction = serializers.CharField(
        required=False, max_length=12, help_text="A jurisdiction code: that one and below."
    )
    kind = serializers.ChoiceField(choices=RecipientKind.choices, required=False)


class BoardQuerySerializer(serializers.Serializer):
    group_by = serializers.CharField(
        required=False,
        max_length=12,
        help_text="A jurisdiction code: rows are its children (default: the warning's).",
    )


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class HazardTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Reference data (seeded), the same everywhere."""

    permission_classes = [permissions.IsAuthenticated, WarningReader]
    queryset = HazardType.objects.prefetch_related("specialties")
    serializer_class = s.HazardTypeSerializer
    filterset_fields = ("is_active",)
    search_fields = ()
    ordering_fields = ()
    pagination_class = None


@upsert_schema(request=s.WarningInputSerializer, response=s.WarningSerializer)
class WarningViewSet(
    ExternalIdUpsertMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Warnings you may see. POST creates a draft, PATCH changes a draft, DELETE discards
    one; publishing, revising, cancelling and relaying are actions."""

    permission_classes = [permissions.IsAuthenticated, WarningAccess]
    queryset = HazardWarning.objects.all()
    serializer_class = s.WarningSerializer
    filterset_class = WarningFilter
    search_fields = ()
    ordering_fields = ("created_at", "effective_at", "expires_at", "published_at")
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[HazardWarning]:
        return (
            selectors.visible_warnings(self.request.user)
            .select_related("hazard_type", "issuer", "jurisdiction")
            .prefetch_related("areas")
        )

    def _output(self, warning_id: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=warning_id).first()
        if fresh is None:  # written, but not something the writer reads (never expected)
            fresh = HazardWarning.objects.get(pk=warning_id)
        return Response(
            s.WarningSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def _create(self, values: dict[str, Any]) -> HazardWarning:
        user = self.request.user
        imported = user.has_role(Role.SYNC_CLIENT)
        return services.create_draft(
            actor=user,
            data=_warning_data(values),
            issuer=values.get("issuer"),
            source=WarningSource.IMPORTED if imported else WarningSource.LOCAL,
        )

    # Upserts (the provincial platform's drafts): the same services as create and PATCH.
    def upsert_create(self, data: Any) -> HazardWarning:
        serializer = s.WarningInputSerializer(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        try:
            return self._create(values)
        except ConflictError:
            # A concurrent first upsert of the same id committed in between: the mixin
            # answers with an update of that one, as for a unique-constraint race.
            taken = HazardWarning.objects.filter(external_id=values["external_id"]).exists()
            if values.get("external_id") and taken:
                raise IntegrityError("external id taken by a concurrent upsert") from None
            raise

    def upsert_update(self, instance: HazardWarning, data: Any) -> HazardWarning:
        serializer = s.WarningInputSerializer(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return services.update_draft(
            actor=self.request.user,
            warning_id=instance.pk,
            data=_warning_data(dict(serializer.validated_data), instance.external_id),
        )

    def upsert_representation(self, instance: HazardWarning) -> Any:
        return self._output(instance.pk).data

    @extend_schema(request=s.WarningInputSerializer, responses={201: s.WarningSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        warning = self._create(dict(_parse(s.WarningInputSerializer, request)))
        return self._output(warning.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.WarningInputSerializer, responses=s.WarningSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        warning = self.get_object()
        given = dict(_parse(s.WarningInputSerializer, request, partial=True))
        values = {**_current_values(warning), **given}
        if "effective_at" in given or "expires_at" in given:
            s.WarningInputSerializer().validate(values)
        services.update_draft(
            actor=request.user,
            warning_id=warning.pk,
            data=_warning_data(values, warning.external_id),
        )
        return self._output(warning.pk)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        warning = self.get_object()
        services.discard_draft(actor=request.user, warning_id=warning.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=s.WarningSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        warning = self.get_object()
        services.publish_warning(actor=request.user, warning_id=warning.pk)
        return self._output(warning.pk)

    @extend_schema(request=None, responses={201: s.WarningSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        """A new draft version of a published warning (CAP Update once published)."""
        warning = self.get_object()
        draft = services.revise_warning(actor=request.user, warning_id=warning.pk)
        return self._output(draft.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.CancelReasonSerializer, responses=s.WarningSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        warning = self.get_object()
        data = _parse(s.CancelReasonSerializer, request)
        services.cancel_warning(actor=request.user, warning_id=warning.pk, reason=data["reason"])
        return self._output(warning.pk)

    @extend_schema(request=s.RelaySerializer, responses=s.RelayResultSerializer)
    @action(detail=True, methods=["post"])
    def relay(self, request: Request, pk: str) -> Response:
        warning = self.get_object()
        data = _parse(s.RelaySerializer, request)
        added = services.relay_warning(
            actor=request.user,
            warning_id=warning.pk,
            specialties=data["specialties"],
            jurisdictions=data["jurisdictions"],
        )
        return Response({"added": added})

    @extend_schema(
        parameters=[RecipientQuerySerializer], responses=s.RecipientSerializer(many=True)
    )
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=())
    def recipients(self, request: Request, pk: str) -> Response:
        """Who was asked to answer, with their state (answered, being chased, not
        reached); phones masked."""
        warning = self.get_object()
        query = _query(RecipientQuerySerializer, request)
        where = None
        if query.get("jurisdiction"):
            where = Jurisdiction.objects.filter(code=query["jurisdiction"]).first()
        rows = selectors.board_recipients(
            request.user, warning, jurisdiction=where, state=query.get("state")
        )
        if query.get("jurisdiction") and where is None:
            rows = rows.none()  # a code that names nothing filters to nothing
        if query.get("kind"):
            rows = rows.filter(kind=query["kind"])
        page = self.paginate_queryset(rows.select_related("jurisdiction"))
        data = s.RecipientSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(parameters=[BoardQuerySerializer], responses=s.BoardSerializer)
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=())
    def board(self, request: Request, pk: str) -> Response:
        """The 叫应 board: totals and one row per child jurisdiction."""
        warning = self.get_object()
        query = _query(BoardQuerySerializer, request)
        group_by = None
        if query.get("group_by"):
            group_by = Jurisdiction.objects.filter(code=query["group_by"]).first()
            if group_by is None:
                raise NotFoundError(_("No such jurisdiction."))
        board = selectors.warning_board(request.user, warning, group_by=group_by)
        return Response(s.BoardSerializer(board).data)


class RecipientViewSet(viewsets.GenericViewSet):
    """``POST recipients/<id>/acknowledge/``: the recipient answers (叫应) in the app — its
    own user, a user of its organisation, or a duty officer recording it on its behalf.
    The service decides who may; a recipient you cannot reach is a 404."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = WarningRecipient.objects.all()  # the schema's id; the service looks it up
    serializer_class = s.RecipientSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ()
    search_fields = ()
    ordering_fields = ()

    @extend_schema(request=None, responses=s.RecipientSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        if int(pk) >= 2**63:  # no row has it (and the database could not compare it)
            raise NotFoundError(_("No such recipient."))
        recipient = services.acknowledge_recipient(actor=request.user, recipient_id=int(pk))
        fresh = WarningRecipient.objects.select_related("jurisdiction").get(pk=recipient.pk)
        return Response(s.RecipientSerializer(fresh, context={"request": request}).data)


router = SimpleRouter()
router.register("hazard-types", HazardTypeViewSet, basename="hazard-type")
router.register("warnings", WarningViewSet, basename="warning")
router.register("recipients", RecipientViewSet, basename="warning-recipient")

urlpatterns = router.urls
