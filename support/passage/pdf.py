"""The printable vehicle pass (应急救援车辆通行证) with its QR code: the HTML print page and
the PDF (WeasyPrint, as the printed call-out order: dispatch/pdf.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core.pdf import font_context, html_to_pdf
from support.models import VehiclePass
from support.passage.signing import pass_token


def verify_url(vehicle_pass: VehiclePass, request: Any = None) -> str:
    """The address in the QR code: SUPPORT_PASS_BASE_URL, else the printing host."""
    path = reverse("support:pass_verify", args=[pass_token(vehicle_pass)])
    base = getattr(settings, "SUPPORT_PASS_BASE_URL", "")
    if base:
        return f"{base}{path}"
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{settings.NOTIFY_PUBLIC_URL}{path}"


def qr_svg(url: str, *, scale: int = 4) -> SafeString:
    """The QR code of ``url`` as inline SVG (segno: the markup is its own, no user text)."""
    import segno

    return mark_safe(segno.make(url, error="m").svg_inline(scale=scale, title=""))


def pass_context(vehicle_pass: VehiclePass, request: Any = None, *, scale: int = 4) -> dict:
    url = verify_url(vehicle_pass, request)
    return {
        "vehicle_pass": vehicle_pass,
        "verify_url": url,
        "qr": qr_svg(url, scale=scale),
        "printed_at": timezone.now(),
        **font_context(),
    }


def pass_pdf(vehicle_pass: VehiclePass, request: Any = None) -> bytes:
    html = render_to_string(
        "support/passage/pass_pdf.html", pass_context(vehicle_pass, request, scale=3)
    )
    return html_to_pdf(html)
