from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from config.commands import DatabaseCommand
from workflow.documents import issue_notice
from workflow.models import PendingNotice
from workflow.side_effects import notify_applicant


class Command(DatabaseCommand):
    help = (
        "Issue the signed notices and send the e-mails that followed committed actions but could not be "
        "queued or failed after their retries. Exits non-zero if some still fail."
    )

    def handle(self, *args, **options):
        pending = list(PendingNotice.objects.order_by("created_at", "pk"))
        failed = 0
        with tqdm(total=len(pending), desc=_("Pending notices"), unit="", file=self.stderr._out, disable=None) as bar:
            for item in pending:
                try:
                    if item.job == PendingNotice.Job.DOCUMENT:
                        issue_notice(item.dossier_id, item.what, item.event_seq)  # once per event, safe again
                    else:
                        notify_applicant(item.dossier_id, item.what, item.event_seq)
                except Exception as exc:  # kept for the next run, with what went wrong
                    failed += 1
                    PendingNotice.objects.filter(pk=item.pk).update(error=repr(exc)[:2000])
                else:
                    item.delete()
                bar.update()
        if failed:
            raise CommandError(
                _("%(failed)d of %(total)d pending notices failed again; they are kept for the next run.")
                % {"failed": failed, "total": len(pending)}
            )
        self.stdout.write(_("%(n)d pending notices issued.") % {"n": len(pending)})
