"""Response manuals and their instruction lists (Tieling 附件1 §13): the hazard × level
grid of a jurisdiction, a manual's page, and the form that writes a manual with its
instruction list (lines added, removed and reordered). The bureau edits
(permissions.can_manage_manuals); everyone who commands or is tasked reads.

Every write goes through response.services.save_manual; outside the user's reach a
manual is 404, the wrong role 403 (core.web).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError
from core.models import Jurisdiction
from core.roles import Role
from core.web import RoleRequiredMixin, raise_for
from response import permissions, services
from response.choices import ResponseHazard, ResponseLevel
from response.forms import ManualForm, ManualLineFormSet, manual_departments
from response.models import ManualInstruction, ResponseManual

# Who opens the manual pages: who commands, the brigade, and the departments tasked.
MANUAL_READERS = (
    Role.DUTY_OFFICER,
    Role.BUREAU_APPROVER,
    Role.ADMINISTRATOR,
    Role.FIRE_DISPATCHER,
    Role.DEPARTMENT_EDITOR,
)
# Level IV first: the order a manual's levels are written and raised in.
LEVELS_LOW_FIRST = [ResponseLevel.IV, ResponseLevel.III, ResponseLevel.II, ResponseLevel.I]


def may_read_manuals(user: Any) -> bool:
    return user.is_superuser or user.has_role(*MANUAL_READERS)


def readable_manuals(user: Any) -> QuerySet[ResponseManual]:
    """The manuals of the user's jurisdiction and below, and those of its ancestors (a
    county works with the city's manual where it has none of its own)."""
    if user.is_superuser:
        return ResponseManual.objects.all()
    jurisdiction = user.jurisdiction
    if jurisdiction is None:
        return ResponseManual.objects.none()
    return ResponseManual.objects.filter(
        Q(jurisdiction__path__startswith=jurisdiction.path)
        | Q(jurisdiction__code__in=jurisdiction.ancestors_and_self())
    )


def _chosen_jurisdiction(request: HttpRequest) -> Jurisdiction:
    """The user's jurisdiction, or one below it named by ?j=<code>."""
    user = request.user
    code = request.GET.get("j", "") or request.POST.get("j", "")
    own = user.jurisdiction
    if not code:
        if own is None:
            root = Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
            if root is None:
                raise Http404(_("No jurisdiction."))
            return root
        return own
    jurisdiction = Jurisdiction.objects.filter(code=code).first()
    if jurisdiction is None or not (
        user.is_superuser or (own is not None and own.contains(jurisdiction))
    ):
        raise Http404(_("No such jurisdiction."))
    return jurisdiction


class ManualReaderMixin(RoleRequiredMixin):
    def allowed(self, user: Any) -> bool:
        return may_read_manuals(user)


class ManualListView(ManualReaderMixin, View):
    """The hazard × level grid: the jurisdiction's own manual in each cell, else the one it
    inherits from the nearest jurisdiction above, else a gap the bureau should fill."""

    def get(self, request: HttpRequest) -> HttpResponse:
        jurisdiction = _chosen_jurisdiction(request)
        codes = jurisdiction.ancestors_and_self()
        depth = {code: i for i, code in enumerate(codes)}
        manuals = list(
            ResponseManual.objects.filter(jurisdiction__code__in=codes)
            .select_related("jurisdiction")
            .annotate(line_count=Count("instructions"))
        )
        nearest: dict[tuple[str, str], ResponseManual] = {}
        for manual in sorted(manuals, key=lambda m: depth[m.jurisdiction.code]):
            nearest[(manual.hazard, manual.level)] = manual
        can_manage = permissions.can_manage_manuals(request.user, jurisdiction)
        rows = []
        for hazard, hazard_label in ResponseHazard.choices:
            cells = []
            for level in LEVELS_LOW_FIRST:
                manual = nearest.get((hazard, level))
                cells.append(
                    {
                        "hazard": hazard,
                        "level": level.value,
                        "manual": manual,
                        "inherited": manual is not None
                        and manual.jurisdiction_id != jurisdiction.pk,
                    }
                )
            rows.append({"hazard": hazard, "label": hazard_label, "cells": cells})
        below = []
        if request.user.jurisdiction is not None or request.user.is_superuser:
            below = list(
                Jurisdiction.objects.filter(parent=jurisdiction).order_by("code")
                if jurisdiction.level not in ("township", "village")
                else []
            )
        parent = jurisdiction.parent
        own = request.user.jurisdiction
        may_go_up = parent is not None and (
            request.user.is_superuser or (own is not None and own.contains(parent))
        )
        return render(
            request,
            "response/manuals/list.html",
            {
                "jurisdiction": jurisdiction,
                "levels": [(level.value, level.label) for level in LEVELS_LOW_FIRST],
                "rows": rows,
                "can_manage": can_manage,
                "below": below,
                "parent": parent if may_go_up else None,
            },
        )


def _with_lines(qs: QuerySet[ResponseManual]) -> QuerySet[ResponseManual]:
    return qs.select_related("jurisdiction").prefetch_related(
        Prefetch(
            "instructions",
            queryset=ManualInstruction.objects.select_related("department").order_by(
                "position", "id"
            ),
        )
    )


class ManualDetailView(ManualReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        manual = get_object_or_404(_with_lines(readable_manuals(request.user)), pk=pk)
        return render(
            request,
            "response/manuals/detail.html",
            {
                "manual": manual,
                "lines": list(manual.instructions.all()),
                "can_manage": permissions.can_manage_manuals(request.user, manual.jurisdiction),
            },
        )


def _form_page(
    request: HttpRequest,
    *,
    form: ManualForm,
    formset: Any,
    jurisdiction: Jurisdiction,
    manual: ResponseManual | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "response/manuals/form.html",
        {"form": form, "formset": formset, "jurisdiction": jurisdiction, "manual": manual},
        status=status,
    )


class ManualFormView(ManualReaderMixin, View):
    """Write a manual (new: ?j=&hazard=&level=) or change one: its title, conditions and
    instruction list. The lines are replaced as a whole by save_manual."""

    def _manual(self, request: HttpRequest, pk: int | None) -> ResponseManual | None:
        if pk is None:
            return None
        return get_object_or_404(_with_lines(readable_manuals(request.user)), pk=pk)

    def _jurisdiction(self, request: HttpRequest, manual: ResponseManual | None) -> Jurisdiction:
        jurisdiction = manual.jurisdiction if manual else _chosen_jurisdiction(request)
        if not permissions.can_manage_manuals(request.user, jurisdiction):
            raise PermissionDenied(
                _("Only the emergency bureau of this jurisdiction edits its manuals.")
            )
        return jurisdiction

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        manual = self._manual(request, pk)
        jurisdiction = self._jurisdiction(request, manual)
        departments = manual_departments(jurisdiction)
        if manual is None:
            hazard = request.GET.get("hazard", "")
            level = request.GET.get("level", "")
            existing = ResponseManual.objects.filter(
                jurisdiction=jurisdiction, hazard=hazard, level=level
            ).first()
            if existing is not None:
                return HttpResponseRedirect(reverse("response:manual_edit", args=[existing.pk]))
            initial: dict[str, Any] = {"hazard": hazard, "level": level}
            if hazard in ResponseHazard.values and level in ResponseLevel.values:
                initial["title"] = _("%(place)s %(hazard)s emergency response, %(level)s") % {
                    "place": jurisdiction.name,
                    "hazard": ResponseHazard(hazard).label,
                    "level": ResponseLevel(level).label,
                }
            form = ManualForm(initial=initial)
            formset = ManualLineFormSet(prefix="lines", departments=departments)
        else:
            form = ManualForm(
                initial={
                    "title": manual.title,
                    "hazard": manual.hazard,
                    "level": manual.level,
                    "conditions": manual.conditions,
                },
                fixed=True,
            )
            formset = ManualLineFormSet(
                prefix="lines",
                departments=departments,
                initial=[
                    {
                        "text": line.text,
                        "department": line.department,
                        "deadline_minutes": line.deadline_minutes,
                    }
                    for line in manual.instructions.all()
                ],
            )
        return _form_page(
            request, form=form, formset=formset, jurisdiction=jurisdiction, manual=manual
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        manual = self._manual(request, pk)
        jurisdiction = self._jurisdiction(request, manual)
        departments = manual_departments(jurisdiction)
        if manual is None:
            form = ManualForm(request.POST)
        else:
            form = ManualForm(
                request.POST,
                initial={"hazard": manual.hazard, "level": manual.level},
                fixed=True,
            )
        formset = ManualLineFormSet(request.POST, prefix="lines", departments=departments)
        forms_valid = form.is_valid()
        lines_valid = formset.is_valid()
        if not (forms_valid and lines_valid):
            return _form_page(
                request,
                form=form,
                formset=formset,
                jurisdiction=jurisdiction,
                manual=manual,
                status=400,
            )
        data = form.cleaned_data
        try:
            saved = services.save_manual(
                actor=request.user,
                jurisdiction=jurisdiction,
                hazard=data["hazard"],
                level=data["level"],
                title=data["title"],
                conditions=data["conditions"],
                lines=[
                    services.ManualLine(
                        text=line["text"],
                        department=line["department"],
                        deadline_minutes=line["deadline_minutes"],
                    )
                    for line in formset.kept()
                ],
                manual_id=manual.pk if manual else None,
            )
        except DomainError as exc:
            raise_for(exc)
            form.add_domain_error(exc)
            return _form_page(
                request,
                form=form,
                formset=formset,
                jurisdiction=jurisdiction,
                manual=manual,
                status=409 if exc.status_code == 409 else 400,
            )
        messages.success(request, _("Manual saved."))
        return HttpResponseRedirect(reverse("response:manual_detail", args=[saved.pk]))


urlpatterns = [
    path("manuals/", ManualListView.as_view(), name="manual_list"),
    path("manuals/new/", ManualFormView.as_view(), name="manual_create"),
    path("manuals/<int:pk>/", ManualDetailView.as_view(), name="manual_detail"),
    path("manuals/<int:pk>/edit/", ManualFormView.as_view(), name="manual_edit"),
]
