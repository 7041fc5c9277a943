"""The printable record of a 会商研判 meeting (会商研判纪要) as PDF (core.pdf: WeasyPrint,
Noto CJK, or the official fonts in ``settings.PDF_FONT_DIR``)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from command.models import Consultation
from core.pdf import font_context, html_to_pdf


def consultation_context(consultation: Consultation) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "departments": list(consultation.departments.all()),
        "experts": list(consultation.experts.all()),
        "printed_at": timezone.now(),
        **font_context(),
    }


def render_consultation_html(consultation: Consultation) -> str:
    return render_to_string(
        "command/consultations/consultation_pdf.html", consultation_context(consultation)
    )


def consultation_pdf(consultation: Consultation) -> bytes:
    """Only local files and data URIs are fetched (a closed network prints it too)."""
    return html_to_pdf(render_consultation_html(consultation))
