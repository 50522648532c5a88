"""What happens after an action commits: notices to the applicant.

Runs after the transaction commits, so a rolled-back action sends nothing.
In the embedded setup it runs inline; ``config/celery.py`` sends it to the
task queue in production.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from workflow.models import Dossier, Status

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


def status_changed(dossier_id: int, status: str) -> None:
    """Send the applicant the notice for the state the dossier entered, if any.

    ``status`` is the state the action committed, not the dossier's state when
    this runs, so a queued notice still says what happened.
    """
    if status not in NOTICES:
        return
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
