"""Concurrent requests on PostgreSQL (row locks are real there): deselected on
SQLite, run in CI's PostgreSQL pass (see tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.api.conftest import FORM_DATA, api_for
from tests.conftest import race
from workflow.models import AuditEvent, Dossier

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_conflicting_actions_one_wins(cast, transactional_db):
    dossier = cast.submitted()
    events = AuditEvent.objects.filter(dossier=dossier).count()
    clients = [api_for(cast.desk) for _ in range(50)]
    path = f"/api/v1/dossiers/{dossier.code}/actions/receive/"

    responses = race(50, lambda i: clients[i].post(path, {}, format="json", HTTP_IF_MATCH=dossier.etag))

    assert not [r for r in responses if isinstance(r, Exception)], responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1, statuses
    assert all(code in (409, 412) for code in statuses if code != 200), statuses
    version = dossier.version
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version) == ("received", version + 1)
    assert AuditEvent.objects.filter(dossier=dossier).count() == events + 1


def test_fifty_mixed_officers_and_actions_one_wins(cast, transactional_db):
    dossier = cast.submitted()
    desk, head = api_for(cast.desk), api_for(cast.head)
    moves = [(desk, "receive", {}), (desk, "refuse", {"comment": "Sai"}), (head, "receive", {})]

    def request(i):
        client, action, body = moves[i % 3]
        return client.post(
            f"/api/v1/dossiers/{dossier.code}/actions/{action}/", body, format="json", HTTP_IF_MATCH=dossier.etag
        )

    responses = race(50, request)
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 1, statuses
    assert all(code in (403, 409, 412) for code in statuses if code != 200), statuses
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version + 1


def test_fifty_concurrent_retries_with_one_key_make_one_dossier(cast, transactional_db):
    body = {"procedure": cast.procedure.code, "data": FORM_DATA}
    clients = [api_for(cast.citizen) for _ in range(50)]
    responses = race(50, lambda i: clients[i].post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k"))
    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [200] * 49 + [201]
    assert len({r.json()["code"] for r in responses}) == 1
    assert Dossier.objects.count() == 1
