"""Documents as PDFs: a Django template rendered by WeasyPrint with fonts that
carry Vietnamese diacritics (DejaVu, from fonts-dejavu-core), and a QR code
(segno) to the document's public verification page. The font configuration
and stylesheet are loaded once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import segno
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

STYLESHEET = Path(__file__).parent / "static" / "signing" / "document.css"


@cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@cache
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET), font_config=_fonts())


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as a PNG of one pixel per module (the stylesheet
    scales it up without smoothing). WeasyPrint embeds a PNG as it is, where
    it would parse and draw an SVG path of hundreds of segments per document."""
    return segno.make(url, error="m").png_data_uri(scale=1, border=1)


@cache
def load_fonts() -> None:
    """Lay out a sample document once per process: Pango loads the faces
    (regular, bold, italic) and Pillow its PNG reader on first use, which
    costs more than a page."""
    render_pdf("signing/base_document.html", {"title": "Tiếng Việt", "dossier_code": "—", "verify_url": "—"})


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` with ``context`` (plus ``qr`` when it has ``verify_url``) to PDF bytes."""
    if context.get("verify_url"):
        context = {**context, "qr": qr_data_uri(context["verify_url"])}
    html = render_to_string(template_name, context)
    return HTML(string=html).write_pdf(stylesheets=[_stylesheet()], font_config=_fonts())
