"""What happens after an action commits: signed notices and e-mails.

Queued after the transaction commits, so a rolled-back action sends nothing.
The tasks (``workflow/tasks.py``) run inline in the embedded setup and on
Celery workers when ``CELERY_TASK_ALWAYS_EAGER`` is off.
"""

from __future__ import annotations

import logging

from celery.exceptions import Retry
from django.conf import settings
from django.core.mail import send_mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from workflow import tasks
from workflow.audit import due_at_as_of
from workflow.documents import NOTICE_FOR_ACTION
from workflow.models import Document, Dossier, PendingNotice, Status

logger = logging.getLogger(__name__)

APOLOGY = "apology"

# What the applicant is e-mailed: the state an action moved the dossier to, or an apology.
NOTICES = {
    Status.RECEIVED: lambda d, due: (
        _("Your dossier %(code)s was received. Appointment: %(due)s.") % {"code": d.code, "due": _format(due)}
    ),
    Status.REFUSED: lambda d, due: _("Your dossier %(code)s was not received.") % {"code": d.code},
    Status.AWAITING_SUPPLEMENT: lambda d, due: (
        _("Your dossier %(code)s needs more papers; please supply them.") % {"code": d.code}
    ),
    Status.REJECTED: lambda d, due: _("Your dossier %(code)s was rejected.") % {"code": d.code},
    Status.SIGNED: lambda d, due: _("The result of your dossier %(code)s is ready.") % {"code": d.code},
    Status.RETURNED: lambda d, due: _("The result of your dossier %(code)s was returned to you.") % {"code": d.code},
    Status.CANCELLED: lambda d, due: _("The processing of your dossier %(code)s was stopped.") % {"code": d.code},
    APOLOGY: lambda d, due: (
        _("We apologise: your dossier %(code)s is late. New appointment: %(due)s.")
        % {"code": d.code, "due": _format(due)}
    ),
}


def _format(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"


def _follow_ups(action: str, status: str, previous_status: str) -> tuple[str | None, str | None]:
    """What an action calls for: the kind of signed notice (receipt, refusal,
    supplement request, apology) and the e-mail's notice, each or None."""
    kind = NOTICE_FOR_ACTION.get(action)
    if status == Status.AWAITING_SUPPLEMENT and previous_status != status:
        kind = Document.Kind.SUPPLEMENT_REQUEST
    notice = APOLOGY if action == "apologize" else status if status != previous_status and status in NOTICES else None
    return kind, notice


def dossier_changed(dossier_id: int, *, action: str, status: str, previous_status: str, seq: int) -> None:
    """Queue what follows a committed action. It runs after the commit, so it never
    fails the action: a job that cannot be queued (the broker is down) or that fails
    inline is recorded as a ``PendingNotice`` for ``manage.py issue_notices``."""
    kind, notice = _follow_ups(action, status, previous_status)
    for task, what in ((tasks.issue_notice, kind), (tasks.notify_applicant, notice)):
        if what is None:
            continue
        try:
            task.delay(dossier_id, what, seq)
        except Exception as exc:  # whatever the broker or an inline job raised
            record_pending(dossier_id, seq, task.job, what, exc)


def record_pending(dossier_id: int, seq: int, job: str, what: str, exc: BaseException) -> None:
    """Keep a follow-up that did not happen, once per event and job, for ``issue_notices``."""
    if isinstance(exc, Retry) and isinstance(exc.exc, BaseException):
        exc = exc.exc  # a retry that could not be scheduled: what made the job fail
    logger.error("The %s %s for dossier %s event #%s did not happen: %r", job, what, dossier_id, seq, exc)
    try:
        PendingNotice.objects.get_or_create(
            dossier_id=dossier_id, event_seq=seq, job=job, defaults={"what": what, "error": repr(exc)[:2000]}
        )
    except Exception:
        logger.exception("Could not record the pending %s for dossier %s event #%s", job, dossier_id, seq)


def notify_applicant(dossier_id: int, notice: str, seq: int | None = None) -> None:
    """E-mail the applicant ``notice`` (a state the action committed, or an apology).

    It says what happened at event ``seq``, not what the dossier is when this
    runs: a queued notice gives the appointment as that event left it. A failed
    send raises, so the worker retries it.
    """
    dossier = Dossier.objects.filter(pk=dossier_id).only("code", "due_at", "applicant_email").first()
    if dossier is None or not dossier.applicant_email:
        return
    due = due_at_as_of(dossier, seq) if seq is not None else dossier.due_at
    with translation.override(settings.LANGUAGE_CODE):
        body = NOTICES[notice](dossier, due)
        subject = _("Dossier %(code)s") % {"code": dossier.code}
    send_mail(subject, body, None, [dossier.applicant_email])
