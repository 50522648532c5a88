from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from config.commands import DatabaseCommand
from procedures.errors import CatalogError
from procedures.services import import_catalog


class Command(DatabaseCommand):
    help = (
        "Create or update agencies and procedures from YAML catalog files and publish "
        "each changed flow as a new version. All or nothing: on any error nothing is "
        "changed and each error is printed on one line (file: path: reason)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="YAML catalog files")

    def handle(self, *args, files, **options):
        try:
            report = import_catalog(paths=files)
        except CatalogError as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(_("%(count)d error(s); nothing was imported.") % {"count": len(exc.issues)}) from None
        self.stdout.write(
            _(
                "Agencies: %(ac)d created, %(au)d updated. Procedures: %(pc)d created, "
                "%(pu)d updated. Flow versions published: %(fp)d."
            )
            % {
                "ac": len(report.agencies_created),
                "au": len(report.agencies_updated),
                "pc": len(report.procedures_created),
                "pu": len(report.procedures_updated),
                "fp": len(report.flows_published),
            }
        )
