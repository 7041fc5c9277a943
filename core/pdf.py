"""PDF for every printable sheet (出动指令单, 报告, 会商记录, 通行证 …), made with WeasyPrint
(ECOSYSTEM.md).

Chinese text is set in Noto Serif/Sans CJK SC (Debian ``fonts-noto-cjk``). Official fonts
such as 仿宋_GB2312 are proprietary: put their .ttf/.otf files in the folder named by
``settings.PDF_FONT_DIR`` and they are declared with ``@font-face`` and tried first.
WeasyPrint is imported only when a PDF is made, so the rest of the site runs without it."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

__all__ = ["configured_fonts", "font_context", "html_to_pdf"]

logger = logging.getLogger(__name__)

FONT_SUFFIXES = (".ttf", ".otf")
SERIF_STACK = ['"Noto Serif CJK SC"', '"Noto Sans CJK SC"', "serif"]
SANS_STACK = ['"Noto Sans CJK SC"', '"Noto Serif CJK SC"', "sans-serif"]


def _family_name(path: Path) -> str:
    """The font's family name from its name table, else the file name."""
    try:
        from fontTools.ttLib import TTFont  # WeasyPrint depends on fontTools

        with TTFont(str(path), lazy=True) as font:
            name = font["name"].getBestFamilyName()
            if name:
                return str(name)
    except Exception:  # any unreadable font falls back to its file name
        logger.warning("cannot read the family name of %s", path)
    return path.stem


@lru_cache(maxsize=4)
def _configured_fonts(font_dir: str) -> tuple[tuple[str, str], ...]:
    folder = Path(font_dir)
    if not folder.is_dir():
        logger.warning("PDF_FONT_DIR %s is not a folder", folder)
        return ()
    return tuple(
        (_family_name(path), path.resolve().as_uri())
        for path in sorted(folder.iterdir())
        if path.suffix.lower() in FONT_SUFFIXES
    )


def configured_fonts() -> tuple[tuple[str, str], ...]:
    """(family, file URI) of every font in ``PDF_FONT_DIR``; empty when it is not set."""
    font_dir = getattr(settings, "PDF_FONT_DIR", None)
    return _configured_fonts(str(font_dir)) if font_dir else ()


def font_context() -> dict[str, Any]:
    fonts = configured_fonts()
    families = [f'"{family}"' for family in dict(fonts)]
    return {
        "font_faces": [{"family": family, "url": url} for family, url in fonts],
        "serif_fonts": ", ".join(dict.fromkeys(families + SERIF_STACK)),
        "sans_fonts": ", ".join(dict.fromkeys(families + SANS_STACK)),
    }


def html_to_pdf(html: str) -> bytes:
    """Lay out ``html`` as PDF. Only local files and data URIs are fetched: the sheet must
    print on a closed network, and a fetch back to this server could wait on itself."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    base_url = Path(settings.BASE_DIR).resolve().as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
