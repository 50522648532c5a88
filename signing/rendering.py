"""Documents as PDFs: a Django template rendered by WeasyPrint with fonts that
carry Vietnamese diacritics (DejaVu, from fonts-dejavu-core), and a QR code
(zxing-cpp) to the document's public verification page. The font
configuration and stylesheets are loaded once per process."""

from __future__ import annotations

import base64
import io
import threading
from functools import cache
from pathlib import Path

import zxingcpp
from django.template.loader import render_to_string
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

STYLESHEET = Path(__file__).parent / "static" / "signing" / "document.css"
USER_AGENT_STYLESHEET = Path(__file__).parent / "static" / "signing" / "document-ua.css"


@cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@cache
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET), font_config=_fonts())


@cache
def _user_agent_stylesheet() -> CSS:
    return CSS(filename=str(USER_AGENT_STYLESHEET), font_config=_fonts())


class DocumentHTML(HTML):
    """A document's HTML with the defaults of the few elements documents use
    in place of WeasyPrint's stylesheet for all of HTML: matching each element
    against that stylesheet's rules was an eighth of the render time.
    ``_ua_stylesheets`` is the hook WeasyPrint's own tests override to lighten
    their user-agent stylesheet the same way."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_user_agent_stylesheet()]


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` (error correction level M, the standard's
    4-module quiet zone) as a PNG of one pixel per module, which the
    stylesheet scales up without smoothing. WeasyPrint embeds a PNG as it is,
    where it would parse and draw an SVG path of hundreds of segments.

    zxing-cpp encodes it, choosing the mask pattern by the standard's penalty
    rules in C++: about 1 ms a code, where a pure-Python encoder spends
    7 ms on that choice alone."""
    barcode = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    pixels = memoryview(barcode.to_image(scale=1, add_quiet_zones=True))
    height, width = pixels.shape
    image = Image.frombuffer("L", (width, height), pixels.tobytes(), "raw", "L", 0, 1).convert("1")
    png = io.BytesIO()
    image.save(png, "PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")


@cache
def load_fonts() -> None:
    """Lay out a sample document once per process: Pango loads the faces
    (regular, bold, italic) and Pillow its PNG reader on first use, which
    costs more than a page."""
    render_pdf("signing/base_document.html", {"title": "Tiếng Việt", "dossier_code": "—", "verify_url": "—"})


# WeasyPrint lays text out with Pango over the process's one font configuration, which
# is not safe to use from two threads at once: concurrent layouts corrupted the heap
# ("double free or corruption" in line breaking) when a threaded server (runserver,
# gunicorn's gthread) signed two results together. Layout is Python under the GIL
# anyway, so rendering one document at a time per process costs next to nothing;
# batch signing runs in processes of their own.
_layout_lock = threading.Lock()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` with ``context`` (plus ``qr`` when it has ``verify_url``) to PDF bytes."""
    if context.get("verify_url"):
        context = {**context, "qr": qr_data_uri(context["verify_url"])}
    html = render_to_string(template_name, context)
    with _layout_lock:
        return DocumentHTML(string=html).write_pdf(stylesheets=[_stylesheet()], font_config=_fonts())
