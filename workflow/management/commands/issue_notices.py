from django.core.management.base import CommandError
from django.db import transaction
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
        pending = list(PendingNotice.objects.order_by("created_at", "pk").values_list("pk", flat=True))
        failed = 0
        with tqdm(total=len(pending), desc=_("Pending notices"), unit="", file=self.stderr._out, disable=None) as bar:
            for pk in pending:
                failed += not self._issue(pk)
                bar.update()
        if failed:
            raise CommandError(
                _("%(failed)d of %(total)d pending notices failed again; they are kept for the next run.")
                % {"failed": failed, "total": len(pending)}
            )
        self.stdout.write(_("%(n)d pending notices issued.") % {"n": len(pending)})

    def _issue(self, pk: int) -> bool:
        """Issue one kept follow-up under its row's lock, so that two runs at once (cron
        overlapping a slow run) never send one e-mail twice; False if it failed again."""
        with transaction.atomic():
            item = PendingNotice.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if item is None:
                return True  # done meanwhile, or being done by another run
            try:
                with transaction.atomic():
                    if item.job == PendingNotice.Job.DOCUMENT:
                        issue_notice(item.dossier_id, item.what, item.event_seq)  # once per event, safe again
                    else:
                        notify_applicant(item.dossier_id, item.what, item.event_seq)
            except Exception as exc:  # kept for the next run, with what went wrong
                item.error = repr(exc)[:2000]
                item.save(update_fields=["error"])
                return False
            item.delete()
            return True
