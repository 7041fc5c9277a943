"""Incident API (SPEC §3). Reads are scoped by the base viewset to the user's jurisdiction
and below; writes parse an input serializer and call one ``command.services`` function,
which authorises and validates."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from command import selectors, services
from command.api import serializers as s
from command.models import Incident, IncidentNote, IncidentType
from core import visibility
from core.api.upserts import ExternalIdUpsertMixin, upsert_schema
from core.api.viewsets import ScopedViewSetMixin

# Who reads incidents is decided in core.visibility, with the live feed.
INCIDENT_READERS = visibility.INCIDENT_READERS
can_read_incidents = visibility.can_read_incidents


class IncidentReader(permissions.BasePermission):
    message = _("Your role may not read incidents.")

    def has_permission(self, request, view) -> bool:
        return can_read_incidents(request.user)


class IncidentAccess(IncidentReader):
    """Reads for the reader roles and for the accounts of a unit an incident was handed
    to (those incidents only, ``command.selectors.readable_incidents``); writes for
    whoever ``command.services`` lets record incidents, and notes reported back by the
    handling unit (the service checks again, with the jurisdiction or the hand-over)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if request.method in permissions.SAFE_METHODS:
            return selectors.can_open_incident_pages(user)
        if getattr(view, "action", None) == "notes":
            return services.can_record_incidents(user) or selectors.may_read_handed_incidents(user)
        return services.can_record_incidents(user)


@upsert_schema(request=s.IncidentInputSerializer, response=s.IncidentSerializer)
class IncidentViewSet(
    ExternalIdUpsertMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """No ``update`` (PUT on one incident): changes are PATCH; PUT is only the upsert."""

    permission_classes = [permissions.IsAuthenticated, IncidentAccess]
    queryset = Incident.objects.select_related("incident_type", "jurisdiction", "reported_by")
    serializer_class = s.IncidentSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.readable_incidents(self.request.user).select_related(
            "incident_type", "jurisdiction", "reported_by", "first_receiver", "handling_unit"
        )

    lookup_value_regex = r"\d+"
    filterset_fields = {
        "status": ["exact"],
        "level": ["exact"],
        "source": ["exact"],
        "area_type": ["exact"],
        "incident_type__code": ["exact"],
        "received_at": ["gte", "lte"],
        "external_id": ["exact"],
        "disposition": ["exact"],
    }
    search_fields = ["title", "address", "description"]
    ordering_fields = ["received_at", "level", "updated_at"]

    def _output(self, incident: Incident) -> dict[str, Any]:
        fresh = self.queryset.select_related("first_receiver", "handling_unit").get(pk=incident.pk)
        return s.IncidentSerializer(fresh, context=self.get_serializer_context()).data

    def _input(self, request: Request, *, partial: bool = False) -> dict[str, Any]:
        serializer = s.IncidentInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def upsert_create(self, data: Any) -> Incident:
        serializer = s.IncidentInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return services.create_incident(
            actor=self.request.user, data=dict(serializer.validated_data)
        )

    def upsert_update(self, instance: Incident, data: Any) -> Incident:
        """The platform that owns the external ID sends the whole incident: a level that
        changed is re-assessed, the platform named as the reason."""
        serializer = s.IncidentInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return services.update_incident(
            actor=self.request.user,
            incident_id=instance.pk,
            data=dict(serializer.validated_data),
            reassessment_reason=str(
                _("Changed by %(user)s through the external-ID upsert.")
                % {"user": self.request.user}
            ),
        )

    def upsert_representation(self, instance: Incident) -> dict[str, Any]:
        return self._output(instance)

    @extend_schema(request=s.IncidentInputSerializer, responses={201: s.IncidentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = services.create_incident(actor=request.user, data=self._input(request))
        return Response(self._output(incident), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.IncidentInputSerializer, responses=s.IncidentSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self.get_object()
        incident = services.update_incident(
            actor=request.user, incident_id=incident.pk, data=self._input(request, partial=True)
        )
        return Response(self._output(incident))

    @extend_schema(request=s.IncidentCloseInputSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close; open work (orders, a response) answers 409 ``open_work`` with its lines
        in ``errors.open_work`` unless ``end_open_work`` is true and a ``reason`` given."""
        incident = self.get_object()
        data = _parsed(s.IncidentCloseInputSerializer, request)
        incident = services.close_incident(
            actor=request.user,
            incident_id=incident.pk,
            end_open_work=data.get("end_open_work", False),
            reason=data.get("reason", ""),
        )
        return Response(self._output(incident))

    @extend_schema(request=s.IncidentReassessInputSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def reassess(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        data = _parsed(s.IncidentReassessInputSerializer, request)
        incident = services.reassess_incident(
            actor=request.user, incident_id=incident.pk, level=data["level"], reason=data["reason"]
        )
        return Response(self._output(incident))

    @extend_schema(
        request=s.HotlineTransferInputSerializer, responses={201: s.HotlineTransferSerializer}
    )
    @action(detail=True, methods=["post"], url_path="transfer-to-hotline")
    def transfer_to_hotline(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        data = _parsed(s.HotlineTransferInputSerializer, request)
        transfer = services.transfer_to_hotline(
            actor=request.user,
            incident_id=incident.pk,
            summary=data["summary"],
            work_order_number=data.get("work_order_number", ""),
            hotline_id=data.get("hotline"),
        )
        return Response(s.HotlineTransferSerializer(transfer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.HotlineReplyInputSerializer, responses=s.HotlineTransferSerializer)
    @action(detail=True, methods=["post"], url_path="hotline-reply")
    def hotline_reply(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        data = _parsed(s.HotlineReplyInputSerializer, request)
        transfer = services.record_hotline_reply(
            actor=request.user,
            incident_id=incident.pk,
            reply=data["reply"],
            work_order_number=data.get("work_order_number", ""),
        )
        return Response(s.HotlineTransferSerializer(transfer).data)

    @extend_schema(
        request=s.IncidentHandOverInputSerializer, responses={201: s.IncidentHandoverSerializer}
    )
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        data = _parsed(s.IncidentHandOverInputSerializer, request)
        handover = services.hand_over(
            actor=request.user,
            incident_id=incident.pk,
            to_unit_id=data["to_unit"],
            note=data.get("note", ""),
        )
        return Response(s.IncidentHandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.IncidentMaritimeInputSerializer, responses={201: s.IncidentHandoverSerializer}
    )
    @action(detail=True, methods=["post"], url_path="hand-to-maritime")
    def hand_to_maritime(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        data = _parsed(s.IncidentMaritimeInputSerializer, request)
        handover = services.hand_to_maritime(
            actor=request.user,
            incident_id=incident.pk,
            maritime_unit_id=data.get("maritime_unit"),
            note=data.get("note", ""),
        )
        return Response(s.IncidentHandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=s.IncidentNoteSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=s.IncidentNoteInputSerializer,
        responses={201: s.IncidentNoteSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def notes(self, request: Request, pk: str | None = None) -> Response:
        """Progress reported back (the handling unit, the centre), oldest first."""
        incident = self.get_object()
        if request.method == "POST":
            data = _parsed(s.IncidentNoteInputSerializer, request)
            note = services.add_note(actor=request.user, incident_id=incident.pk, text=data["text"])
            return Response(s.IncidentNoteSerializer(note).data, status=status.HTTP_201_CREATED)
        notes = IncidentNote.objects.filter(incident=incident).select_related(
            "organisation", "author"
        )
        return Response(s.IncidentNoteSerializer(notes, many=True).data)


def _parsed(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class IncidentTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """GB/T 35561 reference data, the same everywhere."""

    permission_classes = [permissions.IsAuthenticated, IncidentReader]
    queryset = IncidentType.objects.all()
    serializer_class = s.IncidentTypeSerializer
    ordering_fields = ()
    search_fields = ()
    pagination_class = None
    filterset_fields = ["category", "disaster_type"]
