"""The dossier's signed documents: each notice and the result is issued once,
as a PDF in Vietnamese that verifies, signed by the right party."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from signing.pki import person_certificate, revoke
from signing.rendering import render_pdf
from signing.signer import forget_crl
from signing.verification import CHECKS, verify_pdf
from tests.factories import MembershipFactory
from tests.signing.conftest import Cast, pdf_text, read_document
from tests.workflow.conftest import FORM_DATA
from workflow.documents import _context, issue_notice
from workflow.engine import perform_action
from workflow.errors import ConflictError
from workflow.models import AuditEvent, Document, Dossier, Status

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NATION = "cộng hòa xã hội chủ nghĩa việt nam"


def assert_genuine(document: Document, *, signer: str, agency: str) -> str:
    """The document's PDF verifies with every check, signed by ``signer``; returns its text."""
    data = read_document(document)
    assert data.startswith(b"%PDF-")
    result = verify_pdf(data)
    assert [(c.name, c.ok) for c in result.checks] == [(name, True) for name in CHECKS]
    assert result.valid
    assert (result.signer, result.agency, result.serial) == (signer, agency, document.certificate_serial)
    text = " ".join(pdf_text(document.file.path).split())
    assert NATION in text.casefold()
    assert document.dossier.code in text
    return text


def only_document(dossier: Dossier, kind: str) -> Document:
    documents = list(dossier.documents.all())
    assert [(d.kind, d.event_seq) for d in documents] == [(kind, dossier.version)]
    return documents[0]


def local_date(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}"


def test_receipt_is_form_01_with_the_appointment_signed_by_the_agency(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.received()
    receipt = only_document(dossier, Document.Kind.RECEIPT)
    assert receipt.signer_name == "Sở Xây dựng"
    text = assert_genuine(receipt, signer="Sở Xây dựng", agency="Sở Xây dựng")
    assert "Mẫu số 01" in text
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả".casefold() in text.casefold()
    assert (
        f"Thời gian trả kết quả: {timezone.localtime(dossier.due_at):%H:%M} ngày {local_date(dossier.due_at)}" in text
    )
    assert "Nguyễn Văn An" in text


def test_supplement_request_is_form_02_with_the_reason(cast, django_capture_on_commit_callbacks):
    dossier = cast.in_review()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.act(dossier, "ask_more", cast.specialist, comment="Bổ sung bản vẽ mặt cắt công trình")
    assert dossier.status == Status.AWAITING_SUPPLEMENT
    text = assert_genuine(
        only_document(dossier, Document.Kind.SUPPLEMENT_REQUEST), signer="Sở Xây dựng", agency="Sở Xây dựng"
    )
    assert "Mẫu số 02" in text
    assert "Bổ sung bản vẽ mặt cắt công trình" in text


def test_refusal_is_form_03_with_the_reason(cast, django_capture_on_commit_callbacks):
    dossier = cast.submitted()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.act(dossier, "refuse", cast.desk, comment="Thủ tục không thuộc thẩm quyền của Sở")
    assert dossier.status == Status.REFUSED
    text = assert_genuine(only_document(dossier, Document.Kind.REFUSAL), signer="Sở Xây dựng", agency="Sở Xây dựng")
    assert "Mẫu số 03" in text
    assert "Thủ tục không thuộc thẩm quyền của Sở" in text


def test_apology_is_form_04_with_the_old_and_new_dates(empty_pki, django_capture_on_commit_callbacks):
    # Received Mon 2 Mar 2026, due Fri 20 Mar; overdue on Mon 23 Mar; new date Fri 27 Mar.
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM), tick=False):
        cast = Cast()  # the PKI is made now too: a certificate is not valid before it was made
        dossier = cast.in_review()
    with (
        time_machine.travel(dt.datetime(2026, 3, 23, 9, 0, tzinfo=HCM), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dossier = cast.act(
            dossier,
            "apologize",
            cast.head,
            comment="Chờ ý kiến cơ quan phối hợp",
            data={"new_due_date": "2026-03-27"},
        )
    apology = only_document(dossier, Document.Kind.APOLOGY)
    forget_crl()  # verified today, months after it was signed, with today's CRL
    text = assert_genuine(apology, signer="Sở Xây dựng", agency="Sở Xây dựng")
    assert "Mẫu số 04" in text
    assert "hẹn trả kết quả ngày 20/03/2026" in text
    assert "hẹn trả kết quả vào ngày 27/03/2026" in text
    assert "Chờ ý kiến cơ quan phối hợp" in text
    assert verify_pdf(read_document(apology)).signed_at == dt.datetime(2026, 3, 23, 9, 0, tzinfo=HCM)


def test_result_is_signed_by_the_signing_officer(cast, signed_result):
    certificate = person_certificate(cast.signer)
    assert (signed_result.signer_name, signed_result.certificate_serial) == (str(cast.signer), certificate.serial)
    dossier = signed_result.dossier
    assert (dossier.status, signed_result.event_seq) == (Status.SIGNED, dossier.version)
    text = assert_genuine(signed_result, signer=cast.signer.full_name, agency="Sở Xây dựng")
    assert "Kết quả giải quyết thủ tục hành chính".casefold() in text.casefold()
    assert "Diện tích (m²) 120" in text


def test_the_result_shows_dates_day_first_and_ticks_as_words(cast, django_capture_on_commit_callbacks):
    cast.procedure.form = [
        *cast.procedure.form,
        {"name": "built_on", "label": "Ngày khởi công", "type": "date"},
        {"name": "has_basement", "label": "Có tầng hầm", "type": "checkbox"},
    ]
    cast.procedure.save()
    dossier = cast.approved(data={**FORM_DATA, "area_m2": 12.5, "built_on": "2026-03-04", "has_basement": True})
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.act(dossier, "sign", cast.signer)  # by an officer reading English pages
    text = " ".join(pdf_text(dossier.documents.get(kind=Document.Kind.RESULT).file.path).split())
    assert "Ngày khởi công 04/03/2026" in text and "2026-03-04" not in text
    assert "Có tầng hầm Có" in text and "True" not in text and "Yes" not in text
    assert "Diện tích (m²) 12,5" in text


def test_an_answer_stored_before_its_field_became_a_date_is_printed_as_stored(cast, django_capture_on_commit_callbacks):
    cast.procedure.form = [*cast.procedure.form, {"name": "built_on", "label": "Ngày khởi công", "type": "text"}]
    cast.procedure.save()
    dossier = cast.approved(data={**FORM_DATA, "built_on": "đầu năm 2026"})
    cast.procedure.form[-1]["type"] = "date"
    cast.procedure.save()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.act(dossier, "sign", cast.signer)
    text = " ".join(pdf_text(dossier.documents.get(kind=Document.Kind.RESULT).file.path).split())
    assert "Ngày khởi công đầu năm 2026" in text


def test_a_retried_notice_job_makes_one_document(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:  # captured, not run: the job has not happened yet
        dossier = cast.received()
    assert callbacks and not Document.objects.exists()
    first = issue_notice(dossier.pk, Document.Kind.RECEIPT, dossier.version)
    again = issue_notice(dossier.pk, Document.Kind.RECEIPT, dossier.version)
    assert again.pk == first.pk
    assert Document.objects.count() == 1


def test_return_hands_over_a_signed_result(cast, signed_result):
    dossier = cast.act(signed_result.dossier, "return", cast.desk)
    assert dossier.status == Status.RETURNED
    assert dossier.returned_at is not None


def test_sign_is_refused_to_a_signer_without_a_certificate(cast, django_capture_on_commit_callbacks):
    unsigned = MembershipFactory(agency=cast.agency, role="signer", user__username="sxd.signer2").user
    dossier = cast.approved()
    version, events = dossier.version, AuditEvent.objects.count()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ConflictError, match=r"pki issue sxd\.signer2"),
    ):
        perform_action(dossier, "sign", unsigned, expected_version=dossier.version)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version) == (Status.APPROVED, version)
    assert AuditEvent.objects.count() == events
    assert not Document.objects.filter(kind=Document.Kind.RESULT).exists()
    assert callbacks == []


def test_sign_is_refused_once_the_certificate_is_revoked(cast):
    revoke(person_certificate(cast.signer), reason="superseded")
    dossier = cast.approved()
    with pytest.raises(ConflictError):
        cast.act(dossier, "sign", cast.signer)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.APPROVED


def test_a_failed_sign_leaves_no_result_file_behind(cast, settings):
    """The result's PDF is written inside the sign action; when the action
    fails after that (here: a result already recorded for the same event),
    the database rolls back and the file is removed too."""
    from pathlib import Path

    dossier = cast.approved()
    Document.objects.create(
        dossier=dossier, kind=Document.Kind.RESULT, event_seq=dossier.version + 1, file="documents/taken.pdf",
        sha256="0" * 64, signer_name="x", certificate_serial="1",
    )  # fmt: skip
    media = Path(settings.MEDIA_ROOT)
    before = sorted(p for p in media.rglob("*.pdf")) if media.exists() else []
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        perform_action(dossier, "sign", cast.signer, expected_version=dossier.version)
    after = sorted(p for p in media.rglob("*.pdf")) if media.exists() else []
    assert after == before
    assert Dossier.objects.get(pk=dossier.pk).status == Status.APPROVED


def test_documents_render_side_by_side_in_threads(cast):
    """A threaded server (runserver, gunicorn's gthread) may render two results at once in
    one process; WeasyPrint's layout shares the process's fonts, and concurrent layouts
    corrupted memory until rendering took its turn (``signing.rendering``)."""
    dossier = cast.approved(data={**FORM_DATA, "owner_name": "Nguyễn Thị Minh Khai " * 8})
    context = _context(dossier, Document.Kind.RESULT, event_seq=dossier.version, signer_name="Cán bộ", signer_title="")
    template = context.pop("_template")
    pdfs, errors = [], []

    def render(thread: int) -> None:
        try:
            for n in range(30):
                pdfs.append(render_pdf(template, {**context, "verify_url": f"https://example.vn/{thread}/{n}"}))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=render, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(pdfs) == 120
    assert all(pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-32:] for pdf in pdfs)
