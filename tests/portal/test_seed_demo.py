"""seed_demo: the shipped catalog, the demo accounts and consistent dossiers."""

import contextlib
import datetime as dt
import importlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Membership, User
from procedures.models import AdministrativeLevel, FlowVersion, Procedure
from signing.verification import verify_pdf
from workflow.demo import dossiers_lacking_documents, generate_dossiers, issue_documents
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
    seed(dossiers=5, seed=2, documents=False)  # a load-test set: owed no documents, ever
    load_test = set(Dossier.objects.values_list("pk", flat=True))
    # A run stopped after writing its dossiers and halfway through their documents...
    made = generate_dossiers(12, seed=3, documents=True)
    owed = dossiers_lacking_documents()
    assert owed and set(owed) <= set(made)
    issue_documents(owed[: len(owed) // 2])
    assert dossiers_lacking_documents() == owed[len(owed) // 2 :]
    # ...is finished by the next one, without doubles, and nothing else is signed.
    seed(dossiers=17)
    assert not dossiers_lacking_documents() and Dossier.objects.count() == 17
    seeded = Dossier.objects.filter(pk__in=made)
    received = seeded.filter(received_at__isnull=False)
    signed = seeded.filter(status__in=[Status.SIGNED, Status.RETURNED])
    assert Document.objects.filter(kind=Document.Kind.RECEIPT).count() == received.count() > 0
    assert Document.objects.filter(kind=Document.Kind.RESULT).count() == signed.count() > 0
    assert not Document.objects.filter(dossier__in=load_test).exists()
    for document in Document.objects.all():
        with document.file.open("rb") as handle:
            assert verify_pdf(handle.read()).valid, document
    before = Document.objects.count()
    seed(dossiers=17)
    assert Document.objects.count() == before


@pytest.mark.django_db
def test_an_impossible_number_of_dossiers_is_refused_in_one_line():
    with pytest.raises(CommandError, match="between 0 and 10000000"):
        seed(dossiers=10_000_001)
    assert not Dossier.objects.exists()


def test_ctrl_c_stops_with_one_line_and_the_next_run_finishes(tmp_path):
    """Run in a process of its own on a scratch SQLite file, interrupted as a person would."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "PYTHONUNBUFFERED": "1"}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    run = subprocess.Popen(
        [*manage, "seed_demo", "--dossiers", "200000", "--no-documents", "--seed", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while dossiers_in(tmp_path) == 0:  # a first batch is in; interrupt the next ones
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 1, (out, err)
    assert "Traceback" not in err
    made = dossiers_in(tmp_path)
    last = err.strip().splitlines()[-1]
    assert last.startswith("CommandError:") and f" {made} " in last, last
    assert 0 < made < 200_000 and made % 5000 == 0  # whole batches only
    subprocess.run(
        [*manage, "seed_demo", "--dossiers", str(made + 10), "--no-documents"], env=env, check=True, capture_output=True
    )
    assert dossiers_in(tmp_path) == made + 10


def dossiers_in(folder: Path) -> int:
    with contextlib.closing(sqlite3.connect(folder / "demo.sqlite3", timeout=30)) as db:
        return db.execute("SELECT count(*) FROM workflow_dossier").fetchone()[0]
