"""What the notification pages share: page size, pagination, the operators' base view."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest

from core.web import RoleRequiredMixin
from notify import permissions

PAGE_SIZE = 25


def paged(request: HttpRequest, qs, size: int = PAGE_SIZE) -> tuple[Any, str]:
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


class OperatorView(RoleRequiredMixin):
    """Administrators and duty officers, each for their jurisdiction."""

    def allowed(self, user: Any) -> bool:
        return permissions.can_manage_notifications(user)
