"""After-commit jobs: a real Celery worker against the machine's Redis, and a
job that crashes half-way leaves things consistent and retries cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from signing.pki import agency_certificate
from signing.verification import verify_pdf
from workflow.documents import issue_notice
from workflow.models import Document

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres  # the worker process must reach the test database
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_issues_the_receipt(cast, tmp_path, monkeypatch):
    broker = "redis://127.0.0.1:6379/7"
    redis.Redis.from_url(broker).flushdb()  # a Redis database of the test's own, emptied
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_MEDIA_ROOT": settings.MEDIA_ROOT,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", broker)
    monkeypatch.setitem(celery_app.conf, "result_backend", broker)
    _forget_connections()  # the app keeps its producer pool: start one on the test's broker
    try:
        dossier = cast.received()  # the receipt job goes to the queue after commit
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not Document.objects.filter(dossier=dossier).exists():
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.5)
        assert Document.objects.filter(dossier=dossier).exists(), (tmp_path / "worker.log").read_text()
        receipt = Document.objects.get(dossier=dossier)
        assert receipt.kind == Document.Kind.RECEIPT
        assert receipt.event_seq == dossier.events.get(action="receive").seq
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        _forget_connections()


def _forget_connections() -> None:
    """Close and drop every broker pool: kombu keeps them in process-wide
    registries, and a pool closed but left there fails every later send."""
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


@pytest.mark.django_db
def test_a_job_that_crashes_after_signing_writes_nothing_and_retries_once(cast, settings, tmp_path):
    dossier = cast.received()
    seq = dossier.events.get(action="receive").seq
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocker / "media")  # storing the signed PDF fails
    with pytest.raises(OSError):
        issue_notice(dossier.pk, Document.Kind.RECEIPT, seq)
    assert not Document.objects.filter(dossier=dossier).exists()
    dossier.refresh_from_db()
    assert dossier.status == "received" and dossier.events.count() == dossier.version

    settings.MEDIA_ROOT = str(tmp_path / "media")
    first = issue_notice(dossier.pk, Document.Kind.RECEIPT, seq)
    again = issue_notice(dossier.pk, Document.Kind.RECEIPT, seq)
    assert first.pk == again.pk
    assert Document.objects.filter(dossier=dossier).count() == 1


@pytest.mark.django_db
def test_a_job_that_crashes_between_render_and_sign_leaves_nothing_and_retries_once(cast, settings, tmp_path):
    """Rendered, then the key cannot be opened (the passphrase in the settings is not the
    one it was stored with): no document, no file, the dossier as it was; once the
    settings are right, the job issues the receipt, and only once."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    dossier = cast.received()
    seq = dossier.events.get(action="receive").seq
    agency_certificate(dossier.agency)  # stored under the right passphrase
    right = settings.PKI_KEY_PASSPHRASE
    settings.PKI_KEY_PASSPHRASE = "not the passphrase the key was stored with"
    with pytest.raises(ValueError) as crash:
        issue_notice(dossier.pk, Document.Kind.RECEIPT, seq)
    assert any(entry.name == "sign_pdf" for entry in crash.traceback)  # past rendering, in signing
    assert not Document.objects.filter(dossier=dossier).exists()
    assert not list((tmp_path / "media" / "documents").rglob("*.pdf"))
    dossier.refresh_from_db()
    assert dossier.status == "received" and dossier.events.count() == dossier.version

    settings.PKI_KEY_PASSPHRASE = right
    first = issue_notice(dossier.pk, Document.Kind.RECEIPT, seq)
    again = issue_notice(dossier.pk, Document.Kind.RECEIPT, seq)
    assert first.pk == again.pk and Document.objects.filter(dossier=dossier).count() == 1
    with first.file.open("rb") as handle:
        assert verify_pdf(handle.read()).valid
