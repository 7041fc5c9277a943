"""The printable order (出动指令单) as PDF (core.pdf: WeasyPrint, the CJK fonts and
``PDF_FONT_DIR``)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from core.pdf import configured_fonts, font_context, html_to_pdf
from dispatch.models import CallOutOrder
from dispatch.policies import deadlines_for

__all__ = [
    "configured_fonts",
    "font_context",
    "html_to_pdf",
    "order_context",
    "order_pdf",
    "render_order_html",
]


def order_context(order: CallOutOrder) -> dict[str, Any]:
    """Everything printed on the order; ``order`` comes with its plan, incident and force."""
    plan = order.plan
    arrival = deadlines_for(order.force, plan.incident).arrival
    return {
        "order": order,
        "plan": plan,
        "incident": plan.incident,
        "force": order.force,
        "arrival_minutes": int(arrival.total_seconds() // 60) if arrival else None,
        "printed_at": timezone.now(),
        **font_context(),
    }


def render_order_html(order: CallOutOrder) -> str:
    return render_to_string("dispatch/order_pdf.html", order_context(order))


def order_pdf(order: CallOutOrder) -> bytes:
    """The PDF bytes of one order."""
    return html_to_pdf(render_order_html(order))
