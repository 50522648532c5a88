"""The citizen's pages, through the test client with the real services:
apply with papers, drafts, paying through the test gateway, submitting,
answering a request for papers, withdrawing, rating, the profile."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from tests.factories import ProcedureFactory
from tests.workflow.conftest import FORM_DATA, Cast
from workflow.models import Dossier, Payment, Status


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


@pytest.fixture
def citizen(client, cast):
    client.force_login(cast.citizen)
    return client


def pdf(name: str = "so-do.pdf", content: bytes = b"%PDF-1.4 scan") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def apply_url(cast) -> str:
    return reverse("portal:citizen_apply", args=[cast.procedure.code])


def dossier_url(dossier: Dossier, name: str = "citizen_dossier") -> str:
    return reverse(f"portal:{name}", args=[dossier.code])


def the_dossier(cast) -> Dossier:
    return Dossier.objects.get(applicant=cast.citizen)


def test_pages_need_a_login(client, cast):
    response = client.get(reverse("portal:citizen_dossiers"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_apply_page_shows_the_procedures_form_and_paper_inputs(citizen, cast):
    html = citizen.get(apply_url(cast)).content.decode()
    assert '<label for="id_owner_name">Họ tên <span class="required"' in html
    assert 'name="area_m2"' in html
    assert 'type="file" name="paper_land_title" id="id_paper_land_title" accept=".pdf"' in html
    assert "data-dropzone" in html
    assert 'enctype="multipart/form-data"' in html


def test_apply_with_an_attachment_saves_the_dossier_and_its_paper(citizen, cast):
    response = citizen.post(
        apply_url(cast),
        {"owner_name": "Nguyễn Văn An", "area_m2": "120", "intent": "review", "paper_land_title": pdf()},
    )
    dossier = the_dossier(cast)
    assert response.status_code == 302
    assert response.url == dossier_url(dossier)
    assert dossier.status == Status.DRAFT
    assert dossier.data == {"owner_name": "Nguyễn Văn An", "area_m2": 120}
    attachment = dossier.attachment_files.get()
    assert (attachment.name, attachment.original_name) == ("land_title", "so-do.pdf")
    page = citizen.get(response.url).content.decode()
    download = reverse("portal:citizen_attachment", args=[dossier.code, attachment.pk])
    assert f'href="{download}"' in page
    file_response = citizen.get(download)
    assert file_response.status_code == 200
    assert b"".join(file_response.streaming_content) == b"%PDF-1.4 scan"


def test_a_paper_added_by_mistake_is_removed_from_the_draft_page(citizen, cast):
    dossier = cast.draft()
    attachment = dossier.attachment_files.get()
    remove = reverse("portal:citizen_remove_paper", args=[dossier.code, attachment.pk])
    page = citizen.get(dossier_url(dossier, "citizen_edit")).content.decode()
    assert f'<form id="remove-paper-{attachment.pk}" method="post" action="{remove}" hidden>' in page
    assert f'form="remove-paper-{attachment.pk}"' in page

    assert citizen.get(remove).status_code == 405
    response = citizen.post(remove, follow=True)

    assert response.redirect_chain[-1][0] == dossier_url(dossier, "citizen_edit")
    assert "The paper is removed." in response.content.decode()
    assert not dossier.attachment_files.exists()
    assert "Paper removed" in citizen.get(dossier_url(dossier)).content.decode()


def test_a_submitted_paper_has_no_remove_button_and_a_forged_removal_is_refused(citizen, cast):
    dossier = cast.submitted()
    attachment = dossier.attachment_files.get()
    remove = reverse("portal:citizen_remove_paper", args=[dossier.code, attachment.pk])
    assert remove not in citizen.get(dossier_url(dossier)).content.decode()
    response = citizen.post(remove, follow=True)
    assert "cannot be removed" in response.content.decode()
    assert dossier.attachment_files.count() == 1


def test_another_citizens_paper_cannot_be_removed(client, cast):
    dossier = cast.draft()
    attachment = dossier.attachment_files.get()
    client.force_login(cast.other_citizen)
    response = client.post(reverse("portal:citizen_remove_paper", args=[dossier.code, attachment.pk]))
    assert response.status_code == 404
    assert dossier.attachment_files.count() == 1


def test_a_double_posted_application_makes_one_dossier(citizen, cast):
    data = {"owner_name": "An", "intent": "draft", "client_key": "abc123"}
    citizen.post(apply_url(cast), data)
    citizen.post(apply_url(cast), data)
    assert Dossier.objects.filter(applicant=cast.citizen).count() == 1


def test_an_application_sent_again_with_other_answers_says_which_dossier_it_made(citizen, cast):
    citizen.post(apply_url(cast), {"owner_name": "An", "intent": "draft", "client_key": "abc123"})
    response = citizen.post(
        apply_url(cast), {"owner_name": "Bình", "intent": "draft", "client_key": "abc123"}, follow=True
    )
    dossier = Dossier.objects.get(applicant=cast.citizen)
    # Led to the draft the first post made, told the new answers were not kept: not stuck on the form.
    assert response.redirect_chain == [(dossier_url(dossier), 302)]
    assert f"already saved as {dossier.code}" in response.content.decode()
    assert dossier.data["owner_name"] == "An"


def test_a_form_error_names_the_files_to_choose_again(citizen, cast):
    response = citizen.post(
        apply_url(cast), {"owner_name": "", "intent": "review", "paper_land_title": pdf("so-do-dat.pdf")}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose again: so-do-dat.pdf. Files are not kept while the form has errors." in html
    assert 'aria-describedby="id_paper_land_title_helptext id_paper_land_title_error"' in html
    assert not Dossier.objects.exists()


def test_a_corrected_file_named_as_the_kept_one_is_still_named_to_choose_again(citizen, cast):
    dossier = cast.draft()  # holds so-do.pdf
    corrected = pdf("so-do.pdf", b"%PDF-1.4 corrected scan")
    same = pdf("so-do.pdf")  # the very file it holds: kept, nothing to choose again
    for upload, named in ((corrected, True), (same, False)):
        response = citizen.post(
            dossier_url(dossier, "citizen_edit"),
            {"owner_name": "", "intent": "review", "dossier_version": dossier.version, "paper_land_title": upload},
        )
        assert response.status_code == 400
        assert ("Choose again: so-do.pdf." in response.content.decode()) is named
    assert dossier.attachment_files.count() == 1


def test_missing_answers_are_a_400_with_the_error_next_to_the_field_and_nothing_saved(citizen, cast):
    response = citizen.post(apply_url(cast), {"owner_name": "", "area_m2": "0", "intent": "review"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert re.search(r'<ul class="errorlist" id="id_owner_name_error"><li>This field is required.</li>', html)
    assert 'id="id_area_m2_error"' in html
    assert not Dossier.objects.exists()


def test_a_paper_of_the_wrong_type_is_refused_next_to_its_input_and_the_draft_kept(citizen, cast):
    response = citizen.post(
        apply_url(cast),
        {"owner_name": "An", "intent": "draft", "paper_land_title": SimpleUploadedFile("anh.exe", b"MZ")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_paper_land_title_error"' in html
    assert "anh.exe: Accepted types: pdf" in html
    dossier = the_dossier(cast)
    assert not dossier.attachment_files.exists()
    assert f'action="{dossier_url(dossier, "citizen_edit")}"' in html


def test_a_draft_may_be_incomplete_and_is_edited_later(citizen, cast):
    citizen.post(apply_url(cast), {"owner_name": "An", "intent": "draft"})
    dossier = the_dossier(cast)
    assert dossier.data["owner_name"] == "An"
    assert dossier.data.get("area_m2") is None
    edit = citizen.get(dossier_url(dossier, "citizen_edit")).content.decode()
    assert 'value="An"' in edit
    assert f'name="dossier_version" value="{dossier.version}"' in edit
    response = citizen.post(
        dossier_url(dossier, "citizen_edit"),
        {"owner_name": "Nguyễn Văn An", "area_m2": "95", "intent": "review", "dossier_version": dossier.version},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.data["owner_name"] == "Nguyễn Văn An"
    assert dossier.data["area_m2"] == 95


def test_editing_a_draft_that_changed_meanwhile_keeps_the_answers_and_says_what_saving_does(citizen, cast):
    dossier = cast.draft()
    response = citizen.post(
        dossier_url(dossier, "citizen_edit"),
        {"owner_name": "Khác", "intent": "draft", "dossier_version": dossier.version - 1},
    )
    assert response.status_code == 412
    html = response.content.decode()
    assert "The dossier was changed elsewhere since you opened this form. Your answers below are kept" in html
    assert 'value="Khác"' in html
    dossier.refresh_from_db()
    assert dossier.data["owner_name"] == FORM_DATA["owner_name"]


def test_paying_through_the_test_gateway_records_the_payment(citizen, cast):
    dossier = cast.draft()
    page = citizen.get(dossier_url(dossier)).content.decode()
    assert "Pay the fee (75,000 ₫) online" in page
    start = citizen.post(dossier_url(dossier, "citizen_pay"))
    assert start.status_code == 302
    gateway = citizen.get(start.url)
    assert gateway.status_code == 200
    assert "Test payment gateway" in gateway.content.decode()
    assert "75,000 ₫" in gateway.content.decode()
    done = citizen.post(start.url, {"decision": "confirm"})
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.paid_via == "online"
    payment = Payment.objects.get(dossier=dossier)
    assert (payment.provider, payment.amount_vnd, payment.paid_by) == ("test", 75000, cast.citizen)
    page = citizen.get(done.url).content.decode()
    assert payment.reference in page
    assert "Fee paid" in page
    assert "Pay the fee" not in page


def test_cancelling_at_the_gateway_charges_nothing_and_a_forged_order_is_404(citizen, cast):
    dossier = cast.draft()
    start = citizen.post(dossier_url(dossier, "citizen_pay"))
    response = citizen.post(start.url, {"decision": "cancel"}, follow=True)
    assert "The payment was cancelled" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.paid_via == ""
    assert citizen.get(reverse("portal:citizen_test_gateway", args=["forged:token"])).status_code == 404


def test_paying_twice_is_a_409_with_the_reason(citizen, cast):
    dossier = cast.draft()
    start = citizen.post(dossier_url(dossier, "citizen_pay"))
    citizen.post(start.url, {"decision": "confirm"})
    again = citizen.post(start.url, {"decision": "confirm"})
    assert again.status_code == 409
    assert "The fee has already been paid." in again.content.decode()
    assert Payment.objects.filter(dossier=dossier).count() == 1
    # The old checkout page, opened again, offers nothing to confirm.
    reopened = citizen.get(start.url, follow=True)
    assert reopened.redirect_chain == [(dossier_url(dossier), 302)]
    assert "The fee of this dossier is already paid." in reopened.content.decode()
    assert "Confirm payment" not in reopened.content.decode()


def test_submitting_moves_the_dossier_to_submitted(citizen, cast):
    dossier = cast.draft()
    response = citizen.post(dossier_url(dossier, "citizen_submit"), {"dossier_version": dossier.version})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    page = citizen.get(response.url).content.decode()
    assert '<span class="status status--submitted">Submitted</span>' in page
    assert "Your dossier is submitted." in page


def test_submitting_without_the_required_paper_names_it(citizen, cast):
    dossier = cast.draft(attach=False)
    response = citizen.post(dossier_url(dossier, "citizen_submit"), {"dossier_version": dossier.version})
    assert response.status_code == 400
    assert "<strong>Giấy chứng nhận QSDĐ</strong>: The paper" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT


def test_submitting_a_stale_page_shows_the_dossier_as_it_is(citizen, cast):
    dossier = cast.draft()
    response = citizen.post(dossier_url(dossier, "citizen_submit"), {"dossier_version": dossier.version - 1})
    assert response.status_code == 412
    assert (
        "The dossier has changed since you opened this page. It is shown below as it is now: check it, then try again."
        in response.content.decode()
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT


def test_another_citizens_dossier_is_404_everywhere(client, cast):
    dossier = cast.draft()
    attachment = dossier.attachment_files.get()
    client.force_login(cast.other_citizen)
    assert client.get(dossier_url(dossier)).status_code == 404
    assert client.get(reverse("portal:citizen_attachment", args=[dossier.code, attachment.pk])).status_code == 404
    posted = {"dossier_version": dossier.version}
    assert client.post(dossier_url(dossier, "citizen_submit"), posted).status_code == 404
    assert client.post(dossier_url(dossier, "citizen_withdraw"), posted).status_code == 404
    assert client.post(dossier_url(dossier, "citizen_pay")).status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT


def test_the_list_shows_my_dossiers_with_status_step_and_appointment(citizen, cast):
    received = cast.received()
    draft = cast.draft()
    cast.draft(user=cast.other_citizen)
    response = citizen.get(reverse("portal:citizen_dossiers"))
    html = response.content.decode()
    assert [d.code for d in response.context["page_obj"]] == [draft.code, received.code]
    assert "Tiếp nhận" in html
    assert received.due_at.strftime("%d/%m/%Y") in html
    assert '<span class="status status--draft">Draft</span>' in html


def ask_for_papers(cast) -> Dossier:
    dossier = cast.in_review()
    return cast.act(dossier, "ask_more", cast.specialist, comment="Thiếu bản vẽ mặt bằng")


def test_while_papers_are_awaited_the_page_shows_the_days_left_not_the_old_appointment(citizen, cast):
    dossier = ask_for_papers(cast)
    html = citizen.get(dossier_url(dossier)).content.decode()
    days = f"{dossier.remaining_days:f}".rstrip("0").rstrip(".")
    assert f"paused while waiting for your papers; working days left after you send them: {days}" in html
    assert date_format(timezone.localtime(dossier.due_at), "DATETIME_FORMAT") not in html


def test_answering_a_supplement_request_with_a_paper_and_corrected_data(citizen, cast):
    dossier = ask_for_papers(cast)
    page = citizen.get(dossier_url(dossier)).content.decode()
    assert "Thiếu bản vẽ mặt bằng" in page
    assert dossier_url(dossier, "citizen_supplement") in page
    form = citizen.get(dossier_url(dossier, "citizen_supplement")).content.decode()
    assert "Thiếu bản vẽ mặt bằng" in form
    assert 'value="Nguyễn Văn An"' in form
    response = citizen.post(
        dossier_url(dossier, "citizen_supplement"),
        {
            "owner_name": "Nguyễn Văn An",
            "area_m2": "130",
            "comment": "Đã bổ sung",
            "dossier_version": dossier.version,
            "paper_land_title": pdf("ban-ve.pdf"),
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.data["area_m2"] == 130
    assert dossier.attachment_files.filter(original_name="ban-ve.pdf").exists()
    assert dossier.events.last().comment == "Đã bổ sung"


def test_a_supplement_from_a_stale_page_changes_nothing(citizen, cast):
    dossier = ask_for_papers(cast)
    response = citizen.post(
        dossier_url(dossier, "citizen_supplement"),
        {"owner_name": "X", "dossier_version": dossier.version - 1, "paper_land_title": pdf("ban-ve.pdf")},
    )
    assert response.status_code == 412
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_SUPPLEMENT
    assert not dossier.attachment_files.filter(original_name="ban-ve.pdf").exists()


def test_withdrawing_asks_for_confirmation_then_withdraws(citizen, cast):
    dossier = cast.submitted()
    confirm = citizen.get(dossier_url(dossier, "citizen_withdraw"))
    assert confirm.status_code == 200
    assert "Yes, withdraw it" in confirm.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    response = citizen.post(
        dossier_url(dossier, "citizen_withdraw"), {"dossier_version": dossier.version, "comment": "Nộp nhầm"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    assert dossier.events.last().comment == "Nộp nhầm"
    assert "Withdraw this dossier" not in citizen.get(dossier_url(dossier)).content.decode()


def test_rating_a_closed_dossier(citizen, cast):
    dossier = cast.act(cast.submitted(), "refuse", cast.desk, comment="Sai cơ quan")
    page = citizen.get(dossier_url(dossier)).content.decode()
    assert "Rate the service" in page
    bad = citizen.post(dossier_url(dossier, "citizen_rate"), {"score": "9"})
    assert bad.status_code == 400
    response = citizen.post(dossier_url(dossier, "citizen_rate"), {"score": "4", "comment": "Nhanh"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.rating, dossier.rating_comment) == (4, "Nhanh")


def test_a_closed_dossier_shows_no_step_and_no_appointment_to_come(citizen, cast):
    refused = cast.act(cast.submitted(), "refuse", cast.desk, comment="Sai cơ quan")
    page = citizen.get(dossier_url(refused)).content.decode()
    assert "set when the desk receives the dossier" not in page
    assert "Current step" not in page
    withdrawn = cast.act(cast.in_review(), "withdraw", cast.citizen)
    assert (withdrawn.status, withdrawn.step, withdrawn.step_due_at) == (Status.WITHDRAWN, "", None)
    assert withdrawn.events.last().from_step == "review"  # the trail keeps where it stopped
    page = citizen.get(dossier_url(withdrawn)).content.decode()
    assert "Current step" not in page
    assert "<dt>Appointment</dt>" not in page
    # Withdrawn while papers were awaited: the paused clock is not shown either.
    paused = cast.act(ask_for_papers(cast), "withdraw", cast.citizen)
    page = citizen.get(dossier_url(paused)).content.decode()
    assert "working days left after you send them" not in page
    assert "<dt>Appointment</dt>" not in page


def test_a_rating_without_a_score_names_the_field_and_keeps_the_comment(citizen, cast):
    dossier = cast.act(cast.submitted(), "refuse", cast.desk, comment="Sai cơ quan")
    response = citizen.post(dossier_url(dossier, "citizen_rate"), {"comment": "Cán bộ nhiệt tình"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<strong>Your rating</strong>: This field is required." in page
    assert ">score<" not in page and "score:" not in page
    assert "Cán bộ nhiệt tình</textarea>" in page
    dossier.refresh_from_db()
    assert dossier.rating is None


def test_an_open_dossier_cannot_be_rated(citizen, cast):
    dossier = cast.submitted()
    assert "Rate the service" not in citizen.get(dossier_url(dossier)).content.decode()
    response = citizen.post(dossier_url(dossier, "citizen_rate"), {"score": "5"})
    assert response.status_code == 409
    dossier.refresh_from_db()
    assert dossier.rating is None


def test_signed_documents_are_listed_and_downloaded(citizen, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.received()
    document = dossier.documents.get(kind="receipt")
    page = citizen.get(dossier_url(dossier)).content.decode()
    url = reverse("portal:citizen_document", args=[dossier.code, document.pk])
    assert f'href="{url}"' in page
    response = citizen.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_profile_is_saved_and_prefills_later_forms(citizen, cast):
    procedure = ProcedureFactory(
        agency=cast.agency,
        form=[
            {"name": "full_name", "label": "Họ và tên", "type": "text", "required": True},
            {"name": "id_number", "label": "Số CCCD", "type": "national_id"},
            {"name": "contact_phone", "label": "Số điện thoại", "type": "phone"},
            {"name": "email", "label": "Thư điện tử", "type": "email"},
        ],
    )
    bad = citizen.post(reverse("portal:citizen_profile"), {"full_name": "An", "id_number": "123", "phone": "123"})
    assert bad.status_code == 400
    assert 'id="id_id_number_error"' in bad.content.decode()
    assert re.search(r'id="id_phone_error"><li>Enter a Vietnamese phone number.', bad.content.decode())
    cast.citizen.refresh_from_db()
    assert cast.citizen.phone != "123"
    response = citizen.post(
        reverse("portal:citizen_profile"),
        {"full_name": "Nguyễn Văn An", "id_number": "048090001234", "phone": "0905123456", "email": "an@example.vn"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=cast.citizen.pk)
    assert (user.id_number, user.phone) == ("048090001234", "0905123456")
    form = citizen.get(reverse("portal:citizen_apply", args=[procedure.code])).content.decode()
    assert 'name="full_name" value="Nguyễn Văn An"' in form
    assert 'name="id_number" value="048090001234"' in form
    assert 'name="contact_phone" value="0905123456"' in form
    assert 'name="email" value="an@example.vn"' in form
    assert "Answers from your profile are filled in for you." in form
    # A form the profile fills nothing of does not claim it did.
    other = citizen.get(apply_url(cast)).content.decode()
    assert "Fields marked * are required before you submit." in other
    assert "Answers from your profile are filled in for you." not in other


def test_the_dossier_page_in_vietnamese(citizen, cast):
    dossier = cast.submitted()
    html = citizen.get(dossier_url(dossier), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="vi">' in html
    assert "Mới đăng ký" in html
    assert "Nguyễn Văn An" in html


def test_officers_of_the_agency_download_papers_and_others_get_404(client, cast):
    dossier = cast.submitted()
    url = reverse("portal:citizen_attachment", args=[dossier.code, dossier.attachment_files.get().pk])
    client.force_login(cast.desk)
    assert client.get(url).status_code == 200
    client.force_login(cast.other_specialist)
    assert client.get(url).status_code == 404


def test_a_closed_dossier_offers_no_withdrawal_and_a_free_one_no_payment(citizen, cast):
    dossier = cast.act(cast.submitted(), "refuse", cast.desk, comment="Sai cơ quan")
    response = citizen.get(dossier_url(dossier, "citizen_withdraw"))
    assert response.status_code == 302
    assert response.url == dossier_url(dossier)
    free = ProcedureFactory(agency=cast.agency, fee_vnd=0)
    draft = cast.draft(procedure=free)
    assert "Pay the fee" not in citizen.get(dossier_url(draft)).content.decode()
    refused = citizen.post(dossier_url(draft, "citizen_pay"))
    assert refused.status_code == 409
    assert "There is no fee to pay" in refused.content.decode()


def test_date_answers_show_day_first(citizen, cast):
    procedure = ProcedureFactory(
        agency=cast.agency,
        form=[{"name": "birth_date", "label": "Ngày sinh", "type": "date", "required": True}],
        attachments=[],
    )
    response = citizen.post(
        reverse("portal:citizen_apply", args=[procedure.code]), {"birth_date": "2020-07-01", "intent": "review"}
    )
    dossier = Dossier.objects.get(procedure=procedure)
    assert dossier.data == {"birth_date": "2020-07-01"}
    assert "<dd>01/07/2020</dd>" in citizen.get(response.url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    edit = citizen.get(dossier_url(dossier, "citizen_edit")).content.decode()
    assert 'type="date" name="birth_date" value="2020-07-01"' in edit
