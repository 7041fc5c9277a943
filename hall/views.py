"""The home page (SPEC §1), the command-hall screen (指挥大厅大屏) and the duty-officer
dashboard (值班看板), SPEC §3:
a map of open incidents and forces, the live event feed and the counters that matter now.

Both pages read the database only. Channels merely rings the doorbell (RELIABILITY.md):
the live client (``static/js/live.js``) fetches the events, and on each one the screen
re-reads ``screen_data`` and the dashboard re-fetches its htmx panels — never a reload.
Every read goes through ``visible_to(user)`` and costs a fixed number of queries.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from core import visibility
from core.roles import Role
from core.web import latest_seq, require_roles
from dispatch.choices import OrderStatus
from forces.choices import ForceStatus
from hall import selectors

# The kiosk and everyone who commands may watch the hall; only those who act use the
# dashboard. Force accounts, department editors, experts and the provincial client see
# neither (SPEC §1 roles).
SCREEN_ROLES = tuple(sorted(visibility.HALL_ROLES))
DASHBOARD_ROLES = (
    Role.DUTY_OFFICER,
    Role.BUREAU_APPROVER,
    Role.FIRE_DISPATCHER,
    Role.ADMINISTRATOR,
)


@require_roles(SCREEN_ROLES)
def screen(request: HttpRequest) -> HttpResponse:
    """The full-screen, dark command-hall page. The last events are rendered here for the
    first paint; ``data-live-seq`` tells the live client where to resume."""
    user = request.user
    labels = selectors.screen_labels()
    jurisdiction = selectors.screen_jurisdiction(user)
    outline = (
        selectors.outline_file(tuple(jurisdiction.ancestors_and_self())) if jurisdiction else None
    )
    first_paint = selectors.feed_events(user, after=None, limit=selectors.FIRST_PAINT_EVENTS)
    events = [selectors.serialise_event(e, labels) for e in reversed(first_paint)]
    data = selectors.build_screen_data(user)
    config = {
        "dataUrl": reverse("hall:screen_data"),
        "feedUrl": reverse("hall:feed"),
        "wsUrl": "/ws/live/",
        "storageKey": f"linkage.hall.screen.{user.pk}",
        "jurisdiction": jurisdiction.code if jurisdiction else "",
        "outlineUrl": static(outline) if outline else "",
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "center": [
            selectors.coordinate(jurisdiction.latitude) if jurisdiction else None,
            selectors.coordinate(jurisdiction.longitude) if jurisdiction else None,
        ],
    }
    return render(
        request,
        "hall/screen.html",
        {
            "jurisdiction": jurisdiction,
            "events": events,
            "data": data,
            "labels": labels,
            "config": config,
            "last_seq": data["seq"],
            "levels": selectors.level_labels(),
            "force_statuses": ForceStatus.choices,
            "order_statuses": OrderStatus.choices,
            "can_use_dashboard": user.is_superuser or user.has_role(*DASHBOARD_ROLES),
            "alarm_config": selectors.alarm_config(),
            "command": selectors.command_panel(user),
        },
    )


@require_roles(SCREEN_ROLES)
def screen_data(request: HttpRequest) -> JsonResponse:
    """Counters, open incidents and forces for the map, and the latest sequence number."""
    response = JsonResponse(
        selectors.build_screen_data(request.user), json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-store"
    return response


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return None
    try:
        return max(int(raw), 0)
    except ValueError as exc:
        raise Http404(f"bad {name}") from exc


@require_roles(SCREEN_ROLES)
def feed(request: HttpRequest) -> JsonResponse:
    """Feed events after ``after`` (oldest first), or the latest ``limit`` without it."""
    try:
        after = _int_param(request, "after")
        limit = _int_param(request, "limit") or selectors.FEED_LIMIT_DEFAULT
    except Http404:
        return JsonResponse(
            {"code": "invalid", "detail": "after and limit are non-negative integers"}, status=400
        )
    limit = min(limit, selectors.FEED_LIMIT_MAX)
    labels = selectors.screen_labels()
    events = selectors.feed_events(request.user, after=after, limit=limit)
    body = {
        "events": [selectors.serialise_event(e, labels) for e in events],
        "last_seq": events[-1].seq if events else (after or 0),
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


# --- home ----------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One landing page; what it shows depends on the user's roles (SPEC §1)."""
    user = request.user
    if user.has_role(Role.SCREEN):
        return redirect("hall:screen")
    context = {
        "roles": [Role(r).label for r in sorted(user.role_names)],
        **selectors.force_summary(user),
        "own_forces": selectors.own_forces(user),
        "is_sync_client": user.has_role(Role.SYNC_CLIENT),
    }
    return render(request, "hall/home.html", context)


@require_roles(DASHBOARD_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The duty-officer dashboard: four panels, each re-fetched as an htmx partial when
    the live client reports an event."""
    now = timezone.now()
    context = {
        "last_seq": latest_seq(request.user),
        "now": now,
        "panels": [(name, build(request.user, now)) for name, build in selectors.PANELS.items()],
        # A live region (static/js/live.js), refreshed on warning events.
        "warnings_panel": selectors.warnings_panel(request.user, now),
        "storage_key": f"linkage.hall.dashboard.{request.user.pk}",
        "alarm_config": selectors.alarm_config(),
    }
    return render(request, "hall/dashboard.html", context)


@require_roles(DASHBOARD_ROLES)
def dashboard_panel(request: HttpRequest, name: str) -> HttpResponse:
    build = selectors.PANELS.get(name)
    if build is None:
        raise Http404("no such panel")
    now = timezone.now()
    return render(
        request,
        f"hall/_dashboard_{name}.html",
        {"panel": build(request.user, now), "now": now},
    )
