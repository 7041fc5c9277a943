"""Census (普查) over the API (SPEC §2, §8): ``GET`` the workbook of an organisation,
``POST`` a completed one back. Same service, same rules and the same all-or-nothing
report as the census page."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.viewsets import RegistryReader
from core.exceptions import NotFoundError
from core.models import Organisation
from forces import census

ORGANISATION_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


class _JsonErrors(DefaultContentNegotiation):
    """The download is a plain HttpResponse; refusals are always JSON, so a client that
    asks for the spreadsheet type still gets a readable 4xx instead of a 406."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class CensusUploadSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1)
    file = serializers.FileField()


class CensusRowErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class CensusReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    created = serializers.DictField(child=serializers.IntegerField())
    updated = serializers.DictField(child=serializers.IntegerField())
    unchanged = serializers.DictField(child=serializers.IntegerField())
    errors = CensusRowErrorSerializer(many=True)


class CensusRefusalSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = CensusRowErrorSerializer(many=True, required=False)


def _organisation(user: Any, raw: Any) -> Organisation:
    try:
        pk = serializers.IntegerField(min_value=1).run_validation(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"organisation": exc.detail}) from exc
    organisation = (
        Organisation.objects.visible_to(user).select_related("jurisdiction").filter(pk=pk).first()
    )
    if organisation is None:
        raise NotFoundError("No such organisation in your jurisdiction.")
    return organisation


class CensusAPIView(APIView):
    permission_classes = [IsAuthenticated, RegistryReader]
    parser_classes = [MultiPartParser, FormParser]
    content_negotiation_class = _JsonErrors

    @extend_schema(
        operation_id="forces_census_export",
        summary="Download the census workbook of an organisation",
        parameters=[
            OpenApiParameter(
                "organisation",
                {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                required=True,
            ),
        ],
        responses={
            (200, census.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            403: CensusRefusalSerializer,
            404: CensusRefusalSerializer,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        organisation = _organisation(request.user, request.query_params.get("organisation"))
        content = census.export_census(actor=request.user, organisation=organisation)
        response = HttpResponse(content, content_type=census.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = census.content_disposition(organisation)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        operation_id="forces_census_import",
        summary="Import a census workbook (all or nothing)",
        request={"multipart/form-data": CensusUploadSerializer},
        responses={
            200: CensusReportSerializer,
            400: CensusRefusalSerializer,
            403: CensusRefusalSerializer,
            404: CensusRefusalSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        upload = CensusUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        organisation = _organisation(request.user, upload.validated_data["organisation"])
        report = census.import_census(
            actor=request.user, organisation=organisation, upload=upload.validated_data["file"]
        )
        if not report.ok:
            return Response(
                {
                    "code": "invalid_rows",
                    "detail": f"{report.bad_rows} row(s) have problems; nothing was saved.",
                    "errors": report.as_dict()["errors"],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(report.as_dict())
