"""Idempotent upserts by external id (SPEC §8, provincial sync).

``PUT <list url>by-external-id/<source>:<id>/`` creates the record the first time (201)
and updates it afterwards (200), through the viewset's own create and update paths, so
the same services authorise, validate and record events. The update services compare
before they save: an identical body changes nothing and records no event.

- The external id in the URL wins; a different one in the body is a 400.
- A record with that external id outside the caller's jurisdiction is a 404, exactly
  like one that does not exist for the caller (no oracle, no 409).
- A body naming an organisation or jurisdiction outside the caller's is refused like a
  normal create: 400 with the field's error (an invisible organisation reads as one
  that does not exist).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import NotFoundError, ValidationFailed
from core.validators import EXTERNAL_ID_PATTERN, is_external_id


class ApiErrorSerializer(serializers.Serializer):
    """Every 4xx body of the API."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)


EXTERNAL_ID_PARAMETER = OpenApiParameter(
    "external_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=EXTERNAL_ID_PATTERN,
    description="`<source>:<id>`, e.g. `sd:370000-0042`.",
)


def upsert_schema(*, request: Any, response: Any) -> Any:
    """Class decorator documenting a viewset's ``upsert`` action."""
    return extend_schema_view(
        upsert=extend_schema(
            summary="Create or update by external id",
            description=(
                "Idempotent: 201 when created, 200 when updated or unchanged (an "
                "unchanged body records no event). The URL's external id wins; a "
                "different one in the body is a 400. A record with this external id "
                "outside your jurisdiction is a 404."
            ),
            parameters=[EXTERNAL_ID_PARAMETER],
            request=request,
            responses={
                200: response,
                201: response,
                400: ApiErrorSerializer,
                403: ApiErrorSerializer,
                404: ApiErrorSerializer,
            },
        )
    )


class ExternalIdUpsertMixin:
    """Adds the ``upsert`` action to a scoped model viewset.

    Defaults use the viewset's serializer with ``perform_create`` / ``perform_update``
    (which call the services); a viewset with its own input serializer overrides
    ``upsert_create``, ``upsert_update`` and ``upsert_representation``."""

    def upsert_create(self, data: Mapping[str, Any]) -> Any:
        serializer = self.get_serializer(data=data)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)  # type: ignore[attr-defined]
        return serializer.instance

    def upsert_update(self, instance: Any, data: Mapping[str, Any]) -> Any:
        serializer = self.get_serializer(instance, data=data)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)  # type: ignore[attr-defined]
        return serializer.instance

    def upsert_representation(self, instance: Any) -> Any:
        fresh = self.get_queryset().get(pk=instance.pk)  # type: ignore[attr-defined]
        return self.get_serializer(fresh).data  # type: ignore[attr-defined]

    @action(
        detail=False,
        methods=["put"],
        url_path=r"by-external-id/(?P<external_id>[^/]+)",
        url_name="upsert",
    )
    def upsert(self, request: Request, external_id: str) -> Response:
        if not is_external_id(external_id):
            raise ValidationFailed(
                _("The external id must be <source>:<id>."),
                errors={"external_id": [_("Use <source>:<id>, e.g. sd:370000-0042.")]},
            )
        if not isinstance(request.data, Mapping):
            raise ValidationFailed(
                _("The body must be a JSON object."),
                errors={"non_field_errors": [_("The body must be a JSON object.")]},
            )
        body = request.data.copy()
        given = body.get("external_id")
        if given not in (None, "") and given != external_id:
            raise ValidationFailed(
                _("The body's external id differs from the URL's."),
                errors={"external_id": [_("Must be the URL's external id or left out.")]},
            )
        body["external_id"] = external_id
        queryset = self.get_queryset()  # type: ignore[attr-defined]
        existing = self._existing_pk(queryset, external_id)
        if existing is None:
            try:
                with transaction.atomic():
                    instance = self.upsert_create(body)
                return Response(
                    self.upsert_representation(instance), status=status.HTTP_201_CREATED
                )
            except IntegrityError:
                # A concurrent upsert of the same id committed first: ours is an update.
                existing = self._existing_pk(queryset, external_id)
                if existing is None:
                    raise
        visible = queryset.filter(pk=existing).first()
        if visible is None:
            raise NotFoundError(_("No such record in your jurisdiction."))
        self.check_object_permissions(request, visible)  # type: ignore[attr-defined]
        instance = self.upsert_update(visible, body)
        return Response(self.upsert_representation(instance), status=status.HTTP_200_OK)

    @staticmethod
    def _existing_pk(queryset: Any, external_id: str) -> Any:
        manager = queryset.model._default_manager
        return manager.filter(external_id=external_id).values_list("pk", flat=True).first()
