"""The printable report (报告) as PDF, made with WeasyPrint like the printed order
(dispatch/pdf.py, whose font rules it follows: Noto CJK, or the official fonts in
``settings.PDF_FONT_DIR`` tried first). Command sits below dispatch, so the few lines
are repeated here rather than imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from command.models import IncidentReport

FONT_SUFFIXES = (".ttf", ".otf")
SERIF_STACK = ['"Noto Serif CJK SC"', '"Noto Sans CJK SC"', "serif"]


def font_context() -> dict[str, Any]:
    font_dir = getattr(settings, "PDF_FONT_DIR", None)
    faces = []
    if font_dir and Path(font_dir).is_dir():
        faces = [
            {"family": path.stem, "url": path.resolve().as_uri()}
            for path in sorted(Path(font_dir).iterdir())
            if path.suffix.lower() in FONT_SUFFIXES
        ]
    families = [f'"{face["family"]}"' for face in faces]
    return {"font_faces": faces, "serif_fonts": ", ".join(dict.fromkeys(families + SERIF_STACK))}


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
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    base_url = Path(settings.BASE_DIR).resolve().as_uri() + "/"
    return weasyprint.HTML(
        string=report_html(report), base_url=base_url, url_fetcher=fetcher
    ).write_pdf()
