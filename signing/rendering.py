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
    return segno.make(url, error="m").svg_data_uri(scale=3, border=1)


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` with ``context`` (plus ``qr`` when it has ``verify_url``) to PDF bytes."""
    if context.get("verify_url"):
        context = {**context, "qr": qr_data_uri(context["verify_url"])}
    html = render_to_string(template_name, context)
    return HTML(string=html).write_pdf(stylesheets=[_stylesheet()], font_config=_fonts())
