"""Odd input to the pages is a clear 4xx, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory, ProcedureFactory, UserFactory
from workflow.errors import InvalidInput
from workflow.models import Dossier
from workflow.services import create_dossier

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/dossiers/SXD%00/", "/procedures/?q=a%00b", "/officer/?step=%00"])
def test_a_nul_character_in_the_address_is_refused(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize(("start", "end"), [("0001-01-01", "9999-12-31"), ("1999-12-31", "2025-01-01")])
def test_the_dashboard_refuses_a_period_outside_the_years_it_reports(client, start, end):
    client.force_login(UserFactory(is_staff=True))
    for name in ("portal:dashboard", "portal:dashboard_export"):
        response = client.get(reverse(name), {"from": start, "to": end})
        assert response.status_code == 400
        assert "Enter a date from 2000-01-01 to 2099-12-31." in response.content.decode()


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "-1"])
def test_odd_dossier_ids_to_batch_signing_are_ignored(client, value):
    signer = MembershipFactory(role="signer").user
    client.force_login(signer)
    response = client.post(reverse("portal:officer_sign"), {"dossier": value})
    assert response.status_code == 400
    chunk = client.post(reverse("portal:officer_sign_run"), {"dossier": value})
    assert chunk.status_code == 200
    assert chunk.json() == {"signed": [], "failed": {value: "This dossier is not waiting for your signature."}}


def test_an_oversized_client_key_is_refused_and_nothing_is_made():
    procedure = ProcedureFactory()
    citizen = UserFactory()
    for key in ("k" * 129, "a\x00b"):
        with pytest.raises(InvalidInput) as error:
            create_dossier(procedure=procedure, user=citizen, client_key=key)
        assert "client_key" in error.value.fields
    assert not Dossier.objects.exists()


def test_json_nested_too_deeply_is_a_parse_error(client):
    body = '{"procedure": "1.000001", "data": ' + '{"a": ' * 3000 + "1" + "}" * 3001
    client.force_login(UserFactory())
    response = client.post("/api/v1/dossiers/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"
    token = client.post("/api/v1/auth/token/", "[" * 3000, content_type="application/json")
    assert token.status_code == 400


def test_an_uploads_overlong_content_type_is_cut_to_fit(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflow.services import add_attachment

    procedure = ProcedureFactory()
    citizen = UserFactory()
    dossier, _ = create_dossier(procedure=procedure, user=citizen)
    name = procedure.attachments[0]["name"]
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/" + "x" * 150)
    attachment = add_attachment(dossier=dossier, user=citizen, name=name, upload=upload)
    attachment.refresh_from_db()
    assert len(attachment.content_type) == 100


def test_kpis_still_answer_after_an_unused_agency_is_deleted():
    from procedures.models import Agency
    from workflow.kpi import compute_kpis, parse_filters
    from workflow.models import KpiDaily

    procedure = ProcedureFactory()
    dossier, _ = create_dossier(procedure=procedure, user=UserFactory())
    agency = procedure.agency
    Dossier.objects.filter(pk=dossier.pk).update(received_at=dossier.created_at, channel="online")
    assert KpiDaily.objects.filter(agency=agency).exists()
    Dossier.objects.all().delete()
    procedure.delete()
    Agency.objects.filter(pk=agency.pk).delete()
    assert not KpiDaily.objects.filter(agency_id=agency.pk).exists()
    assert compute_kpis(parse_filters({}))["online_rate"]["total"] == 0


def test_a_form_without_a_valid_csrf_token_gets_the_sites_page_in_its_language(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a", "password": "b"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "<h1>Biểu mẫu đã hết hạn</h1>" in html
    assert "Hãy quay lại, tải lại trang rồi gửi lại biểu mẫu." in html
    assert "CSRF verification failed" not in html
