"""The printable report (报告) as PDF (core.pdf: WeasyPrint, Noto CJK, or the official
fonts in ``settings.PDF_FONT_DIR`` tried first)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from command.models import IncidentReport
from core.pdf import font_context, html_to_pdf


def report_html(report: IncidentReport) -> str:
    """``report`` comes with its incident (and jurisdiction), submitter and attachments."""
    incident = report.incident
    bureau = (
        report.submitted_by.organisation
        if report.submitted_by and report.submitted_by.organisation_id
        else None
    )
    context = {
        "report": report,
        "incident": incident,
        "sender": bureau.name if bureau else f"{incident.jurisdiction.name}应急管理局",
        "printed_at": timezone.now(),
        **font_context(),
    }
    return render_to_string("command/reports/report_pdf.html", context)


def report_pdf(report: IncidentReport) -> bytes:
    return html_to_pdf(report_html(report))
