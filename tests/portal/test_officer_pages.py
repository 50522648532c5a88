"""The officer's pages, through the test client with the real engine and
services: the queue and its filters, claim and assign, intake (receive with
the receipt, refuse with a reason), walk-in entry, the dossier page and its
actions, stale versions, other agencies, batch signing and the overdue list."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests.workflow.conftest import Cast
from workflow.calendar import working_calendar
from workflow.models import Apology, Document, Dossier, Status


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


def as_user(client, user):
    client.force_login(user)
    return client


def page(client, name: str, *args, **query) -> str:
    response = client.get(reverse(f"portal:{name}", args=args), query)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def act(client, dossier: Dossier, action: str, *, version: int | None = None, **fields):
    url = reverse("portal:officer_action", args=[dossier.code, action])
    return client.post(url, {"expected_version": dossier.version if version is None else version, **fields})


def form_of(html: str, action: str) -> str:
    """The HTML of the form of ``action`` (to check an error sits next to its field)."""
    match = re.search(rf'<form[^>]*data-action="{action}".*?</form>', html, re.S)
    assert match, f"no form for {action}"
    return match.group(0)


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 counter scan", content_type="application/pdf")


# Navigation and access ---------------------------------------------------------------


def test_nav_shows_the_pages_each_role_opens(client, cast):
    desk = page(as_user(client, cast.desk), "officer_queue")
    assert reverse("portal:officer_intake") in desk and reverse("portal:officer_overdue") in desk
    assert reverse("portal:officer_sign") not in desk
    specialist = page(as_user(client, cast.specialist), "officer_queue")
    assert reverse("portal:officer_intake") not in specialist
    assert reverse("portal:officer_sign") not in specialist
    signer = page(as_user(client, cast.signer), "officer_queue")
    assert reverse("portal:officer_sign") in signer


def test_pages_are_for_officers_with_the_role(client, cast):
    assert client.get(reverse("portal:officer_queue")).status_code == 302  # to the login page
    as_user(client, cast.citizen)
    assert client.get(reverse("portal:officer_queue")).status_code == 403
    as_user(client, cast.specialist)
    assert client.get(reverse("portal:officer_intake")).status_code == 403
    assert client.get(reverse("portal:officer_sign")).status_code == 403


# The queue ----------------------------------------------------------------------------


def test_queue_lists_the_dossiers_waiting_for_my_role_with_filters(client, cast):
    mine = cast.in_review()
    deciding = cast.act(cast.in_review(), "propose", cast.specialist)  # the head's, not the specialist's
    as_user(client, cast.specialist)
    html = page(client, "officer_queue")
    assert mine.code in html and deciding.code not in html
    assert "Thụ lý" in html  # the step's name, from the flow
    assert mine.procedure.name in html and mine.applicant_name in html

    assert mine.code in page(client, "officer_queue", step="review")
    assert mine.code not in page(client, "officer_queue", overdue="yes")
    assert mine.code in page(client, "officer_queue", overdue="no")
    assert mine.code not in page(client, "officer_queue", mine="on")
    assert mine.code in page(client, "officer_queue", status="processing")
    assert mine.code not in page(client, "officer_queue", status="approved")
    assert client.get(reverse("portal:officer_queue"), {"status": "nonsense"}).status_code == 400


def test_overdue_dossiers_are_highlighted_in_the_queue(client, cast):
    dossier = cast.in_review()
    with time_machine.travel(dossier.due_at + dt.timedelta(days=3)):
        html = page(as_user(client, cast.specialist), "officer_queue")
        assert re.search(rf'<tr class="is-overdue" data-code="{dossier.code}"', html)
        assert "overdue" in html
        assert dossier.code in page(client, "officer_queue", overdue="yes")


def test_claim_from_the_queue(client, cast):
    dossier = cast.in_review()
    as_user(client, cast.specialist)
    html = page(client, "officer_queue")
    assert 'data-action="claim"' in html
    response = act(client, dossier, "claim", next=reverse("portal:officer_queue"))
    assert response.status_code == 302 and response.url == reverse("portal:officer_queue")
    dossier.refresh_from_db()
    assert dossier.assignee == cast.specialist
    assert dossier.code in page(client, "officer_queue", mine="on")
    # Once mine, no one else of the role sees the step's actions.
    other = page(as_user(client, cast.second_specialist), "officer_dossier", dossier.code)
    assert 'data-action="propose"' not in other


def test_a_head_assigns_to_an_officer_holding_the_steps_role(client, cast):
    dossier = cast.in_review()
    as_user(client, cast.head)
    assign = form_of(page(client, "officer_dossier", dossier.code), "assign")
    assert 'value="sxd.specialist2"' in assign and 'value="sxd.specialist"' in assign
    assert "stp.specialist" not in assign and 'value="sxd.head"' not in assign

    response = act(client, dossier, "assign", assignee="sxd.specialist2")
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.assignee == cast.second_specialist
    assert "Assign: done" in page(client, "officer_dossier", dossier.code)

    response = act(client, dossier, "assign", assignee="stp.specialist")
    assert response.status_code == 400
    assign = form_of(response.content.decode(), "assign")
    assert re.search(r'id="assign-[^"]*-assignee-error"><li>.*stp.specialist.*cannot work on this step', assign)
    dossier.refresh_from_db()
    assert dossier.assignee == cast.second_specialist


def test_the_queue_offers_heads_the_assign_form(client, cast):
    dossier = cast.act(cast.in_review(), "propose", cast.specialist)
    html = page(as_user(client, cast.head), "officer_queue")
    assert dossier.code in html
    assert 'data-action="assign"' in form_of(html, "assign") and 'value="sxd.head"' in form_of(html, "assign")


# Intake ---------------------------------------------------------------------------------


def test_intake_receives_and_offers_the_receipt(client, cast, django_capture_on_commit_callbacks):
    dossier = cast.submitted()
    as_user(client, cast.desk)
    html = page(client, "officer_intake")
    assert dossier.code in html and 'data-action="receive"' in html and 'data-action="refuse"' in html
    receive = form_of(html, "receive")
    next_url = re.search(r'name="next" value="([^"]+)"', receive).group(1)
    assert next_url == f"{reverse('portal:officer_intake')}?received={dossier.code}"

    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, dossier, "receive", next=next_url)
    assert response.status_code == 302 and response.url == next_url
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.due_at is not None
    receipt = dossier.documents.get(kind=Document.Kind.RECEIPT)

    html = client.get(response.url).content.decode()
    assert dossier.code not in html.split("Submitted dossiers waiting")[1]  # no longer waiting
    assert reverse("portal:officer_receipt", args=[dossier.code]) in html
    response = client.get(reverse("portal:officer_receipt", args=[dossier.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert receipt.token.hex in page(client, "officer_dossier", dossier.code).replace("-", "")


def test_receipt_page_waits_while_the_receipt_is_issued(client, cast):
    dossier = cast.received()  # the notice task runs after commit, which this test never reaches
    response = as_user(client, cast.desk).get(reverse("portal:officer_receipt", args=[dossier.code]))
    assert response.status_code == 202
    assert 'http-equiv="refresh"' in response.content.decode()
    submitted = cast.submitted()
    assert client.get(reverse("portal:officer_receipt", args=[submitted.code])).status_code == 404


def test_refusing_needs_a_reason_shown_next_to_the_field(client, cast):
    dossier = cast.submitted()
    as_user(client, cast.desk)
    response = act(client, dossier, "refuse", comment="  ", next=reverse("portal:officer_intake"))
    assert response.status_code == 400
    refuse = form_of(response.content.decode(), "refuse")
    assert re.search(r'id="refuse-[^"]*-comment-error"><li>A reason is required.</li>', refuse)
    assert 'aria-invalid="true"' in refuse
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED

    response = act(client, dossier, "refuse", comment="Thiếu bản vẽ", next=reverse("portal:officer_intake"))
    assert response.status_code == 302 and response.url == reverse("portal:officer_intake")
    dossier.refresh_from_db()
    assert dossier.status == Status.REFUSED
    assert dossier.events.last().comment == "Thiếu bản vẽ"


# Walk-in and postal dossiers ---------------------------------------------------------------


def walk_in_post(cast, **overrides):
    data = {
        "procedure": cast.procedure.code,
        "applicant-channel": "counter",
        "applicant-full_name": "Lê Văn Cường",
        "applicant-id_number": "079201001234",
        "applicant-phone": "0905123456",
        "applicant-email": "cuong@example.vn",
        "applicant-fee_paid": "on",
        "applicant-client_key": "walk-in-1",
        "data-owner_name": "Lê Văn Cường",
        "data-area_m2": "85",
        "paper_land_title": pdf(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_walk_in_entry_creates_a_received_counter_dossier(client, cast, django_capture_on_commit_callbacks):
    as_user(client, cast.desk)
    html = page(client, "officer_walk_in")
    assert f'value="{cast.procedure.code}"' in html
    html = page(client, "officer_walk_in", procedure=cast.procedure.code)
    assert 'name="data-owner_name"' in html and 'name="paper_land_title"' in html
    assert 'name="applicant-fee_paid"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:officer_walk_in"), walk_in_post(cast))
    dossier = Dossier.objects.get(applicant_name="Lê Văn Cường")
    assert response.status_code == 302
    assert response.url == f"{reverse('portal:officer_intake')}?received={dossier.code}"
    assert (dossier.channel, dossier.status, dossier.applicant) == ("counter", Status.RECEIVED, None)
    assert dossier.data == {"owner_name": "Lê Văn Cường", "area_m2": 85}
    assert (dossier.applicant_id_number, dossier.applicant_phone) == ("079201001234", "0905123456")
    assert dossier.paid_via == "counter" and dossier.payments.get().method == "counter"
    assert dossier.attachment_files.get().original_name == "scan.pdf"
    assert dossier.papers_digitised is True
    assert dossier.documents.filter(kind=Document.Kind.RECEIPT).exists()
    assert [e.action for e in dossier.events.order_by("seq")] == ["create", "attach", "pay", "submit", "receive"]

    # A retried post (same client key) does not enter it twice.
    response = client.post(reverse("portal:officer_walk_in"), walk_in_post(cast))
    assert response.status_code == 302
    assert Dossier.objects.filter(applicant_name="Lê Văn Cường").count() == 1

    # The same form sent again with another applicant: nothing new, and the desk is told which dossier it made.
    response = client.post(
        reverse("portal:officer_walk_in"), walk_in_post(cast, **{"applicant-full_name": "Trần Thị Dung"}), follow=True
    )
    assert response.redirect_chain == [(f"{reverse('portal:officer_intake')}?received={dossier.code}", 302)]
    assert f"already entered as dossier {dossier.code}" in response.content.decode()
    assert Dossier.objects.count() == 1


def test_walk_in_errors_sit_next_to_their_fields_and_nothing_is_written(client, cast):
    as_user(client, cast.desk)
    post = walk_in_post(cast, **{"applicant-full_name": "", "applicant-id_number": "123", "data-owner_name": ""})
    response = client.post(reverse("portal:officer_walk_in"), post)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="id_applicant-full_name_error"><li>This field is required.', html)
    assert re.search(r'id="id_applicant-id_number_error"><li>A citizen ID number has exactly 12 digits.', html)
    assert re.search(r'id="id_data-owner_name_error"><li>This field is required.', html)
    assert not Dossier.objects.exists()

    # A refused scan rolls back the whole entry.
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(reverse("portal:officer_walk_in"), walk_in_post(cast, paper_land_title=bad))
    assert response.status_code == 400, re.findall(r'role="alert".*?</div>', response.content.decode(), re.S)
    assert re.search(r'id="id_paper_land_title_error"><li>Accepted types: pdf', response.content.decode())
    assert not Dossier.objects.exists()


def test_walk_in_is_only_for_the_desks_procedures(client, cast):
    as_user(client, cast.desk)
    other = cast.other_agency
    from tests.factories import ProcedureFactory

    foreign = ProcedureFactory(agency=other)
    response = client.get(reverse("portal:officer_walk_in"), {"procedure": foreign.code})
    assert response.status_code == 400
    assert not Dossier.objects.exists()


def test_postal_dossier_without_fee_taken(client, cast):
    as_user(client, cast.desk)
    post = walk_in_post(cast, **{"applicant-channel": "postal", "applicant-fee_paid": None})
    response = client.post(reverse("portal:officer_walk_in"), post)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.channel, dossier.status, dossier.paid_via) == ("postal", Status.RECEIVED, "")


# The dossier page -------------------------------------------------------------------------


def test_dossier_page_shows_data_papers_history_and_my_actions(client, cast):
    dossier = cast.in_review()
    html = page(as_user(client, cast.specialist), "officer_dossier", dossier.code)
    assert "Họ tên" in html and "Nguyễn Văn An" in html  # label from the form spec, value
    attachment = dossier.attachment_files.get()
    assert reverse("portal:officer_attachment", args=[dossier.code, attachment.pk]) in html
    assert "sxd.desk" in html or str(cast.desk) in html  # history names the actor
    for action in ("claim", "propose", "ask_more"):
        assert f'data-action="{action}"' in html
    assert "Trình duyệt" in html  # the flow action's label
    assert f'name="expected_version" value="{dossier.version}"' in html
    assert 'data-action="receive"' not in html and 'data-action="sign"' not in html

    download = client.get(reverse("portal:officer_attachment", args=[dossier.code, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 scan"


def test_a_paused_dossier_shows_the_days_left_not_the_old_appointment(client, cast):
    dossier = cast.in_review()
    appointment = date_format(timezone.localtime(dossier.due_at), "DATETIME_FORMAT")
    assert appointment in page(as_user(client, cast.specialist), "officer_dossier", dossier.code)
    dossier = cast.act(dossier, "ask_more", cast.specialist, comment="Thiếu bản vẽ")
    html = page(client, "officer_dossier", dossier.code)
    days = f"{dossier.remaining_days:f}".rstrip("0").rstrip(".")
    assert f"paused for the papers; working days left when they come: {days}" in html
    assert appointment not in html
    # Withdrawn meanwhile: no appointment is owed, paused or not.
    dossier = cast.act(dossier, "withdraw", cast.citizen)
    html = page(client, "officer_dossier", dossier.code)
    assert "working days left when they come" not in html
    assert "<dt>Appointment</dt>" not in html


def test_a_flow_action_from_the_dossier_page(client, cast):
    dossier = cast.in_review()
    as_user(client, cast.specialist)
    response = act(client, dossier, "propose", comment="Đủ điều kiện")
    assert response.status_code == 302
    assert response.url == reverse("portal:officer_dossier", args=[dossier.code])
    dossier.refresh_from_db()
    assert (dossier.step, dossier.pending_role) == ("decide", "head")
    html = client.get(response.url).content.decode()
    assert "Trình duyệt: done for dossier" in html
    assert "Đủ điều kiện" in html  # the comment in the history


def test_a_stale_version_shows_the_dossier_as_it_is_and_the_action_again(client, cast):
    dossier = cast.in_review()
    old = dossier.version
    cast.act(dossier, "claim", cast.specialist)
    response = act(as_user(client, cast.specialist), dossier, "propose", version=old, comment="Đủ điều kiện")
    assert response.status_code == 412
    form = form_of(response.content.decode(), "propose")
    assert "The dossier has changed since you opened this page. It is shown below as it is now" in form
    dossier.refresh_from_db()
    assert dossier.step == "review"
    # The comment stays and the form now carries the version shown, so pressing again goes through.
    assert "Đủ điều kiện</textarea>" in form
    assert f'name="expected_version" value="{dossier.version}"' in form
    again = act(client, dossier, "propose", version=dossier.version, comment="Đủ điều kiện")
    assert again.status_code == 302
    dossier.refresh_from_db()
    assert dossier.step == "decide"


def test_unknown_or_impossible_actions_are_4xx_not_500(client, cast):
    dossier = cast.in_review()
    as_user(client, cast.specialist)
    assert act(client, dossier, "teleport").status_code == 404
    response = act(client, dossier, "approve")  # the head's step, not now
    assert response.status_code == 409
    assert "is not possible at this point" in response.content.decode()
    assert client.post(reverse("portal:officer_action", args=[dossier.code, "propose"]), {}).status_code == 400


def test_another_agencys_officer_gets_404(client, cast):
    dossier = cast.in_review()
    attachment = dossier.attachment_files.get()
    as_user(client, cast.other_specialist)
    assert client.get(reverse("portal:officer_dossier", args=[dossier.code])).status_code == 404
    assert act(client, dossier, "claim").status_code == 404
    assert client.get(reverse("portal:officer_attachment", args=[dossier.code, attachment.pk])).status_code == 404
    dossier.refresh_from_db()
    assert dossier.assignee is None
    # The applicant has no officer pages at all.
    assert as_user(client, cast.citizen).get(reverse("portal:officer_dossier", args=[dossier.code])).status_code == 403


# Batch signing --------------------------------------------------------------------------------


def test_sign_page_lists_the_approved_dossiers(client, cast):
    approved = [cast.approved() for _ in range(2)]
    not_yet = cast.in_review()
    html = page(as_user(client, cast.signer), "officer_sign")
    for dossier in approved:
        assert f'name="dossier" value="{dossier.pk}"' in html
    assert not_yet.code not in html
    assert 'id="sign-progress-bar"' in html and "portal/officer.js" in html
    response = client.post(reverse("portal:officer_sign"), {})
    assert response.status_code == 400
    assert "Select at least one dossier" in response.content.decode()


def test_the_json_endpoint_signs_a_chunk(client, cast):
    dossiers = [cast.approved() for _ in range(3)]
    not_approved = cast.in_review()
    as_user(client, cast.signer)
    url = reverse("portal:officer_sign_run")
    ids = [d.pk for d in dossiers] + [not_approved.pk]
    response = client.post(url, {"dossier": ids})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert sorted(body["signed"]) == sorted(d.code for d in dossiers)
    assert body["failed"] == {str(not_approved.pk): "This dossier is not waiting for your signature."}
    for dossier in dossiers:
        dossier.refresh_from_db()
        assert dossier.status == Status.SIGNED and dossier.documents.filter(kind="result").exists()

    # Signing again: they are no longer waiting.
    again = json.loads(client.post(url, {"dossier": [dossiers[0].pk]}).content)
    assert again["signed"] == [] and list(again["failed"]) == [str(dossiers[0].pk)]
    assert client.post(url, {"dossier": list(range(1, 7))}).status_code == 400
    assert client.post(url, {}).status_code == 400
    assert as_user(client, cast.head).post(url, {"dossier": ids}).status_code == 403


def test_a_failed_signature_names_the_dossier_and_reason(client, cast):
    dossier = cast.approved()
    other_signer = cast.signer.__class__.objects.create(username="sxd.signer2", full_name="Ký Thay")
    other_signer.memberships.create(agency=cast.agency, role="signer")  # no certificate
    response = as_user(client, other_signer).post(reverse("portal:officer_sign_run"), {"dossier": [dossier.pk]})
    body = json.loads(response.content)
    assert body["signed"] == [] and "no valid signing certificate" in body["failed"][dossier.code]
    dossier.refresh_from_db()
    assert dossier.status == Status.APPROVED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_form_signs_all_selected(client):
    """``batch_sign`` signs in worker processes, which see only committed rows: PostgreSQL."""
    cast = Cast()
    dossiers = [cast.approved() for _ in range(3)]
    response = as_user(client, cast.signer).post(reverse("portal:officer_sign"), {"dossier": [d.pk for d in dossiers]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 dossiers signed." in html
    assert Dossier.objects.filter(status=Status.SIGNED).count() == 3


# Overdue and the apology ------------------------------------------------------------------------


def test_overdue_list_and_the_apology(client, cast, django_capture_on_commit_callbacks):
    dossier = cast.in_review()
    on_time = cast.in_review()
    later = dossier.due_at + dt.timedelta(days=5)
    with time_machine.travel(later):
        as_user(client, cast.head)
        html = page(client, "officer_overdue")
        assert dossier.code in html and on_time.code in html  # both received together
        row = re.search(rf'data-code="{dossier.code}".*?</tr>', html, re.S).group(0)
        days = (timezone.localdate() - timezone.localtime(dossier.due_at).date()).days
        assert f'<td data-label="Days late" class="days-late">{days}</td>' in row
        assert 'data-action="apologize"' in row

        response = act(
            client, dossier, "apologize", comment="Chờ ý kiến liên ngành", next=reverse("portal:officer_overdue")
        )
        assert response.status_code == 400
        apology = form_of(response.content.decode(), "apologize")
        assert re.search(r'-new_due_date-error"><li>Enter a date as YYYY-MM-DD.', apology)

        new_date = working_calendar().add(timezone.now(), 3).date()
        with django_capture_on_commit_callbacks(execute=True):
            response = act(
                client,
                dossier,
                "apologize",
                comment="Chờ ý kiến liên ngành",
                new_due_date=new_date.isoformat(),
                next=reverse("portal:officer_overdue"),
            )
        assert response.status_code == 302 and response.url == reverse("portal:officer_overdue")
        dossier.refresh_from_db()
        assert timezone.localtime(dossier.due_at).date() == new_date
        assert Apology.objects.get(dossier=dossier).reason == "Chờ ý kiến liên ngành"
        assert dossier.documents.filter(kind=Document.Kind.APOLOGY).exists()
        table = page(client, "officer_overdue").split("<table")[1]
        assert dossier.code not in table and on_time.code in table
        # A specialist has no overdue page.
        assert as_user(client, cast.specialist).get(reverse("portal:officer_overdue")).status_code == 403


def test_dates_are_day_first_in_vietnamese(client, cast):
    dossier = cast.in_review()
    as_user(client, cast.specialist)
    response = client.get(reverse("portal:officer_dossier", args=[dossier.code]), HTTP_ACCEPT_LANGUAGE="vi")
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert f"{timezone.localtime(dossier.due_at):%H:%M %d/%m/%Y}" in html
    queue = client.get(reverse("portal:officer_queue"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert f"{timezone.localtime(dossier.due_at):%d/%m/%Y}" in queue


def test_the_agency_cannot_open_a_citizens_unsent_application(client, cast):
    draft = cast.draft()
    attachment = draft.attachment_files.get()
    as_user(client, cast.desk)
    assert client.get(reverse("portal:officer_dossier", args=[draft.code])).status_code == 404
    assert client.get(reverse("portal:officer_attachment", args=[draft.code, attachment.pk])).status_code == 404
    cast.act(draft, "submit", cast.citizen)
    assert client.get(reverse("portal:officer_dossier", args=[draft.code])).status_code == 200


def test_refusals_and_missing_pages_are_site_pages_that_say_why(cast, client):
    client.force_login(cast.citizen)
    refused = client.get("/officer/", HTTP_ACCEPT_LANGUAGE="vi")
    page = refused.content.decode()
    assert refused.status_code == 403
    assert "Trang này chỉ dành cho cán bộ." in page and 'href="/"' in page and "<nav" in page
    missing = client.get("/dossiers/NO-SUCH-DOSSIER/", HTTP_ACCEPT_LANGUAGE="vi")
    assert missing.status_code == 404 and "<nav" in missing.content.decode()


def test_a_flow_action_that_needs_a_reason_asks_for_one_on_the_page(cast, client):
    dossier = cast.in_review()
    client.force_login(cast.specialist)
    page = client.get(reverse("portal:officer_dossier", args=[dossier.code])).content.decode()
    form = re.search(r'<form[^>]*data-action="ask_more".*?</form>', page, re.S)[0]
    assert re.search(r'<textarea[^>]*name="comment"[^>]*required', form)
    propose = re.search(r'<form[^>]*data-action="propose".*?</form>', page, re.S)[0]
    assert not re.search(r"<textarea[^>]*required", propose)
