"""A citizen on a phone files a dossier end to end: log in, apply with a
paper, pay through the test gateway, submit."""

from __future__ import annotations

import pytest

from tests.browser.conftest import fits_the_screen
from tests.factories import AgencyFactory, ProcedureFactory, UserFactory
from workflow.models import Dossier, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_applies_pays_and_submits_on_a_360px_screen(live_server, phone, tmp_path):
    agency = AgencyFactory(code="SXD", name="Sở Xây dựng")
    procedure = ProcedureFactory(agency=agency, name="Cấp giấy phép xây dựng nhà ở riêng lẻ", fee_vnd=75000)
    UserFactory(username="an", full_name="Nguyễn Văn An", password="secret-pass-1")
    scan = tmp_path / "so-do.pdf"
    scan.write_bytes(b"%PDF-1.4 scan of the land title")

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_label("Username").fill("an")
    phone.get_by_label("Password").fill("secret-pass-1")
    phone.get_by_role("button", name="Log in").click()

    phone.goto(f"{live_server.url}/procedures/{procedure.code}/")
    phone.get_by_role("link", name="Apply online").click()
    phone.get_by_label("Họ tên").fill("Nguyễn Văn An")
    phone.get_by_label("Diện tích (m²)").fill("120")
    phone.locator("#id_paper_land_title").set_input_files(str(scan))
    phone.get_by_role("button", name="Save and continue").click()
    phone.wait_for_url("**/dossiers/**")
    assert "Your draft" in phone.locator(".messages").inner_text()

    phone.get_by_role("button", name="Pay the fee").click()
    phone.get_by_role("button", name="Confirm payment").click()
    assert "The fee is paid" in phone.locator(".messages").inner_text()

    phone.get_by_role("button", name="Submit the dossier").click()
    status = phone.locator(".page-head .status")
    assert status.inner_text() == "Submitted"

    # The stylesheet is served locally, and nothing is wider than the phone's screen.
    header = phone.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == "rgb(163, 32, 26)"
    assert fits_the_screen(phone)
    dossier = Dossier.objects.get(applicant__username="an")
    assert dossier.status == Status.SUBMITTED
    assert dossier.paid_via == "online"
    assert dossier.attachment_files.get().original_name == "so-do.pdf"
