"""seed_demo: the shipped catalog, the demo accounts and consistent dossiers."""

import datetime as dt
import importlib
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Membership, User
from procedures.models import AdministrativeLevel, FlowVersion, Procedure
from signing.verification import verify_pdf
from workflow.kpi import rebuild_rollup, rollup_snapshot
from workflow.models import (
    IN_FLOW_STATES,
    OPEN_STATES,
    RATEABLE_STATES,
    AuditEvent,
    Channel,
    Document,
    Dossier,
    Payment,
    Status,
)


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


@pytest.mark.django_db
def test_seeded_dossiers_fill_the_kpi_fields_and_the_daily_counts():
    seed(dossiers=600, seed=11, documents=False)
    call_command("verify_audit", stdout=io.StringIO())
    dossiers = Dossier.objects.all()
    received = dossiers.filter(received_at__isnull=False)
    online = received.filter(channel=Channel.ONLINE).count() / received.count()
    assert 0.55 < online < 0.75  # about 65% online, 30% counter, 5% postal
    assert received.filter(channel=Channel.POSTAL).exists()
    # Fees: every fee-paying dossier's payment has its row and its audit event.
    paid = dossiers.exclude(paid_via="")
    assert paid.filter(paid_via="online").exists() and paid.filter(paid_via="counter").exists()
    assert Payment.objects.count() == paid.count() == AuditEvent.objects.filter(action="pay").count()
    assert not paid.filter(fee_vnd=0).exists()
    assert not received.filter(papers_digitised__isnull=True).exists()
    assert received.filter(papers_digitised=False).exists() and received.filter(papers_digitised=True).exists()
    assert not received.filter(channel=Channel.ONLINE, papers_digitised=False).exists()
    signed = dossiers.filter(status__in=[Status.SIGNED, Status.RETURNED])
    assert signed.count() == signed.filter(result_digitised=True).count() > 0
    rated = dossiers.filter(rating__isnull=False)
    assert rated.exists() and not rated.exclude(status__in=RATEABLE_STATES).exists()
    assert not rated.filter(applicant__isnull=True).exists()
    assert AuditEvent.objects.filter(action="rate").count() == rated.count()
    now = timezone.now()
    oldest = received.order_by("received_at").first().received_at
    assert dt.timedelta(days=400) < now - oldest <= dt.timedelta(days=541)
    assert not dossiers.filter(finished_at__gt=now).exists()
    overdue = dossiers.filter(status__in=IN_FLOW_STATES, due_at__lt=now).count()
    assert overdue < dossiers.filter(status__in=IN_FLOW_STATES).count() / 2  # open dossiers are recent
    # The bulk insert went through the triggers: the daily counts equal a recount.
    maintained = rollup_snapshot()
    rebuild_rollup()
    assert rollup_snapshot() == maintained and maintained


@pytest.mark.postgres  # worker processes need a database they can all connect to
@pytest.mark.django_db(transaction=True)
def test_seeded_dossiers_get_signed_documents_that_verify():
    # An earlier transactional test may have flushed the levels the migration made.
    levels = importlib.import_module("procedures.migrations.0002_administrative_levels").LEVELS
    for code, name, rank in levels:
        AdministrativeLevel.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})
    seed(dossiers=12, seed=3)
    received = Dossier.objects.filter(received_at__isnull=False)
    signed = Dossier.objects.filter(status__in=[Status.SIGNED, Status.RETURNED])
    assert Document.objects.filter(kind=Document.Kind.RECEIPT).count() == received.count() > 0
    assert Document.objects.filter(kind=Document.Kind.RESULT).count() == signed.count()
    for document in Document.objects.all():
        with document.file.open("rb") as handle:
            assert verify_pdf(handle.read()).valid, document
