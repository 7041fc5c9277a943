"""Login, logout and the home page each role lands on."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from core.roles import Role
from forces.choices import ForceCategory, ForceStatus
from forces.models import Force


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the proxy and compose: answers 503 when the database is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One landing page; what it shows depends on the user's roles (SPEC §1)."""
    user = request.user
    if user.has_role(Role.SCREEN):
        return redirect("hall:screen")
    forces = Force.objects.visible_to(user).filter(is_active=True)
    by_status = {row["status"]: row["n"] for row in forces.values("status").annotate(n=Count("id"))}
    by_category = {
        row["category"]: row["n"] for row in forces.values("category").annotate(n=Count("id"))
    }
    own_forces = None
    if user.organisation_id and user.has_role(Role.DEPARTMENT_EDITOR, Role.FORCE_ACCOUNT):
        own_forces = (
            Force.objects.filter(organisation_id=user.organisation_id)
            .select_related("jurisdiction")
            .order_by("name")
        )
    context = {
        "roles": [Role(r).label for r in sorted(user.role_names)],
        "status_counts": [(s.value, s.label, by_status.get(s.value, 0)) for s in ForceStatus],
        "category_counts": [(c.value, c.label, by_category.get(c.value, 0)) for c in ForceCategory],
        "total_forces": sum(by_status.values()),
        "headcount": forces.aggregate(n=Count("personnel", filter=Q(personnel__is_active=True)))[
            "n"
        ],
        "own_forces": own_forces,
        "is_sync_client": user.has_role(Role.SYNC_CLIENT),
    }
    return render(request, "core/home.html", context)
