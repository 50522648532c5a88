from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from config.commands import DatabaseCommand
from workflow.audit import chain_breaks
from workflow.models import AuditEvent


class Command(DatabaseCommand):
    help = "Check every dossier's audit chain. Exits 0 when all are intact; otherwise names the first broken event."

    def handle(self, *args, **options):
        first = next(chain_breaks(), None)
        if first is not None:
            raise CommandError(_("Audit chain broken: %(where)s") % {"where": first})
        self.stdout.write(_("All audit chains are intact (%(n)d events).") % {"n": AuditEvent.objects.count()})
