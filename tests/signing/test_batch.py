"""Batch signing (``workflow.services.batch_sign``): the dossiers are split
into jobs for worker processes forked from a process that loaded the fonts,
keys and CRL first; each dossier is still its own ``sign`` action, and every
result verifies. Worker processes see only committed rows: PostgreSQL."""

from __future__ import annotations

import pytest

from signing.verification import verify_pdf
from tests.signing.conftest import Cast, read_document
from workflow.models import Document, Dossier, Status
from workflow.services import batch_sign


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_signs_each_dossier_in_its_own_action_across_workers():
    cast = Cast()
    dossiers = [cast.approved() for _ in range(7)]  # two workers: jobs of 4 and 3
    taken = cast.act(dossiers[5], "sign", cast.signer)  # signed meanwhile: its action is refused, the others go on
    reported = []

    outcome = batch_sign(
        dossier_ids=[d.pk for d in dossiers], user=cast.signer, workers=2, progress=lambda *r: reported.append(r)
    )

    others = sorted(d.code for d in dossiers if d.pk != taken.pk)
    assert sorted(outcome.signed) == others
    assert list(outcome.failed) == [taken.code]
    assert sorted(code for code, _ in reported) == sorted(d.code for d in dossiers)
    assert Dossier.objects.filter(status=Status.SIGNED).count() == 7
    results = Document.objects.filter(kind=Document.Kind.RESULT)
    assert results.count() == 7
    for document in results:
        assert verify_pdf(read_document(document)).valid
