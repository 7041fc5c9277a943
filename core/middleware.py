"""Request middleware of the platform: credential rules applied to every request of a
logged-in user (等保 2.0 level 3), and the audit of refused requests."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core import credentials
from core.audit import record_refusal

logger = logging.getLogger(__name__)

_WARNED_KEY = "_password_expiry_warned"


def _exempt(path: str) -> bool:
    """Pages a user must reach whatever its credentials say: logging in and out, the
    second-factor and password pages, static files, language switch, health check."""
    prefixes = (
        settings.STATIC_URL,
        settings.MEDIA_URL,
        "/i18n/",
        reverse("login"),
        reverse("logout"),
        reverse("password_change"),
        reverse("otp_verify"),
        reverse("otp_setup"),
        reverse("healthz"),
    )
    return path.startswith(prefixes)


def _is_page_navigation(request: HttpRequest) -> bool:
    """A page the browser shows, not a page's own polling (htmx panels, JSON fetches):
    those keep working, and the next page the user opens asks for the new password."""
    if request.method not in ("GET", "HEAD") or request.path.startswith("/api/"):
        return False
    if request.headers.get("HX-Request"):
        return False
    accept = request.headers.get("Accept", "")
    return not ("application/json" in accept and "text/html" not in accept)


class SecondFactorMiddleware:
    """A session of a user who must use a second factor but has not (a login through a
    path other than ours, or one from before the setting was turned on) is ended."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and credentials.otp_required_for(user)
            and not user.is_verified()
            and not request.path.startswith(settings.STATIC_URL)
        ):
            logout(request)
            detail = _("This account must log in with a one-time code.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "otp_required", "detail": detail}, status=401)
            messages.warning(request, detail)
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """A password older than ``PASSWORD_MAX_AGE_DAYS`` must be changed before any other
    page opens; a week before, a warning says when it expires. Unknown age (null:
    changed before the platform kept the date) never expires."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._check(request)
        return response if response is not None else self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        max_days = settings.PASSWORD_MAX_AGE_DAYS
        user = request.user
        if max_days <= 0 or not user.is_authenticated or user.password_changed_at is None:
            return None
        if not _is_page_navigation(request) or _exempt(request.path):
            return None
        now = timezone.now()
        expires = user.password_changed_at + timedelta(days=max_days)
        if now >= expires:
            messages.warning(
                request,
                _(
                    "Your password is more than %(days)d days old and has expired. "
                    "Choose a new one to continue."
                )
                % {"days": max_days},
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('password_change')}?{query}")
        warn_from = expires - timedelta(days=settings.PASSWORD_EXPIRY_WARNING_DAYS)
        if now >= warn_from and request.session.get(_WARNED_KEY) != expires.isoformat():
            request.session[_WARNED_KEY] = expires.isoformat()
            messages.info(
                request,
                _("Your password expires on %(date)s. Change it under “Change password”.")
                % {"date": formats.date_format(timezone.localtime(expires), "DATE_FORMAT")},
            )
        return None


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


class DatabaseBusyMiddleware:
    """A page whose database work could not run (no pooled connection within its
    timeout, a deadlock, a lost connection) answers 503 with Retry-After, as the API
    does: the transaction was rolled back, so retrying is safe. Rendered without the
    request's context processors, which would need the database again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database busy on %s: %s", request.path, exception)
        if request.path.startswith("/api/") or request.headers.get("Accept", "").startswith(
            "application/json"
        ):
            response = JsonResponse(
                {"code": "unavailable", "detail": _("The database is unavailable; retry.")},
                status=503,
            )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
