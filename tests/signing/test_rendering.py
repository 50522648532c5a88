"""Documents as WeasyPrint draws them: every Vietnamese letter in the embedded
DejaVu faces, and a QR code that a reader decodes to the verification page."""

from __future__ import annotations

import unicodedata

import zxingcpp
from PIL import Image

from signing.rendering import render_pdf
from tests.signing.conftest import pdf_text, read_document, run_tool
from workflow.documents import verify_url

# Each vowel (a ă â e ê i o ô ơ u ư y) with the six tones (none, huyền, sắc, hỏi, ngã, nặng) as one word, and đ.
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
WORDS = ["".join(unicodedata.normalize("NFC", vowel + tone) for tone in TONES) for vowel in "aăâeêioôơuưy"] + ["đ"]
LETTERS = " ".join(WORDS)


def test_every_vietnamese_letter_is_drawn_with_the_document_fonts(tmp_path):
    pdf = tmp_path / "letters.pdf"
    pdf.write_bytes(
        render_pdf(
            "signing/refusal.html",
            # Regular in the body, bold in the name, italic in the reason, bold capitals in the header.
            {"title": "Thử", "agency_name": LETTERS, "applicant_name": LETTERS, "reason": LETTERS},
        )
    )
    text = " ".join(unicodedata.normalize("NFC", pdf_text(pdf)).split())
    assert text.count(LETTERS) == 3
    assert all(word.upper() in text for word in WORDS)
    fonts = run_tool("pdffonts", str(pdf)).splitlines()[2:]
    assert sorted(line.split()[0].split("+")[1] for line in fonts) == [
        "DejaVu-Serif",
        "DejaVu-Serif-Bold",
        "DejaVu-Serif-Italic",
    ]
    assert all(" yes yes yes " in line for line in fonts)  # embedded, subset, with a ToUnicode map


def test_the_qr_code_is_the_verification_url_one_pixel_per_module(signed_result, tmp_path):
    path = tmp_path / "result.pdf"
    path.write_bytes(read_document(signed_result))
    listing = run_tool("pdfimages", "-list", str(path)).splitlines()[2:]
    assert len(listing) == 1
    assert listing[0].split()[9] == "no"  # not interpolated: the modules stay sharp when scaled up
    run_tool("pdfimages", "-png", str(path), str(tmp_path / "image"))
    image = Image.open(tmp_path / "image-000.png").convert("L")

    # Scaled up as a printer would, the embedded image reads as the document's verification URL ...
    scaled = image.resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST)
    code = zxingcpp.read_barcode(scaled, formats=zxingcpp.BarcodeFormat.QRCode)
    assert code is not None
    assert code.text == verify_url(signed_result.token)
    assert code.extra["ECLevel"] == "M"
    # ... at one pixel per module, with the standard's quiet zone of 4 modules on each side.
    modules = 17 + 4 * int(code.extra["Version"])
    assert image.size == (modules + 8, modules + 8)


def test_the_qr_code_reads_from_the_printed_page(signed_result, tmp_path):
    path = tmp_path / "result.pdf"
    path.write_bytes(read_document(signed_result))
    run_tool("pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", str(path), str(tmp_path / "page"))
    page = Image.open(tmp_path / "page.png")
    code = zxingcpp.read_barcode(page, formats=zxingcpp.BarcodeFormat.QRCode)
    assert code is not None
    assert code.text == verify_url(signed_result.token)
