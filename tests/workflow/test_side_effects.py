"""What follows a committed action (signed notices, e-mails) never fails the
action, says what happened at its event even when it runs later, and is not
lost when the queue or the mail server is down: ``issue_notices`` makes up."""

from __future__ import annotations

import datetime as dt
import io
import socket
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import formats, timezone

from config.celery import app as celery_app
from tests.factories import UserFactory
from tests.workflow.test_tasks import _forget_connections
from workflow import tasks
from workflow.documents import SIGNER_TITLES, _context
from workflow.models import Document, PendingNotice
from workflow.side_effects import notify_applicant

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shown(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def test_with_the_broker_down_the_action_stands_and_issue_notices_makes_up(
    cast, client, monkeypatch, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    dossier = cast.submitted()
    broker = f"redis://127.0.0.1:{closed_port()}/0"
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", broker)
    _forget_connections()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            dossier = cast.act(dossier, "receive", cast.desk)  # no exception: the action has committed
    finally:
        _forget_connections()
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)

    seq = dossier.events.get(action="receive").seq
    assert dossier.status == "received"
    pending = list(PendingNotice.objects.values_list("job", "what", "event_seq"))
    assert sorted(pending) == [("document", "receipt", seq), ("email", "received", seq)]
    assert not Document.objects.filter(dossier=dossier).exists() and mail.outbox == []
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get("/admin/workflow/pendingnotice/").content.decode()
    assert dossier.code in page and "OperationalError" in page  # what went wrong, for the operator

    out = io.StringIO()
    call_command("issue_notices", stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "2 pending notices issued."
    assert Document.objects.get(dossier=dossier).kind == Document.Kind.RECEIPT
    assert [m.to for m in mail.outbox] == [["an@example.vn"]]
    assert shown(dossier.due_at) in mail.outbox[0].body
    assert not PendingNotice.objects.exists()


def test_a_notice_issued_late_shows_the_appointment_its_event_set(cast):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM), tick=False):
        dossier = cast.in_review()
    received_due = dossier.due_at
    assert received_due == dt.datetime(2026, 3, 20, 17, 0, tzinfo=HCM)
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, 0, tzinfo=HCM), tick=False):
        dossier = cast.act(dossier, "ask_more", cast.specialist, comment="Thiếu bản vẽ")
    with time_machine.travel(dt.datetime(2026, 3, 11, 9, 0, tzinfo=HCM), tick=False):
        dossier = cast.act(dossier, "supplement_submitted", cast.citizen, comment="Đã bổ sung")
    assert dossier.due_at == dt.datetime(2026, 3, 27, 17, 0, tzinfo=HCM)  # the clock moved it since

    seq = dossier.events.get(action="receive").seq
    context = _context(
        dossier, Document.Kind.RECEIPT, event_seq=seq, signer_name="UBND", signer_title=SIGNER_TITLES["desk"]
    )
    assert context["due_at"] == received_due
    notify_applicant(dossier.pk, "received", seq)
    assert shown(received_due) in mail.outbox[-1].body
    assert shown(dossier.due_at) not in mail.outbox[-1].body


def test_an_apology_is_e_mailed_with_its_new_date_and_its_notice_shows_the_old_one(
    cast, django_capture_on_commit_callbacks
):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM), tick=False):
        dossier = cast.in_review()
    with (
        time_machine.travel(dt.datetime(2026, 3, 23, 9, 0, tzinfo=HCM), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dossier = cast.act(
            dossier, "apologize", cast.head, comment="Chờ ý kiến phối hợp", data={"new_due_date": "2026-03-27"}
        )
    new_due = dt.datetime(2026, 3, 27, 17, 0, tzinfo=HCM)
    assert f"We apologise: your dossier {dossier.code} is late. New appointment: {shown(new_due)}." in [
        m.body for m in mail.outbox
    ]
    seq = dossier.events.get(action="apologize").seq
    notice = _context(
        dossier, Document.Kind.APOLOGY, event_seq=seq, signer_name="UBND", signer_title=SIGNER_TITLES["desk"]
    )
    assert (notice["previous_due_at"], notice["due_at"]) == (dt.datetime(2026, 3, 20, 17, 0, tzinfo=HCM), new_due)


def test_an_e_mail_the_mail_server_refuses_is_retried_then_kept_for_issue_notices(cast, settings):
    dossier = cast.received()
    seq = dossier.events.get(action="receive").seq
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2

    # The send raises (a worker retries the task on OSError)...
    with pytest.raises(ConnectionRefusedError):
        notify_applicant(dossier.pk, "received", seq)
    assert not PendingNotice.objects.exists()
    # ...and when the last retry fails too, the e-mail is kept, not lost.
    result = tasks.notify_applicant.apply(args=(dossier.pk, "received", seq), retries=5, throw=False)
    assert isinstance(result.result, ConnectionRefusedError)
    assert list(PendingNotice.objects.values_list("job", "what", "event_seq")) == [("email", "received", seq)]

    # Still down: the command says so in one line and keeps it.
    with pytest.raises(CommandError, match="1 of 1 pending notices failed again"):
        call_command("issue_notices", stdout=io.StringIO(), stderr=io.StringIO())
    assert PendingNotice.objects.get().error.startswith("ConnectionRefusedError")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("issue_notices", stdout=io.StringIO(), stderr=io.StringIO())
    assert len(mail.outbox) == 1 and not PendingNotice.objects.exists()


@pytest.mark.parametrize("propagates", [False, True], ids=["DEBUG off", "DEBUG on"])
def test_inline_a_failing_e_mail_is_tried_once_then_kept(
    cast, django_capture_on_commit_callbacks, settings, monkeypatch, propagates
):
    """In the embedded setup jobs run inside the request: a mail server that hangs up is
    tried once (not five times more), and the e-mail is kept for issue_notices."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", propagates)
    attempts = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def hang_up() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            attempts.append(1)
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.getsockname()[1]
    dossier = cast.submitted()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            dossier = cast.act(dossier, "receive", cast.desk)
    finally:
        server.close()
    assert dossier.status == "received"
    assert len(attempts) == 1
    assert list(PendingNotice.objects.values_list("job", flat=True)) == ["email"]
