"""What happens after an action commits: signed notices and e-mails.

Queued after the transaction commits, so a rolled-back action sends nothing.
The tasks (``workflow/tasks.py``) run inline in the embedded setup and on
Celery workers when ``CELERY_TASK_ALWAYS_EAGER`` is off.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from workflow import tasks
from workflow.documents import NOTICE_FOR_ACTION
from workflow.models import Document, Dossier, Status

logger = logging.getLogger(__name__)

# Which states the applicant hears about, and what the notice says.
NOTICES = {
    Status.RECEIVED: lambda d: (
        _("Your dossier %(code)s was received. Appointment: %(due)s.") % {"code": d.code, "due": _format(d.due_at)}
    ),
    Status.REFUSED: lambda d: _("Your dossier %(code)s was not received.") % {"code": d.code},
    Status.AWAITING_SUPPLEMENT: lambda d: (
        _("Your dossier %(code)s needs more papers; please supply them.") % {"code": d.code}
    ),
    Status.REJECTED: lambda d: _("Your dossier %(code)s was rejected.") % {"code": d.code},
    Status.SIGNED: lambda d: _("The result of your dossier %(code)s is ready.") % {"code": d.code},
    Status.RETURNED: lambda d: _("The result of your dossier %(code)s was returned to you.") % {"code": d.code},
    Status.CANCELLED: lambda d: _("The processing of your dossier %(code)s was stopped.") % {"code": d.code},
}


def _format(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"


def dossier_changed(dossier_id: int, *, action: str, status: str, previous_status: str, seq: int) -> None:
    """Queue what follows a committed action: the signed notice it calls for
    (receipt, refusal, supplement request, apology) and the applicant's e-mail."""
    kind = NOTICE_FOR_ACTION.get(action)
    if status == Status.AWAITING_SUPPLEMENT and previous_status != status:
        kind = Document.Kind.SUPPLEMENT_REQUEST
    if kind is not None:
        tasks.issue_notice.delay(dossier_id, kind, seq)
    if status != previous_status and status in NOTICES:
        tasks.notify_applicant.delay(dossier_id, status)


def notify_applicant(dossier_id: int, status: str) -> None:
    """E-mail the applicant the notice for the state the dossier entered.

    ``status`` is the state the action committed, not the dossier's state when
    this runs, so a queued notice still says what happened.
    """
    dossier = Dossier.objects.filter(pk=dossier_id).only("code", "due_at", "applicant_email").first()
    if dossier is None or not dossier.applicant_email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = NOTICES[status](dossier)
        subject = _("Dossier %(code)s") % {"code": dossier.code}
    try:
        send_mail(subject, body, None, [dossier.applicant_email])
    except OSError:
        # The action stands; a lost e-mail is logged, not a failed action.
        logger.exception("Notice for dossier %s could not be sent", dossier.code)
