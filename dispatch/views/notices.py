"""Notices for the record: the department's and the bureau's list."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from core.web import RoleRequiredMixin
from dispatch import permissions, selectors
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
            {"page": page, "query": query, "status": status, "statuses": NoticeStatus.choices},
        )
