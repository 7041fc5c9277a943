"""Special periods (汛期, 敏感期): the list of those that apply to the user's jurisdiction,
with the bureau's declare form and end buttons."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError
from core.web import RoleRequiredMixin, raise_for
from dispatch import permissions, selectors, services
from dispatch.choices import SpecialPeriodKind
from dispatch.forms import SpecialPeriodForm
from dispatch.policies import _in_range
from dispatch.views.base import _page


class SpecialPeriodListView(RoleRequiredMixin, View):
    """Readers of the dispatch chain see the periods; the bureau of the user's level
    declares one (POST) and ends its own."""

    def allowed(self, user: Any) -> bool:
        return permissions.can_read_dispatch(user)

    def _render(self, request: HttpRequest, form: SpecialPeriodForm | None, status=200):
        user = request.user
        today = timezone.localdate()
        level = user.jurisdiction
        declares = level is not None and permissions.may_declare_special_period(user, level)
        page, query = _page(
            request, selectors.special_periods_for(user).order_by("-starts_on", "-id")
        )
        rows = [
            {
                "period": p,
                "in_force": _in_range(p, today),
                "over": not p.recurs_yearly and p.ends_on < today,
                "can_end": declares
                and p.jurisdiction_id == level.pk
                and not p.recurs_yearly
                and p.ends_on > today,
            }
            for p in page
        ]
        return render(
            request,
            "dispatch/special_period_list.html",
            {
                "page": page,
                "query": query,
                "rows": rows,
                "form": form
                if form is not None
                else (
                    SpecialPeriodForm(
                        initial={"kind": SpecialPeriodKind.SENSITIVE, "starts_on": today}
                    )
                    if declares
                    else None
                ),
                "level": level,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, None)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SpecialPeriodForm(request.POST)
        if form.is_valid():
            try:
                period = services.declare_special_period(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
            else:
                messages.success(
                    request, _("Special period declared: %(name)s.") % {"name": period.name}
                )
                return HttpResponseRedirect(reverse("dispatch:special_period_list"))
        return self._render(request, form, status=400)


class SpecialPeriodEndView(RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return permissions.can_read_dispatch(user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            period = services.end_special_period(actor=request.user, period_id=pk)
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        else:
            if period is None:
                messages.success(request, _("The special period was withdrawn before it began."))
            else:
                messages.success(
                    request, _("Special period ended: %(name)s.") % {"name": period.name}
                )
        return HttpResponseRedirect(reverse("dispatch:special_period_list"))
