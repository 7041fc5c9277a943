"""The printable record of a 会商研判 meeting (会商研判纪要) as PDF, with WeasyPrint like
dispatch/pdf.py (fonts: Noto CJK, or the official ones in ``settings.PDF_FONT_DIR``).
Command sits below dispatch, so the few lines of font set-up are repeated here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from command.models import Consultation

FONT_SUFFIXES = (".ttf", ".otf")
SERIF_STACK = ['"Noto Serif CJK SC"', '"Noto Sans CJK SC"', "serif"]
SANS_STACK = ['"Noto Sans CJK SC"', '"Noto Serif CJK SC"', "sans-serif"]


def font_context() -> dict[str, Any]:
    font_dir = getattr(settings, "PDF_FONT_DIR", None)
    folder = Path(str(font_dir)) if font_dir else None
    fonts = []
    if folder is not None and folder.is_dir():
        fonts = [
            (path.stem, path.resolve().as_uri())
            for path in sorted(folder.iterdir())
            if path.suffix.lower() in FONT_SUFFIXES
        ]
    families = [f'"{family}"' for family, _url in fonts]
    return {
        "font_faces": [{"family": family, "url": url} for family, url in fonts],
        "serif_fonts": ", ".join(dict.fromkeys(families + SERIF_STACK)),
        "sans_fonts": ", ".join(dict.fromkeys(families + SANS_STACK)),
    }


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
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    base_url = Path(settings.BASE_DIR).resolve().as_uri() + "/"
    html = render_consultation_html(consultation)
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
