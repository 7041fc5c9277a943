"""Request middleware of the platform."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from core.audit import record_refusal


class RefusalAuditMiddleware:
    """Audit a signed-in user's 403 or 404 raised by a page view (``security.refused``).
    The API records its own in its exception handler; an anonymous 404 of a random URL
    is noise and is not recorded. Django still answers the refusal as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Http404):
            record_refusal(request, 404)
        elif isinstance(exception, PermissionDenied):
            record_refusal(request, 403)
        return None
