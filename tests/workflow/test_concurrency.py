"""Races on PostgreSQL, where row locks are real: these run in CI's
PostgreSQL pass and are deselected on SQLite (see tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.conftest import race
from workflow.engine import perform_action
from workflow.errors import ConflictError
from workflow.models import Dossier
from workflow.services import create_dossier

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_conflicting_actions_one_wins(cast):
    dossier = cast.in_review()
    version, events = dossier.version, dossier.events.count()
    officers = [cast.specialist, cast.second_specialist]

    results = race(20, lambda i: perform_action(dossier, "propose", officers[i % 2], expected_version=version))

    wins = [r for r in results if isinstance(r, Dossier)]
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(wins) == 1 and len(conflicts) == 19, results
    dossier.refresh_from_db()
    assert (dossier.step, dossier.version) == ("decide", version + 1)
    assert dossier.events.count() == events + 1


def test_concurrent_filings_get_distinct_codes(cast):
    results = race(20, lambda i: create_dossier(procedure=cast.procedure, user=cast.citizen)[0].code)
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 20
    assert sorted(int(code.rsplit("-", 1)[1]) for code in results) == list(range(1, 21))


def test_concurrent_retries_with_one_client_key_make_one_dossier(cast):
    results = race(20, lambda i: create_dossier(procedure=cast.procedure, user=cast.citizen, client_key="retry-1"))
    assert all(isinstance(r, tuple) for r in results), results
    assert len({dossier.pk for dossier, _created in results}) == 1
    assert sum(created for _dossier, created in results) == 1
    assert Dossier.objects.count() == 1
