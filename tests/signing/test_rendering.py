"""Documents as WeasyPrint draws them: every Vietnamese letter in the embedded
DejaVu faces, a QR code that a reader decodes to the verification page, the
header's two columns side by side, and the same layout with the documents'
own user-agent stylesheet as with WeasyPrint's."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import weasyprint
import zxingcpp
from django.template.loader import render_to_string
from PIL import Image

from signing.rendering import DocumentHTML, _fonts, _stylesheet, qr_data_uri, render_pdf
from tests.signing.conftest import pdf_text, read_document, run_tool
from workflow.documents import TEMPLATES, verify_url

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


# The elements signing/static/signing/document-ua.css gives their defaults (span needs none).
ELEMENTS = {"html", "head", "meta", "title", "body", "div", "span", "p", "h1", "br", "strong", "b", "em", "i", "u",
            "img", "table", "thead", "tbody", "tr", "th", "td"}  # fmt: skip
TEMPLATE_FOLDER = Path(__file__).resolve().parents[2] / "signing" / "templates" / "signing"
WHEN = datetime(2026, 2, 10, 14, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
FULL_CONTEXT = {
    "form_no": "Mẫu số 01",
    "agency_parent": "Ủy ban nhân dân thành phố Đà Nẵng",
    "agency_name": "Sở Xây dựng",
    "place": "Đà Nẵng",
    "issued_at": WHEN,
    "dossier_code": "SXD-260210-0001",
    "applicant_name": "Nguyễn Thị Hồng Nhung",
    "applicant_id_number": "048190000123",
    "procedure_name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "procedure_code": "1.009994",
    "channel": "Trực tuyến",
    "time_limit": "15",
    "received_at": WHEN,
    "due_at": WHEN,
    "previous_due_at": WHEN,
    "papers": [{"label": "Đơn đề nghị cấp giấy phép xây dựng", "count": 1}, {"label": "Bản vẽ thiết kế", "count": 2}],
    "data_rows": [{"label": "Địa chỉ công trình", "value": "12 Lê Duẩn, phường Hải Châu"},
                  {"label": "Số tầng", "value": "3"}],
    "reason": "Thiếu bản sao giấy chứng nhận quyền sử dụng đất.",
    "signer_name": "Trần Văn Bình",
    "signer_title": "Lãnh đạo ký duyệt",
    "verify_url": "https://dichvucong.danang.gov.vn/verify/8b0c2f6e-7a51-4d8e-9a43-1f0d2c7e5b11/",
}  # fmt: skip


def words(path: Path) -> list[str]:
    """Each word poppler reads from the PDF with its box, in reading order."""
    return re.findall(r"<word [^>]*>[^<]*</word>", run_tool("pdftotext", "-bbox", str(path), "-"))


def word_boxes(path: Path) -> dict[str, tuple[float, float]]:
    """The first box (left, top) of each word of the PDF."""
    boxes: dict[str, tuple[float, float]] = {}
    for word in words(path):
        x, y, text = re.match(r'<word xMin="([\d.]+)" yMin="([\d.]+)".*>([^<]*)</word>', word).groups()
        boxes.setdefault(text, (float(x), float(y)))
    return boxes


def test_the_templates_use_only_elements_the_document_stylesheet_knows():
    used = {
        tag.lower()
        for template in TEMPLATE_FOLDER.glob("*.html")
        for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", template.read_text(encoding="utf-8"))
    }
    assert used <= ELEMENTS, f"add the defaults of {sorted(used - ELEMENTS)} to document-ua.css and ELEMENTS"


@pytest.mark.parametrize("template", sorted({template for template, _, _ in TEMPLATES.values()}))
def test_documents_lay_out_as_with_weasyprints_own_stylesheet(template, tmp_path):
    html = render_to_string(
        template, {**FULL_CONTEXT, "title": template, "qr": qr_data_uri(FULL_CONTEXT["verify_url"])}
    )
    for name, cls in (("weasyprint", weasyprint.HTML), ("document", DocumentHTML)):
        (tmp_path / f"{name}.pdf").write_bytes(
            cls(string=html).write_pdf(stylesheets=[_stylesheet()], font_config=_fonts())
        )
    laid_out = words(tmp_path / "document.pdf")
    assert len(laid_out) > 80
    assert laid_out == words(tmp_path / "weasyprint.pdf")


def test_the_national_heading_and_the_date_stand_level_with_the_agency_and_the_number(tmp_path):
    path = tmp_path / "receipt.pdf"
    path.write_bytes(render_pdf("signing/receipt.html", {**FULL_CONTEXT, "title": "Giấy tiếp nhận"}))
    boxes = word_boxes(path)
    agency_x, agency_y = boxes["ỦY"]
    nation_x, nation_y = boxes["CỘNG"]
    assert abs(nation_y - agency_y) < 1 and nation_x > agency_x + 150
    number_x, number_y = boxes["Số:"]
    place_x, place_y = boxes["Đà"]
    assert abs(place_y - number_y) < 1 and place_x > number_x + 150
    # The agency's own name under its parent, and the motto under the nation's name.
    assert boxes["SỞ"][1] > agency_y + 5 and boxes["Độc"][1] > nation_y + 5
    # The signer's block beside the QR code, both under the body.
    assert boxes["(Đã"][1] > boxes["Vào"][1] and boxes["(Đã"][0] > boxes["Tra"][0] + 150
