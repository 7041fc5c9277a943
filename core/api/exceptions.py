"""One exception handler for the whole API: every refusal is a 4xx ``{"code", "detail"}``."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.audit import record_refusal
from core.errors import server_error_body
from core.exceptions import DomainError

logger = logging.getLogger(__name__)


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            msg = _first_message(value)
            return msg if key in ("non_field_errors", "detail") else f"{key}: {msg}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def _leaf_codes(codes: Any) -> list[str]:
    if isinstance(codes, dict):
        return [c for value in codes.values() for c in _leaf_codes(value)]
    if isinstance(codes, list):
        return [c for value in codes for c in _leaf_codes(value)]
    return [str(codes)]


def _names_only_missing_objects(exc: exceptions.ValidationError) -> bool:
    """Every error is a reference to an object that does not exist (or the caller may not
    see): the request is well-formed, what it refers to is not found (404, like a detail
    route's), which the schema cannot state and a client must not read as a bad format."""
    codes = _leaf_codes(exc.get_codes())
    return bool(codes) and all(code == "does_not_exist" for code in codes)


def _refusal_status(exc: Exception) -> int | None:
    if isinstance(exc, Http404 | exceptions.NotFound):
        return 404
    if isinstance(exc, PermissionDenied | exceptions.PermissionDenied):
        return 403
    if isinstance(exc, DomainError) and exc.status_code in (403, 404):
        return exc.status_code
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    refused = _refusal_status(exc)
    if refused:
        # 等保 audit: who was refused what, from where (the refusal is answered regardless).
        record_refusal(context.get("request"), refused)
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.detail}
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(
            {"code": "invalid", "detail": _first_message(errors), "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, IntegrityError):
        logger.warning("integrity error answered as 409: %s", exc)
        return Response(
            {"code": "conflict", "detail": _("The change conflicts with existing data.")},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, DataError | OverflowError):
        # A value the database or a conversion cannot hold slipped past the serializer.
        logger.warning("out-of-range input answered as 400: %s", exc)
        set_rollback()
        return Response(
            {"code": "invalid", "detail": _("A value is out of range.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    elif isinstance(exc, DatabaseError):
        logger.exception("database unavailable")
        return Response(
            {"code": "unavailable", "detail": _("The database is unavailable; retry.")},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        # Never expected; if it happens, the client still gets the API's JSON shape.
        logger.exception("unexpected error in %s", context.get("view"), exc_info=exc)
        set_rollback()
        return Response(server_error_body(), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, exceptions.ValidationError) and _names_only_missing_objects(exc):
        response.status_code = status.HTTP_404_NOT_FOUND
        response.data = {
            "code": "not_found",
            "detail": _first_message(exc.detail),
            "errors": exc.detail,
        }
    elif isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": _first_message(exc.detail),
            # Always an object (the schema's Error): a bare list is the non-field errors.
            "errors": exc.detail
            if isinstance(exc.detail, dict)
            else {"non_field_errors": exc.detail},
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "code": codes if isinstance(codes, str) else "error",
            "detail": str(exc.detail),
        }
    return response
