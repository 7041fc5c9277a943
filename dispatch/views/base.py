"""What the dispatch pages share: page size, pagination, the labels of an order's steps."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

PAGE_SIZE = 25

STEP_LABELS = {
    "acknowledge": gettext_lazy("Acknowledge the order"),
    "depart": gettext_lazy("Report departure"),
    "arrive": gettext_lazy("Report arrival on scene"),
    "complete": gettext_lazy("Report the task completed"),
    "result": gettext_lazy("Report the result"),
}


def _page(request: HttpRequest, qs) -> tuple[Any, str]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
