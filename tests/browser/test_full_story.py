"""The issue's acceptance story, walked only through the browser pages.

A citizen (on a 360 px phone) finds a procedure, applies with a paper, pays
and submits; the desk receives it; the specialist asks for a supplement; the
citizen supplies it; the specialist proposes, the head approves, the signer
signs, the desk returns the result (officers on a 1280 px desktop). The
citizen downloads the signed PDF and the verification page calls it valid.
And the refusal path: the desk refuses at intake with a reason, the citizen
sees why, downloads the refusal notice (form 03) and rates the service.

Only users, procedures and certificates are made directly; every move of a
dossier is a click on a page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from signing.pki import init_pki, issue_person_certificate
from signing.verification import verify_pdf
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, off_the_event_loop
from tests.factories import AgencyFactory, MembershipFactory, ProcedureFactory, UserFactory
from workflow.models import Document, Dossier, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGENCY_NAME = "Sở Xây dựng"
SIGNER_NAME = "Trần Thị Bình"
PAPERS = [
    {"name": "land_title", "label": "Giấy chứng nhận QSDĐ", "required": True, "types": ["pdf"]},
    {"name": "drawing", "label": "Bản vẽ thiết kế", "required": False, "types": ["png", "pdf"]},
]


# Helpers ------------------------------------------------------------------------------


def a_pdf() -> bytes:
    """A real one-page PDF, as a scanner would make."""
    buffer = BytesIO()
    Image.new("RGB", (120, 160), "white").save(buffer, "PDF")
    return buffer.getvalue()


def a_png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_text(data: bytes, tmp_path, name: str) -> str:
    """The text of a PDF as poppler's pdftotext reads it."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: run scripts/system-deps.sh"
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True)
    return done.stdout


def fact(page: Page, term: str):
    """The value (``<dd>``) next to a term (``<dt>``) of a facts list."""
    return page.locator("dt", has_text=re.compile(f"^{re.escape(term)}$")).locator("xpath=following-sibling::dd[1]")


def action_form(page: Page, button: str):
    """The form on an officer's dossier page whose button is ``button``."""
    return page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))


def dossier_status(page: Page):
    return page.locator(".page-head .status")


def done_message(page: Page, code: str):
    return expect(page.get_by_role("status").filter(has_text="done for dossier")).to_contain_text(code)


def download(page: Page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    with open(path, "rb") as handle:
        return handle.read()


@pytest.fixture
def cast():
    """The agency, its officers (the signer holds a certificate) and a citizen."""
    agency = AgencyFactory(code="SXD", name=AGENCY_NAME)
    staff = {
        role: MembershipFactory(agency=agency, role=role, user__username=f"sxd.{role}").user
        for role in ("desk", "specialist", "head", "signer")
    }
    staff["signer"].full_name = SIGNER_NAME
    staff["signer"].save(update_fields=["full_name"])
    UserFactory(username="an", full_name="Nguyễn Văn An", email="an@example.vn")

    def certificates():
        init_pki()  # transactional tests flush the PKI the session made
        issue_person_certificate(staff["signer"], agency)

    off_the_event_loop(certificates)
    return agency


def apply_online(citizen: Page, scan) -> str:
    """From the procedure's page: fill the form, attach the land title, save; the new dossier's code."""
    citizen.get_by_role("link", name="Apply online").click()
    expect(citizen.get_by_role("heading", name="Apply online")).to_be_visible()
    citizen.get_by_label("Họ tên").fill("Nguyễn Văn An")
    citizen.get_by_label("Giấy chứng nhận QSDĐ").set_input_files(str(scan))
    citizen.get_by_role("button", name="Save and continue").click()
    expect(citizen.get_by_role("status")).to_contain_text("Your draft")
    match = re.search(r"/dossiers/([^/]+)/$", citizen.url)
    assert match, citizen.url
    return match.group(1)


# The whole story ------------------------------------------------------------------------


def test_the_whole_story(live_server, open_as, cast, tmp_path):
    procedure = ProcedureFactory(agency=cast, name="Cấp giấy phép xây dựng nhà ở riêng lẻ", attachments=PAPERS)
    scan = tmp_path / "so-do.pdf"
    scan.write_bytes(a_pdf())

    # The citizen logs in, finds the procedure (without accents) and opens it.
    citizen = open_as("an", PHONE)
    citizen.get_by_role("navigation", name="Main menu").get_by_role("link", name="Procedures").click()
    citizen.get_by_label("Name or code").fill("giay phep xay dung nha o")
    citizen.get_by_role("button", name="Search").click()
    expect(citizen.get_by_role("heading", name="1 procedure found")).to_be_visible()
    citizen.get_by_role("link", name=procedure.name).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(procedure.name)
    expect(citizen.get_by_role("region", name="How it is processed")).to_contain_text("Thụ lý")

    # Applies with the land title, pays at the test gateway and submits.
    code = apply_online(citizen, scan)
    citizen.get_by_role("button", name="Pay the fee").click()
    expect(citizen.get_by_role("heading", name="Confirm the payment")).to_be_visible()
    citizen.get_by_role("button", name="Confirm payment").click()
    expect(citizen.get_by_role("status")).to_contain_text("The fee is paid")
    citizen.get_by_role("button", name="Submit the dossier").click()
    expect(dossier_status(citizen)).to_have_text("Submitted")
    assert fits_the_screen(citizen, PHONE["width"])

    # The desk receives it at intake; the signed receipt is there to print.
    desk = open_as("sxd.desk", DESKTOP)
    desk.get_by_role("link", name="Intake").click()
    desk.get_by_role("row").filter(has_text=code).get_by_role("button", name="Receive").click()
    notice = desk.get_by_role("status").filter(has_text="is received")
    expect(notice).to_contain_text(code)
    receipt_link = notice.get_by_role("link", name="Print the receipt (form 01)")
    receipt = desk.request.get(live_server.url + receipt_link.get_attribute("href"))
    assert receipt.status == 200
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    notice.get_by_role("link", name="Open the dossier").click()
    desk.get_by_role("button", name="Chuyển thụ lý", exact=True).click()
    done_message(desk, code)

    # The specialist takes it from the queue and asks for a supplement, with the reason.
    reason = "Thiếu bản vẽ thiết kế và diện tích xây dựng."
    specialist = open_as("sxd.specialist", DESKTOP)
    specialist.get_by_role("link", name="Work queue").click()
    row = specialist.get_by_role("row").filter(has_text=code)
    row.get_by_role("button", name="Take this dossier").click()
    expect(row.get_by_role("button", name="Take this dossier")).to_have_count(0)
    row.get_by_role("link", name="Open").click()
    ask = action_form(specialist, "Yêu cầu bổ sung")
    ask.get_by_label("Reason").fill(reason)
    ask.get_by_role("button").click()
    expect(dossier_status(specialist)).to_have_text("Awaiting supplement")

    # The citizen sees the request on the dossier page and answers it.
    citizen.reload()
    expect(dossier_status(citizen)).to_have_text("Awaiting supplement")
    request_panel = citizen.get_by_role("region", name="The agency asks for more papers")
    expect(request_panel).to_contain_text(reason)
    expect(citizen.get_by_role("link", name="Request for a supplement (form 02)")).to_be_visible()
    request_panel.get_by_role("link", name="Answer the request").click()
    expect(citizen.get_by_role("heading", name="Answer the request for papers", level=1)).to_be_visible()
    expect(citizen.get_by_text(reason)).to_be_visible()
    citizen.get_by_label("Diện tích (m²)").fill("120")
    citizen.get_by_label("Bản vẽ thiết kế").set_input_files(
        files=[{"name": "ban-ve.png", "mimeType": "image/png", "buffer": a_png()}]
    )
    citizen.get_by_label("Reason (optional)").fill("Đã bổ sung bản vẽ và diện tích.")
    assert fits_the_screen(citizen, PHONE["width"])
    citizen.get_by_role("button", name="Send the supplement").click()
    expect(citizen.get_by_role("status")).to_contain_text("Your supplement is sent")
    expect(dossier_status(citizen)).to_have_text("Processing")
    expect(citizen.get_by_role("link", name="ban-ve.png")).to_be_visible()

    # The specialist proposes, the head approves.
    specialist.reload()
    expect(dossier_status(specialist)).to_have_text("Processing")
    propose = action_form(specialist, "Trình duyệt")
    propose.get_by_label("Comment (optional)").fill("Đủ điều kiện cấp phép.")
    propose.get_by_role("button").click()
    done_message(specialist, code)

    head = open_as("sxd.head", DESKTOP)
    head.get_by_role("link", name="Work queue").click()
    head.get_by_role("row").filter(has_text=code).get_by_role("link", name="Open").click()
    head.get_by_role("button", name="Duyệt", exact=True).click()
    expect(dossier_status(head)).to_have_text("Approved")

    # The signer signs it on the batch page.
    signer = open_as("sxd.signer", DESKTOP)
    signer.get_by_role("link", name="Batch sign").click()
    signer.get_by_label(f"Sign {code}").check()
    signer.get_by_role("button", name="Sign selected").click()
    expect(signer.locator("#sign-progress-text")).to_contain_text("1 signed, 0 failed", timeout=60_000)

    # The desk returns the result.
    desk.reload()
    expect(dossier_status(desk)).to_have_text("Signed")
    desk.get_by_role("button", name="Return the result").click()
    expect(dossier_status(desk)).to_have_text("Result returned")

    # The citizen sees the result returned and downloads the signed PDF.
    citizen.reload()
    expect(dossier_status(citizen)).to_have_text("Result returned")
    result = download(citizen, citizen.get_by_role("link", name="Result", exact=True))
    assert result.startswith(b"%PDF")
    assert code in pdf_text(result, tmp_path, "result.pdf")

    # The verification page, given the downloaded file, calls it valid.
    citizen.get_by_role("link", name="Verify a signed document").click()
    citizen.get_by_label("Signed PDF file").set_input_files(
        files=[{"name": f"{code}-result.pdf", "mimeType": "application/pdf", "buffer": result}]
    )
    citizen.get_by_role("button", name="Verify", exact=True).click()
    expect(citizen.get_by_role("heading", name="✔ Valid", exact=True)).to_be_visible()
    expect(fact(citizen, "Signed by")).to_have_text(SIGNER_NAME)
    expect(fact(citizen, "Agency")).to_have_text(AGENCY_NAME)
    expect(citizen.get_by_role("listitem").filter(has_text="failed:")).to_have_count(0)
    assert fits_the_screen(citizen, PHONE["width"])
    # The same page tells a changed copy apart.
    middle = len(result) // 3
    forged = result[:middle] + bytes([result[middle] ^ 0x01]) + result[middle + 1 :]
    citizen.get_by_label("Signed PDF file").set_input_files(
        files=[{"name": "forged.pdf", "mimeType": "application/pdf", "buffer": forged}]
    )
    citizen.get_by_role("button", name="Verify", exact=True).click()
    expect(citizen.get_by_role("heading", name="✘ Not valid", exact=True)).to_be_visible()

    verification = off_the_event_loop(lambda: verify_pdf(result))
    assert verification.valid, verification.checks
    assert (verification.signer, verification.agency) == (SIGNER_NAME, AGENCY_NAME)
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.RETURNED
    assert (dossier.paid_via, dossier.data["area_m2"]) == ("online", 120)
    assert sorted(dossier.attachment_files.values_list("original_name", flat=True)) == ["ban-ve.png", "so-do.pdf"]
    assert set(dossier.documents.values_list("kind", flat=True)) == {
        Document.Kind.RECEIPT,
        Document.Kind.SUPPLEMENT_REQUEST,
        Document.Kind.RESULT,
    }


# The refusal path ---------------------------------------------------------------------------


def test_the_refusal_path(live_server, open_as, cast, tmp_path):
    procedure = ProcedureFactory(agency=cast, name="Cấp giấy phép sửa chữa nhà ở", fee_vnd=0, attachments=PAPERS)
    scan = tmp_path / "so-do.pdf"
    scan.write_bytes(a_pdf())

    citizen = open_as("an", PHONE)
    citizen.goto(f"{live_server.url}/procedures/{procedure.code}/")
    code = apply_online(citizen, scan)
    citizen.get_by_role("button", name="Submit the dossier").click()
    expect(dossier_status(citizen)).to_have_text("Submitted")

    # The desk tries to refuse without a reason: the browser keeps the form, then the server names the field.
    desk = open_as("sxd.desk", DESKTOP)
    desk.get_by_role("link", name="Intake").click()
    row = desk.get_by_role("row").filter(has_text=code)
    row.get_by_text("Refuse to receive…").click()
    reason_box = row.get_by_label("Reason")
    refuse = row.get_by_role("button", name="Refuse to receive")
    refuse.click()
    assert reason_box.evaluate("box => box.validity.valueMissing")
    expect(desk).to_have_url(re.compile(r"/officer/intake/$"))

    reason_box.fill("   ")
    refuse.click()
    reason_box = desk.get_by_label("Reason")
    expect(reason_box).to_have_attribute("aria-invalid", "true")
    expect(reason_box).to_have_accessible_description("A reason is required.")
    expect(desk.get_by_role("alert").first).to_contain_text("The action was not done")
    expect(dossier_status(desk)).to_have_text("Submitted")
    assert Dossier.objects.get(code=code).status == Status.SUBMITTED

    reason = "Hồ sơ không thuộc thẩm quyền giải quyết của Sở Xây dựng."
    reason_box.fill(reason)
    desk.get_by_role("button", name="Refuse to receive").click()
    done_message(desk, code)
    expect(dossier_status(desk)).to_have_text("Not received")

    # The citizen sees why, and downloads the refusal notice (form 03).
    citizen.reload()
    expect(dossier_status(citizen)).to_have_text("Not received")
    expect(citizen.get_by_role("region", name="History")).to_contain_text(reason)
    notice = download(citizen, citizen.get_by_role("link", name="Refusal to receive (form 03)"))
    text = pdf_text(notice, tmp_path, "refusal.pdf")
    assert "Mẫu số 03" in text
    assert code in text
    assert "thẩm quyền" in text
    assert off_the_event_loop(lambda: verify_pdf(notice)).valid

    # And rates the service.
    rating = citizen.get_by_role("region", name="Rate the service")
    rating.get_by_role("radio", name="4").check()
    rating.get_by_label("Comment (optional)").fill("Nhân viên giải thích rõ ràng.")
    assert fits_the_screen(citizen, PHONE["width"])
    rating.get_by_role("button", name="Send the rating").click()
    expect(citizen.get_by_role("status")).to_contain_text("Thank you for rating the service.")
    expect(citizen.get_by_text("You rated 4 of 5.")).to_be_visible()
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.rating, dossier.rating_comment) == (
        Status.REFUSED,
        4,
        "Nhân viên giải thích rõ ràng.",
    )
