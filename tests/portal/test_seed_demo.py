"""seed_demo: the shipped catalog, the demo accounts and consistent dossiers."""

import io

import pytest
from django.core.management import call_command

from accounts.models import Membership, User
from procedures.models import FlowVersion, Procedure
from signing.verification import verify_pdf
from workflow.models import OPEN_STATES, Channel, Document, Dossier, Status


def seed(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=out, stderr=err, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_is_repeatable_and_consistent():
    output = seed(dossiers=150, seed=7, documents=False)
    assert "Demo logins (password demo12345):" in output
    assert "citizen1" in output and "ubnd_p_tt.desk" in output

    counts = (Procedure.objects.count(), FlowVersion.objects.count(), User.objects.count(), Membership.objects.count())
    assert counts[0] >= 12
    seed(dossiers=150, seed=8, documents=False)
    assert (
        Procedure.objects.count(),
        FlowVersion.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert Dossier.objects.count() == 150

    call_command("verify_audit", stdout=io.StringIO())
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {Status.RETURNED, Status.PROCESSING, Status.DRAFT} <= statuses
    assert {Channel.ONLINE, Channel.COUNTER} <= set(Dossier.objects.values_list("channel", flat=True))
    for dossier in Dossier.objects.select_related("flow_version"):
        assert dossier.events.count() == dossier.version
        if dossier.status in OPEN_STATES:
            assert dossier.flow_version.flow.step(dossier.step) is not None
            assert dossier.received_at <= dossier.due_at
        if dossier.status == Status.RETURNED:
            assert dossier.finished_at <= dossier.returned_at
    users = User.objects.filter(username="citizen1").get()
    assert users.check_password("demo12345")


@pytest.mark.postgres  # worker processes need a database they can all connect to
@pytest.mark.django_db(transaction=True)
def test_seeded_dossiers_get_signed_documents_that_verify():
    seed(dossiers=12, seed=3)
    received = Dossier.objects.filter(received_at__isnull=False)
    signed = Dossier.objects.filter(status__in=[Status.SIGNED, Status.RETURNED])
    assert Document.objects.filter(kind=Document.Kind.RECEIPT).count() == received.count() > 0
    assert Document.objects.filter(kind=Document.Kind.RESULT).count() == signed.count()
    for document in Document.objects.all():
        with document.file.open("rb") as handle:
            assert verify_pdf(handle.read()).valid, document
