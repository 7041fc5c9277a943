"""Notices for the record: the department's and the bureau's list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError
from core.web import RoleRequiredMixin, raise_for
from dispatch import permissions, selectors, services
from dispatch.choices import NoticeStatus
from dispatch.views.base import _page


class NoticeListView(RoleRequiredMixin, View):
    """Notices (报备) for the notified department and the bureau."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_list_notices(user)

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.notice_list(request.user).order_by("-recorded_at", "-id")
        status = request.GET.get("status", "")
        if status in NoticeStatus.values:
            qs = qs.filter(status=status)
        page, query = _page(request, qs)
        return render(
            request,
            "dispatch/notice_list.html",
            {
                "page": page,
                "query": query,
                "status": status,
                "statuses": NoticeStatus.choices,
                # The department whose notices this user signs for, if any.
                "signs_for": request.user.organisation_id
                if permissions.may_consent_for(request.user, request.user.organisation_id)
                else None,
            },
        )


class NoticeReadView(RoleRequiredMixin, View):
    """The department signs for its notice (签收) on the page, as its duty room can by
    SMS reply: either way the chase stops."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_list_notices(user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = get_object_or_404(selectors.notices_for(request.user), pk=pk)
        try:
            services.read_notice(actor=request.user, notice_id=notice.pk)
            messages.success(request, _("Notice signed for."))
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(reverse("dispatch:notice_list"))
