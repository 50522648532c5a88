"""The public verification pages: upload a PDF at /verify/, or open the page
a document's QR code points to."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.signing.conftest import read_document
from workflow.documents import verify_url


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> dict:
    return {"file": SimpleUploadedFile(name, data, content_type=content_type)}


def test_the_page_offers_a_labelled_file_input(client, db):
    response = client.get("/verify/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_file">Signed PDF file</label>' in html
    assert '<input type="file" name="file" id="id_file"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "verdict" not in html


def test_a_valid_signed_pdf_gets_the_valid_verdict_and_the_signer(client, cast, signed_result):
    response = client.post("/verify/", upload("ket-qua.pdf", read_document(signed_result)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "✔ Valid" in html
    assert "Not valid" not in html
    assert f"<dd>{cast.signer.full_name}</dd>" in html
    assert "<dd>Sở Xây dựng</dd>" in html
    assert "The document is unchanged since signing." in html
    assert response.context["result"].valid


def test_a_file_that_is_not_a_pdf_is_not_valid(client, db):
    response = client.post("/verify/", upload("ghi-chu.txt", "Không phải PDF".encode(), "text/plain"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "✘ Not valid" in html
    assert "The file is not a valid PDF." in html


def assert_file_required(response) -> None:
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="file-errors"' in html
    assert '<ul class="errorlist" id="file-errors"><li>This field is required.</li></ul>' in html
    assert "verdict" not in html


def test_a_form_sent_without_a_file_is_a_400_with_the_error_at_the_field(db):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/verify/")
    assert_file_required(browser.post("/verify/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value}))


def test_a_bare_post_is_a_400_with_the_error_at_the_field(client, db):
    assert_file_required(client.post("/verify/", {}))


def test_the_qr_code_page_of_a_document_shows_it_valid(client, cast, signed_result):
    assert verify_url(signed_result.token).endswith(f"/verify/{signed_result.token}/")
    response = client.get(f"/verify/{signed_result.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "✔ Valid" in html
    assert f"Document: Result – {signed_result.dossier.code}" in html
    assert f"<dd>{cast.signer.full_name}</dd>" in html


def test_an_unknown_token_is_404(client, db):
    assert client.get(f"/verify/{uuid.uuid4()}/").status_code == 404
