"""The dossier's signed documents: what each says, and issuing them through
``signing`` (which renders and signs what it is handed)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from procedures.form_spec import shown_answers
from procedures.models import Role
from signing.models import Certificate
from signing.pki import agency_certificate, init_pki, person_certificate
from signing.services import issue_signed_pdf
from workflow.audit import due_at_as_of
from workflow.errors import ConflictError
from workflow.models import Document, Dossier
from workflow.selectors import procedure_of

# The papers are Vietnamese administrative documents whoever issues them: their
# wording, dates and answers read in Vietnamese even when an officer's pages do not.
DOCUMENT_LANGUAGE = "vi"
TEMPLATES = {
    Document.Kind.RECEIPT: ("signing/receipt.html", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Mẫu số 01"),
    Document.Kind.SUPPLEMENT_REQUEST: (
        "signing/supplement_request.html",
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "Mẫu số 02",
    ),
    Document.Kind.REFUSAL: ("signing/refusal.html", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Mẫu số 03"),
    Document.Kind.APOLOGY: ("signing/apology.html", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Mẫu số 04"),
    Document.Kind.RESULT: ("signing/result.html", "Kết quả giải quyết thủ tục hành chính", ""),
}
# Which action issues which notice (signed by the agency's system certificate).
NOTICE_FOR_ACTION = {
    "receive": Document.Kind.RECEIPT,
    "refuse": Document.Kind.REFUSAL,
    "apologize": Document.Kind.APOLOGY,
}
SIGNER_TITLES = {Role.SIGNER: "Lãnh đạo ký duyệt", Role.DESK: "Bộ phận tiếp nhận và trả kết quả"}
SHOWS_REASON = (Document.Kind.SUPPLEMENT_REQUEST, Document.Kind.REFUSAL, Document.Kind.APOLOGY)


def verify_url(document_token) -> str:
    return settings.SITE_URL + reverse("portal:verify_document", args=[document_token])


def _context(dossier: Dossier, kind: str, *, event_seq: int, signer_name: str, signer_title: str) -> dict[str, Any]:
    template, title, form_no = TEMPLATES[kind]
    # Only what the document shows is read: the papers on the receipt, the officer's
    # reason on the notices (not on the result, signed inside its own action).
    event = dossier.events.filter(seq=event_seq).first() if kind in SHOWS_REASON else None
    papers: dict[str, int] = {}
    if kind == Document.Kind.RECEIPT:
        for name in dossier.attachment_files.values_list("name", flat=True):
            papers[name] = papers.get(name, 0) + 1
    procedure = procedure_of(dossier)
    labels = {spec["name"]: spec["label"] for spec in procedure.attachments}
    # A notice shows the appointment as its event left it, even when issued later (a queue
    # that was down, ``issue_notices``); the result is signed inside its own action.
    due_at = dossier.due_at if kind == Document.Kind.RESULT else due_at_as_of(dossier, event_seq)
    previous_due_at = due_at_as_of(dossier, event_seq - 1) if kind == Document.Kind.APOLOGY else None
    return {
        "title": title,
        "form_no": form_no,
        "agency_name": dossier.agency.name,
        "agency_parent": dossier.agency.parent.name if dossier.agency.parent_id else "",
        "place": settings.PKI_ORGANIZATION.replace("Thành phố ", ""),
        "issued_at": timezone.localtime(),
        "dossier_code": dossier.code,
        "applicant_name": dossier.applicant_name,
        "applicant_id_number": dossier.applicant_id_number,
        "procedure_name": procedure.name,
        "procedure_code": procedure.code,
        "channel": dossier.get_channel_display(),
        "time_limit": formats.number_format(procedure.time_limit_days.normalize()),
        "received_at": timezone.localtime(dossier.received_at) if dossier.received_at else None,
        "due_at": timezone.localtime(due_at) if due_at else None,
        "previous_due_at": timezone.localtime(previous_due_at) if previous_due_at else None,
        "papers": [{"label": labels.get(n, n), "count": c} for n, c in papers.items()],
        "data_rows": shown_answers(procedure.form, dossier.data),
        "reason": event.comment if event else "",
        "signer_name": signer_name,
        "signer_title": signer_title,
        "_template": template,
    }


def _issue(
    dossier: Dossier, kind: str, *, event_seq: int, certificate: Certificate, signer_name: str, title: str
) -> Document:
    document = Document(dossier=dossier, kind=kind, event_seq=event_seq)
    with translation.override(DOCUMENT_LANGUAGE):
        context = _context(dossier, kind, event_seq=event_seq, signer_name=signer_name, signer_title=title)
        context["verify_url"] = verify_url(document.token)
        pdf = issue_signed_pdf(
            template=context.pop("_template"),
            context=context,
            certificate=certificate,
            reason=context["title"],
            location=dossier.agency.name,
        )
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.signer_name = signer_name
    document.certificate_serial = certificate.serial
    document.file.save(f"{dossier.code}-{kind}-{event_seq}.pdf", ContentFile(pdf), save=False)
    return document


def issue_notice(dossier_id: int, kind: str, event_seq: int) -> Document | None:
    """Issue a notice signed by the agency's system certificate, once per event.

    Safe to retry: a second run for the same event finds the first document
    and adds none; if two runs race, the database keeps one.
    """
    existing = Document.objects.filter(dossier_id=dossier_id, kind=kind, event_seq=event_seq).first()
    if existing is not None:
        return existing
    dossier = Dossier.objects.select_related("procedure", "agency", "agency__parent").get(pk=dossier_id)
    init_pki()  # the test PKI makes itself on first use; a no-op once it exists
    certificate = agency_certificate(dossier.agency)
    document = _issue(
        dossier, kind, event_seq=event_seq, certificate=certificate, signer_name=dossier.agency.name,
        title=SIGNER_TITLES[Role.DESK],
    )  # fmt: skip
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)
        return Document.objects.get(dossier_id=dossier_id, kind=kind, event_seq=event_seq)
    return document


def issue_result(dossier: Dossier, *, signer, event_seq: int, on_rollback: list | None = None) -> Document:
    """Render the result and sign it with the signer's own certificate (inside the ``sign`` action)."""
    certificate = person_certificate(signer)
    if certificate is None:
        raise ConflictError(
            _("You have no valid signing certificate; ask the administrator to issue one (pki issue %(user)s).")
            % {"user": signer.get_username()}
        )
    document = _issue(
        dossier, Document.Kind.RESULT, event_seq=event_seq, certificate=certificate,
        signer_name=str(signer), title=SIGNER_TITLES[Role.SIGNER],
    )  # fmt: skip
    if on_rollback is not None:
        # The row goes with the transaction; the file would stay behind.
        on_rollback.append(lambda: document.file.delete(save=False))
    document.save()
    return document
