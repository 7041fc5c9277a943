"""CAP over the API (DESIGN12): ``GET warnings/<pk>/cap/`` (application/cap+xml) and
``POST warnings/import-cap/`` (a raw CAP 1.2 document; 201 a new draft, 200 the draft the
same message made before)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from earlywarning.cap import CAP_CONTENT_TYPE, MAX_CAP_BYTES, cancel_cap, to_cap
from earlywarning.capimport import import_cap, may_import_cap
from earlywarning.choices import WarningStatus
from earlywarning.selectors import visible_warnings
from earlywarning.views.cap import may_fetch_cap


class CapParser(BaseParser):
    """The body as bytes, unparsed: earlywarning.cap reads it safely (defusedxml)."""

    media_type = CAP_CONTENT_TYPE

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> bytes:
        data = stream.read(MAX_CAP_BYTES + 1) if stream is not None else b""
        if len(data) > MAX_CAP_BYTES:
            raise ParseError(f"<alert>: the message is larger than {MAX_CAP_BYTES // 1024} KiB.")
        return data


class XmlParser(CapParser):
    media_type = "application/xml"


class _XmlOrJsonErrors(DefaultContentNegotiation):
    """The document is a plain HttpResponse; refusals are always JSON, so a client that
    asks for application/cap+xml still gets a readable 4xx instead of a 406."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class CapImportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    identifier = serializers.CharField()
    status = serializers.ChoiceField(choices=WarningStatus.choices)
    created = serializers.BooleanField()


class WarningCapView(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = _XmlOrJsonErrors

    @extend_schema(
        operation_id="warnings_cap",
        summary="A warning as an OASIS CAP 1.2 alert (a Cancel message once cancelled)",
        responses={(200, CAP_CONTENT_TYPE): OpenApiTypes.STR},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        if not may_fetch_cap(request.user):
            raise PermissionDenied
        warning = get_object_or_404(
            visible_warnings(request.user).select_related("hazard_type", "issuer", "previous"),
            pk=pk,
        )
        cancelled = warning.status == WarningStatus.CANCELLED
        body = cancel_cap(warning) if cancelled else to_cap(warning)
        response = HttpResponse(body, content_type=CAP_CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{warning.identifier}.xml"'
        return response


class CapImportView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [CapParser, XmlParser]

    @extend_schema(
        operation_id="warnings_import_cap",
        summary="Import an upstream CAP 1.2 message as a draft warning",
        description=(
            "The body is the CAP document itself (application/cap+xml or application/xml). "
            "Idempotent by the message's sender and identifier: 201 with a new draft, 200 "
            "with the draft the same message made before. A 400 names the element at fault "
            "(`<info>/<expires>: …`)."
        ),
        request={CAP_CONTENT_TYPE: OpenApiTypes.STR, "application/xml": OpenApiTypes.STR},
        responses={201: CapImportResultSerializer, 200: CapImportResultSerializer},
    )
    def post(self, request: Request) -> Response:
        if not may_import_cap(request.user):
            raise PermissionDenied
        data = request.data
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, bytes | bytearray):
            raise ParseError("<alert>: the body must be a CAP XML document.")
        warning, created = import_cap(actor=request.user, data=bytes(data))
        body = CapImportResultSerializer(
            {
                "id": warning.pk,
                "identifier": warning.identifier,
                "status": warning.status,
                "created": created,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


urlpatterns = [
    path("warnings/import-cap/", CapImportView.as_view(), name="warning-import-cap"),
    path("warnings/<int:pk>/cap/", WarningCapView.as_view(), name="warning-cap"),
]
