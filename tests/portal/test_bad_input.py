"""Odd input to the pages is a clear 4xx, never a server error."""

from __future__ import annotations

import pytest
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
