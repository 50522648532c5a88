from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from config.commands import DatabaseCommand
from procedures.interchange import dump_catalog
from procedures.selectors import agencies_for, procedures_with_current_flow


class Command(DatabaseCommand):
    help = (
        "Write the catalog (or the procedures given with --procedure) as interchange "
        "YAML with each procedure's current published flow. The output imports back "
        "to the same catalog."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--procedure",
            action="append",
            dest="codes",
            metavar="CODE",
            help="Export only this procedure (repeatable). Its agencies come with it.",
        )
        parser.add_argument("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")

    def handle(self, *args, codes, output, **options):
        procedures = list(procedures_with_current_flow(codes))
        if codes:
            missing = sorted(set(codes) - {p.code for p in procedures})
            if missing:
                raise CommandError(_("No procedure with code: %(codes)s") % {"codes": ", ".join(missing)})
        unpublished = [p.code for p in procedures if p.current_flow is None]
        if unpublished:
            self.stderr.write(_("Left out, no published flow: %(codes)s") % {"codes": ", ".join(unpublished)})
        text = dump_catalog(agencies_for(procedures if codes else None), procedures)
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc}) from None
        else:
            self.stdout.write(text, ending="")
