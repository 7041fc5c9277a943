"""Health check, the lockout answer, phone reveal and the audit page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the proxy and compose: answers 503 when the database is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE): the API's error
    format under /api/, a page in Chinese elsewhere; HTTP 429 either way."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    detail = (
        _("Too many failed logins. Try again in %(minutes)d minutes or ask an administrator.")
        % {"minutes": minutes}
        if minutes
        else _("Too many failed logins. Ask an administrator to unlock the account.")
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": detail}, status=429)
    return render(request, "registration/locked_out.html", {"detail": detail}, status=429)


@login_required
def reveal_phone(request: HttpRequest) -> HttpResponse:
    """``POST model, pk, field`` → the full number as a ``tel:`` link (an htmx swap of
    the masked one). Logged; 403 for a role that may not, 404 outside the jurisdiction."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.utils.html import format_html

    from core import services
    from core.audit import client_address
    from core.exceptions import NotFoundError, PermissionDeniedError

    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    try:
        pk = int(request.POST.get("pk", ""))
    except ValueError:
        raise Http404 from None
    try:
        number = services.reveal_phone(
            actor=request.user,
            model_label=request.POST.get("model", ""),
            pk=pk,
            field=request.POST.get("field", ""),
            ip_address=client_address(request),
        )
    except NotFoundError:
        raise Http404 from None
    except PermissionDeniedError:
        raise PermissionDenied from None
    digits = "".join(ch for ch in number if ch.isdigit() or ch in "+-")
    return HttpResponse(
        format_html('<a class="phone-revealed" href="tel:{}">{}</a>', digits, number)
    )


AUDIT_PAGE_SIZE = 50


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    """Security and administrative events and the reveal log of the administrator's
    jurisdiction, newest first; a POST checks the whole hash chain (``verify_audit``).
    An administrator learns only whether and where it breaks, not rows outside its
    jurisdiction."""
    from django.core.exceptions import PermissionDenied
    from django.core.paginator import Paginator

    from core import audit as trail
    from core.forms import AuditFilterForm

    user = request.user
    if not user.is_platform_admin:
        raise PermissionDenied
    report = trail.verify_chain() if request.method == "POST" else None
    tab = "reveals" if request.GET.get("tab") == "reveals" else "events"
    form = AuditFilterForm(request.GET or None)
    if tab == "reveals":
        qs = form.filter_reveals(trail.reveals_for(user).select_related("user"))
        qs = qs.order_by("-accessed_at", "-id")
    else:
        qs = form.filter_events(trail.audit_events_for(user).select_related("actor"))
        qs = qs.order_by("-seq")
    page = Paginator(qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    if tab == "events":
        for event in page.object_list:
            event.type_label = trail.type_label(event.type)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "tab": tab,
        "filter_form": form,
        "page": page,
        "query": query.urlencode(),
        "report": report,
        "show_totals": user.is_superuser,
    }
    return render(request, "core/audit.html", context)
