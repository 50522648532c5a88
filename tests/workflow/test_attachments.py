"""Taking a paper back: who may, when, what the trail keeps, and that the
file leaves storage only when the removal commits."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from workflow.errors import ConflictError, InvalidInput, NotPermitted
from workflow.models import Status
from workflow.services import add_attachment, remove_attachment


def scan(name: str = "ban-ve.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 plan", content_type="application/pdf")


def stored_path(attachment) -> Path:
    return Path(attachment.file.path)


@pytest.mark.django_db(transaction=True)
def test_the_applicant_removes_a_paper_from_a_draft_and_the_file_goes(cast):
    dossier = cast.draft()
    attachment = dossier.attachment_files.get()
    path = stored_path(attachment)
    assert path.exists()

    dossier = remove_attachment(dossier=dossier, user=cast.citizen, attachment_id=attachment.pk)

    assert not dossier.attachment_files.exists()
    assert not path.exists()
    event = dossier.events.last()
    assert (event.action, event.seq) == ("detach", dossier.version)
    assert event.changes["removed"] == {"name": "land_title", "file": "so-do.pdf", "sha256": attachment.sha256}


def test_someone_else_may_not_remove_it(cast):
    dossier = cast.draft()
    attachment = dossier.attachment_files.get()
    for outsider in (cast.other_citizen, cast.specialist):
        with pytest.raises(NotPermitted):
            remove_attachment(dossier=dossier, user=outsider, attachment_id=attachment.pk)
    assert dossier.attachment_files.filter(pk=attachment.pk).exists()
    assert stored_path(attachment).exists()


def test_an_unknown_or_foreign_paper_names_the_field(cast):
    dossier = cast.draft()
    foreign = cast.draft(user=cast.other_citizen).attachment_files.get()
    with pytest.raises(InvalidInput) as caught:
        remove_attachment(dossier=dossier, user=cast.citizen, attachment_id=foreign.pk)
    assert "attachment" in caught.value.fields
    assert stored_path(foreign).exists()


def test_once_submitted_the_papers_stay(cast):
    dossier = cast.submitted()
    attachment = dossier.attachment_files.get()
    with pytest.raises(ConflictError):
        remove_attachment(dossier=dossier, user=cast.citizen, attachment_id=attachment.pk)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.attachment_files.count() == 1


def test_during_a_supplement_only_the_papers_added_since_the_request_can_go(cast):
    dossier = cast.act(cast.in_review(), "ask_more", cast.specialist, comment="Thiếu bản vẽ")
    seen = dossier.attachment_files.get()
    added = add_attachment(dossier=dossier, user=cast.citizen, name="land_title", upload=scan())
    dossier.refresh_from_db()

    with pytest.raises(ConflictError):
        remove_attachment(dossier=dossier, user=cast.citizen, attachment_id=seen.pk)
    dossier = remove_attachment(dossier=dossier, user=cast.citizen, attachment_id=added.pk)

    assert list(dossier.attachment_files.values_list("pk", flat=True)) == [seen.pk]
    assert dossier.status == Status.AWAITING_SUPPLEMENT


@pytest.mark.parametrize("content", [b"just some text, not a PDF", b"\x89PNG\r\n\x1a\n an image", b"%PDF"])
def test_a_file_whose_content_is_not_its_type_is_refused(cast, content):
    dossier = cast.draft(attach=False)
    upload = SimpleUploadedFile("giay-to.pdf", content)
    with pytest.raises(InvalidInput) as err:
        add_attachment(dossier=dossier, user=cast.citizen, name="land_title", upload=upload)
    assert err.value.fields == {"file": ["This is not a PDF file."]}
    assert not dossier.attachment_files.exists()


def test_an_upload_without_a_content_type_is_stored_with_its_types(cast):
    dossier = cast.draft(attach=False)
    upload = SimpleUploadedFile("so-do.pdf", b"%PDF-1.4 scan", content_type="")
    assert add_attachment(dossier=dossier, user=cast.citizen, name="land_title", upload=upload).content_type == (
        "application/pdf"
    )
