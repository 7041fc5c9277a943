"""Django's error views (handler400/403/404/500): under /api/ they answer the API's JSON
``{"code", "detail"}``, elsewhere the platform's own pages. The 500 view touches neither
the database nor the session, which may be what failed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"code": "invalid", "detail": _("Bad request (400)")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        body = {"code": "permission_denied", "detail": _("Access denied (403)")}
        return JsonResponse(body, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(server_error_body(), status=500)
    return defaults.server_error(request)


def server_error_body() -> dict[str, str]:
    return {
        "code": "server_error",
        "detail": _("The server could not complete the request; the error has been logged."),
    }
