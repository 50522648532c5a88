"""Officers take a dossier through its flow in the browser: the desk
receives it and prints the receipt, the specialist and the head act on it,
the signer signs a batch with the progress bar reaching 100%, and the desk
returns the result."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from signing.pki import init_pki, issue_person_certificate
from tests.browser.conftest import fits_the_screen, off_the_event_loop
from tests.factories import AgencyFactory, MembershipFactory, ProcedureFactory, UserFactory
from workflow.engine import perform_action
from workflow.models import Dossier, Status
from workflow.services import add_attachment, create_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def act(dossier, action, user):
    return perform_action(dossier, action, user, expected_version=dossier.version)


def submitted(procedure, citizen):
    dossier, _ = create_dossier(procedure=procedure, user=citizen, data={"owner_name": "Nguyễn Văn An"})
    add_attachment(
        dossier=dossier,
        user=citizen,
        name="land_title",
        upload=SimpleUploadedFile("so-do.pdf", b"%PDF-1.4 scan", content_type="application/pdf"),
    )
    dossier.refresh_from_db()
    return act(dossier, "submit", citizen)


def test_officers_take_a_dossier_from_intake_to_the_returned_result(live_server, open_as):
    agency = AgencyFactory(code="SXD", name="Sở Xây dựng")
    procedure = ProcedureFactory(agency=agency, name="Cấp giấy phép xây dựng")
    staff = {
        role: MembershipFactory(agency=agency, role=role, user__username=f"sxd.{role}").user
        for role in ("desk", "specialist", "head", "signer")
    }
    citizen = UserFactory(username="an", full_name="Nguyễn Văn An")

    def setup():
        init_pki()
        issue_person_certificate(staff["signer"], agency)
        # Five more approved dossiers, so the batch takes two chunks.
        others = []
        for _ in range(5):
            other = act(submitted(procedure, citizen), "receive", staff["desk"])
            other = act(act(other, "accept", staff["desk"]), "propose", staff["specialist"])
            others.append(act(other, "approve", staff["head"]))
        return submitted(procedure, citizen), others

    dossier, others = off_the_event_loop(setup)

    # The desk receives the dossier at intake, then prints the receipt.
    desk = open_as("sxd.desk")
    desk.get_by_role("link", name="Intake").click()
    row = desk.locator(f'tr[data-code="{dossier.code}"]')
    row.get_by_role("button", name="Receive").click()
    notice = desk.locator("#just-received")
    assert dossier.code in notice.inner_text()
    with desk.expect_popup() as popup:
        notice.get_by_role("link", name="Print the receipt (form 01)").click()
    receipt = popup.value
    receipt.wait_for_load_state()
    assert receipt.url.endswith(f"/officer/dossiers/{dossier.code}/receipt/")
    assert fits_the_screen(desk)

    # The desk passes it on (the flow's intake step), on the dossier page.
    desk.goto(f"{live_server.url}/officer/dossiers/{dossier.code}/")
    desk.locator('form[data-action="accept"]').get_by_role("button").click()
    assert "done for dossier" in desk.locator(".messages").inner_text()

    # The specialist claims it from the queue and proposes it.
    specialist = open_as("sxd.specialist")
    specialist.get_by_role("link", name="Work queue").click()
    specialist.locator(f'tr[data-code="{dossier.code}"]').get_by_role("button", name="Take this dossier").click()
    specialist.get_by_label("Assigned to me").check()
    specialist.get_by_role("button", name="Filter").click()
    specialist.locator(f'tr[data-code="{dossier.code}"]').get_by_role("link", name="Open").click()
    propose = specialist.locator('form[data-action="propose"]')
    propose.get_by_label("Comment (optional)").fill("Đủ điều kiện cấp phép")
    propose.get_by_role("button").click()
    assert "done for dossier" in specialist.locator(".messages").inner_text()
    assert fits_the_screen(specialist)

    # The head approves.
    head = open_as("sxd.head")
    head.goto(f"{live_server.url}/officer/dossiers/{dossier.code}/")
    head.locator('form[data-action="approve"]').get_by_role("button").click()
    assert head.locator(".page-head .status").inner_text() == "Approved"

    # The signer signs all six in a batch; the progress bar reaches 100%.
    signer = open_as("sxd.signer")
    signer.get_by_role("link", name="Batch sign").click()
    signer.get_by_label("Select all").check()
    signer.get_by_role("button", name="Sign selected").click()
    signer.wait_for_function(
        "() => { const p = document.getElementById('sign-progress-bar'); return p.max === 6 && p.value === 6; }",
        timeout=120_000,
    )
    assert "100%" in signer.locator("#sign-progress-text").inner_text()
    assert "6 signed, 0 failed" in signer.locator("#sign-progress-text").inner_text()
    assert signer.locator("tr.is-signed").count() == 6
    assert fits_the_screen(signer)
    assert Dossier.objects.filter(status=Status.SIGNED).count() == 6

    # The desk returns the signed result.
    desk.goto(f"{live_server.url}/officer/dossiers/{dossier.code}/")
    desk.locator('form[data-action="return"]').get_by_role("button").click()
    assert desk.locator(".page-head .status").inner_text() == "Result returned"
    assert desk.get_by_role("link", name="Verify", exact=True).count() == 2  # the receipt and the result
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert {o.pk for o in others} <= set(Dossier.objects.filter(status=Status.SIGNED).values_list("pk", flat=True))


def test_the_desk_enters_a_walk_in_dossier_on_a_phone(live_server, open_as, tmp_path):
    agency = AgencyFactory(code="SXD", name="Sở Xây dựng")
    procedure = ProcedureFactory(agency=agency, name="Cấp giấy phép xây dựng", fee_vnd=75000)
    MembershipFactory(agency=agency, role="desk", user__username="sxd.desk")
    scan = tmp_path / "so-do.pdf"
    scan.write_bytes(b"%PDF-1.4 scan of the land title")

    desk = open_as("sxd.desk")
    desk.get_by_role("link", name="Intake").click()
    desk.get_by_role("link", name="Enter a walk-in or postal dossier").click()
    desk.get_by_label("Procedure").select_option(procedure.code)
    desk.get_by_role("button", name="Continue").click()
    desk.get_by_label("By post").check()
    desk.get_by_label("Applicant's full name").fill("Lê Văn Cường")
    desk.get_by_label("Citizen ID number").fill("12345")
    desk.get_by_label("Họ tên").fill("Lê Văn Cường")
    desk.locator("#id_paper_land_title").set_input_files(str(scan))
    desk.get_by_role("button", name="Submit and receive").click()
    # The error sits next to its field; nothing is entered yet.
    error = desk.locator("#id_applicant-id_number_error")
    assert "12 digits" in error.inner_text()
    assert fits_the_screen(desk)
    assert not Dossier.objects.exists()

    desk.get_by_label("Citizen ID number").fill("079201001234")
    desk.locator("#id_paper_land_title").set_input_files(str(scan))
    desk.get_by_role("button", name="Submit and receive").click()
    assert "is entered and received" in desk.locator(".messages").inner_text()
    dossier = Dossier.objects.get()
    assert (dossier.channel, dossier.status, dossier.paid_via) == ("postal", Status.RECEIVED, "counter")
    assert desk.locator("#just-received").get_by_role("link", name="Print the receipt (form 01)").count() == 1
