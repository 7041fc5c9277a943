"""The printable order (出动指令单) as PDF: WeasyPrint, Chinese fonts, no network."""

from __future__ import annotations

import pytest

from core import pdf as core_pdf
from dispatch import pdf, services
from tests import factories as f

pytestmark = pytest.mark.django_db

weasyprint = pytest.importorskip("weasyprint")


@pytest.fixture
def order(incident_world):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    [order] = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    return order


def layout_text(html: str) -> str:
    """The text WeasyPrint lays out on the pages (what ends up in the PDF)."""

    def walk(box):
        if hasattr(box, "text"):
            yield box.text
        for child in getattr(box, "children", None) or []:
            yield from walk(child)

    document = weasyprint.HTML(string=html).render()
    assert len(document.pages) == 1
    return "".join(t for page in document.pages for t in walk(page._page_box))


def test_order_pdf_is_a_pdf_with_the_force_name(incident_world, order, client):
    w = incident_world
    client.force_login(w.force_account_a)
    response = client.get(f"/dispatch/orders/{order.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    assert order.number in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")

    html = pdf.render_order_html(order)
    text = layout_text(html)
    for expected in (
        w.force_a.name,
        order.number,
        w.incident_a.title,
        str(w.approver_a),
        str(w.dispatcher_a),
        order.task,
    ):
        assert expected in text


def test_chinese_text_is_set_in_noto_cjk(order):
    html = pdf.render_order_html(order)
    assert '"Noto Serif CJK SC"' in html and '"Noto Sans CJK SC"' in html
    document = weasyprint.HTML(string=html).render()
    fonts = set()

    def walk(box):
        if hasattr(box, "text") and box.text.strip():
            fonts.add(box.style["font_family"][0])
        for child in getattr(box, "children", None) or []:
            walk(child)

    walk(document.pages[0]._page_box)
    assert fonts <= {"Noto Serif CJK SC", "Noto Sans CJK SC"}


def test_font_folder_setting_declares_its_fonts_first(order, settings, tmp_path):
    font = tmp_path / "FangSong_GB2312.ttf"
    font.write_bytes(b"not really a font")
    settings.PDF_FONT_DIR = str(tmp_path)
    core_pdf._configured_fonts.cache_clear()
    try:
        html = pdf.render_order_html(order)
    finally:
        core_pdf._configured_fonts.cache_clear()
    assert '@font-face { font-family: "FangSong_GB2312"' in html
    assert font.resolve().as_uri() in html
    assert 'font-family: "FangSong_GB2312", "Noto Serif CJK SC"' in html


def test_other_jurisdiction_gets_404_for_the_pdf(incident_world, order, client):
    client.force_login(incident_world.dispatcher_b)
    assert client.get(f"/dispatch/orders/{order.pk}/pdf/").status_code == 404


def test_pdf_never_reaches_for_the_network(monkeypatch):
    """A government network is closed: remote images or stylesheets are not fetched."""
    import socket

    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("no network in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    document = pdf.html_to_pdf(
        '<link rel="stylesheet" href="http://192.0.2.1/x.css">'
        '<img src="https://192.0.2.1/logo.png"><p>出动指令单</p>'
    )
    assert document.startswith(b"%PDF")
    assert attempts == []
