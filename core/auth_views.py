"""Logging in with a password and, where due, a one-time code (TOTP); changing an
expired password.

A user who needs a second factor is *not* logged in after the password: the session
only remembers "password accepted for user n" for a few minutes, and ``login()`` runs
after the code. So no page, API call or WebSocket ever sees a half-authenticated user
(``SecondFactorMiddleware`` still refuses one that got in some other way).
"""

from __future__ import annotations

import base64
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import verify_token

from core import credentials
from core.audit import client_address
from core.models import User

PENDING_KEY = "_otp_pending"
FAILURES_KEY = "_otp_failures"
# The password step is good for this long; then the login starts again.
PENDING_SECONDS = 5 * 60


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not credentials.needs_second_factor(user):
            return super().form_valid(form)
        request = self.request
        request.session.cycle_key()
        request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "since": time.time(),
        }
        request.session[FAILURES_KEY] = 0
        if credentials.confirmed_device(user) is None:
            return redirect("otp_setup")
        return redirect("otp_verify")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["second_factor_off"] = not any(settings.OTP_REQUIRED_ROLES)
        return context


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending.get("since", 0) > PENDING_SECONDS:
        _abandon(request)
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def _abandon(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)
    request.session.pop(FAILURES_KEY, None)


def _start_again(request: HttpRequest) -> HttpResponse:
    messages.warning(request, _("Log in again with your password."))
    return redirect("login")


def _finish(request: HttpRequest, user: User, device: Any) -> HttpResponse:
    pending = request.session[PENDING_KEY]
    _abandon(request)
    login(request, user, backend=pending["backend"])
    otp_login(request, device)
    target = pending.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = settings.LOGIN_REDIRECT_URL
    return redirect(target)


def _wrong_code(request: HttpRequest) -> HttpResponse | None:
    """Count a wrong code; past the limit the half-finished login is dropped."""
    failures = request.session.get(FAILURES_KEY, 0) + 1
    request.session[FAILURES_KEY] = failures
    if failures >= settings.OTP_FAILURE_LIMIT:
        _abandon(request)
        messages.error(request, _("Too many wrong codes. Log in again with your password."))
        return redirect("login")
    return None


def _code(request: HttpRequest) -> str:
    return "".join(request.POST.get("otp_token", "").split())[:16]


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login: the six-digit code of the user's authenticator app."""
    user = _pending_user(request)
    if user is None:
        return _start_again(request)
    device = credentials.confirmed_device(user)
    if device is None:
        return redirect("otp_setup")
    error = None
    if request.method == "POST":
        code = _code(request)
        # django_otp.verify_token locks the device row and throttles repeated failures.
        verified = verify_token(user, device.persistent_id, code) if code else None
        if verified is not None:
            return _finish(request, user, verified)
        stop = _wrong_code(request)
        if stop is not None:
            return stop
        error = _("The code is wrong or expired. Enter the code your app shows now.")
    return render(request, "registration/otp_verify.html", {"error": error, "pending": user})


def _qr_svg(url: str) -> str:
    # Inline SVG: no image request, no script, nothing a Content-Security-Policy blocks.
    return mark_safe(segno.make(url, error="m").svg_inline(scale=5, light="#fff"))


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    """First login of a user who must use a second factor: scan the QR code (or type the
    key) into an authenticator app and confirm with one code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = _pending_user(request)
    if user is None:
        return _start_again(request)
    if credentials.confirmed_device(user) is not None:
        # Replacing a device takes an administrator, never just the password.
        return redirect("otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    error = None
    if request.method == "POST":
        code = _code(request)
        if code and device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            credentials.record_otp_enrolled(user=user, ip_address=client_address(request))
            messages.success(request, _("The authenticator app is set up."))
            return _finish(request, user, device)
        stop = _wrong_code(request)
        if stop is not None:
            return stop
        error = _("The code is wrong or expired. Enter the code your app shows now.")
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "error": error,
        "pending": user,
        "qr": _qr_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "registration/otp_setup.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (also where an expired password sends the user)."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def get_success_url(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return str(self.success_url)

    def form_valid(self, form):
        response = super().form_valid(form)
        credentials.record_password_changed(
            user=self.request.user, ip_address=client_address(self.request)
        )
        messages.success(self.request, _("Your password has been changed."))
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next"] = self.request.GET.get("next", "")
        context["max_age_days"] = settings.PASSWORD_MAX_AGE_DAYS
        return context


def extend_screen_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """user_logged_in: the wall display (role screen) is watched, not touched; its
    session lasts SCREEN_SESSION_HOURS instead of the idle timeout."""
    from core.roles import Role

    if request is not None and hasattr(request, "session") and user.has_role(Role.SCREEN):
        request.session.set_expiry(settings.SCREEN_SESSION_HOURS * 3600)
