"""The fee, the rating and the digitisation flags the KPIs read: each set by
its service or action, refused cleanly when it does not apply."""

from __future__ import annotations

import pytest

from tests.factories import ProcedureFactory
from workflow.errors import ConflictError, InvalidInput, NotPermitted
from workflow.models import AuditEvent, Payment, Status
from workflow.services import pay_fee, rate_dossier

APPLICANT = {"full_name": "Lê Văn Cường", "id_number": "048090001234", "phone": "0905123123"}


def test_the_applicant_pays_online_once(cast):
    dossier = cast.draft()
    assert dossier.fee_vnd == 75000
    payment = pay_fee(dossier=dossier, user=cast.citizen)
    dossier.refresh_from_db()
    assert (dossier.paid_via, dossier.paid_at) == ("online", payment.paid_at)
    assert (payment.amount_vnd, payment.method, payment.provider) == (75000, "online", "test")
    assert payment.reference.startswith("TEST-")
    event = AuditEvent.objects.get(dossier=dossier, action="pay")
    assert event.changes["payment"]["reference"] == payment.reference

    with pytest.raises(ConflictError, match="already been paid"):
        pay_fee(dossier=dossier, user=cast.citizen)
    assert Payment.objects.count() == 1


def test_the_desk_takes_the_fee_at_the_counter(cast):
    dossier = cast.draft(user=cast.desk, channel="counter", applicant=APPLICANT, attach=False)
    with pytest.raises(NotPermitted):
        pay_fee(dossier=dossier, user=cast.desk)  # online is the applicant's
    pay_fee(dossier=dossier, user=cast.desk, method="counter")
    dossier.refresh_from_db()
    assert dossier.paid_via == "counter"


def test_payment_refusals_change_nothing(cast, db):
    dossier = cast.draft()
    with pytest.raises(NotPermitted):
        pay_fee(dossier=dossier, user=cast.other_citizen)
    with pytest.raises(InvalidInput) as error:
        pay_fee(dossier=dossier, user=cast.citizen, method="cash")
    assert "method" in error.value.fields
    free = cast.draft(procedure=ProcedureFactory(agency=cast.agency, code="2.000001", fee_vnd=0))
    with pytest.raises(ConflictError, match="no fee"):
        pay_fee(dossier=free, user=cast.citizen)
    assert not Payment.objects.exists()
    assert not AuditEvent.objects.filter(action="pay").exists()


def test_the_applicant_rates_a_closed_dossier(cast):
    dossier = cast.submitted()
    with pytest.raises(ConflictError, match="once the dossier is closed"):
        rate_dossier(dossier=dossier, user=cast.citizen, score=5)
    dossier = cast.act(dossier, "refuse", cast.desk, comment="Thiếu giấy tờ")
    with pytest.raises(NotPermitted):
        rate_dossier(dossier=dossier, user=cast.other_citizen, score=5)
    for bad in (0, 6, "năm", None):
        with pytest.raises(InvalidInput) as error:
            rate_dossier(dossier=dossier, user=cast.citizen, score=bad)
        assert "rating" in error.value.fields
    dossier = rate_dossier(dossier=dossier, user=cast.citizen, score="4", comment="  Nhanh gọn  ")
    assert (dossier.rating, dossier.rating_comment, dossier.status) == (4, "Nhanh gọn", Status.REFUSED)
    dossier = rate_dossier(dossier=dossier, user=cast.citizen, score=5)
    assert dossier.rating == 5


def test_intake_records_whether_the_papers_are_digital(cast):
    online = cast.received()
    assert online.papers_digitised is True
    counter = cast.draft(user=cast.desk, channel="counter", applicant=APPLICANT, attach=False)
    counter = cast.act(cast.act(counter, "submit", cast.desk), "receive", cast.desk)
    assert counter.papers_digitised is False


def test_signing_records_an_electronic_result(cast):
    dossier = cast.approved()
    assert dossier.result_digitised is False
    dossier = cast.act(dossier, "sign", cast.signer)
    assert dossier.result_digitised is True
