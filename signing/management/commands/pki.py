from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from config.commands import DatabaseCommand
from signing.models import Certificate
from signing.pki import PkiError, init_pki, issue_person_certificate, revoke_held, root_pem
from signing.signer import forget_crl


class Command(DatabaseCommand):
    help = "Manage the test PKI: init, issue USERNAME, revoke USERNAME --reason R, export-root FILE [--force]."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="verb",
            required=True,
            metavar="{init,issue,revoke,export-root}",
            help="What to do (see each one's --help).",
        )
        sub.add_parser("init", help="Create the root CA, issuing CA and time-stamp authority (idempotent).")
        issue = sub.add_parser("issue", help="Issue a signing certificate to an officer.")
        issue.add_argument("username", help="The officer's login name.")
        issue.add_argument("--agency", metavar="CODE", help="Agency named in the certificate (default: the officer's).")
        rev = sub.add_parser("revoke", help="Revoke every certificate an officer still holds.")
        rev.add_argument("username", help="The officer's login name.")
        rev.add_argument(
            "--reason", required=True, choices=Certificate.RevocationReason.values, help="Why, as the CRL will say."
        )
        export = sub.add_parser("export-root", help="Write the root CA certificate (PEM) to FILE.")
        export.add_argument("file", help="Where to write the PEM; an existing file is kept unless --force.")
        export.add_argument("--force", action="store_true", help="Overwrite FILE if it exists.")

    def handle(self, *args, verb, **options):
        try:
            getattr(self, "_" + verb.replace("-", "_"))(**options)
        except PkiError as exc:
            raise CommandError(str(exc)) from None

    def _init(self, **options):
        created = init_pki()
        self.stdout.write(_("PKI created.") if created else _("PKI already initialised; nothing changed."))

    def _user(self, username):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user '%(user)s'.") % {"user": username})
        return user

    def _issue(self, username, agency=None, **options):
        user = self._user(username)
        memberships = user.memberships.select_related("agency")
        membership = memberships.filter(agency__code=agency).first() if agency else memberships.first()
        if membership is None:
            if agency:
                raise CommandError(
                    _("'%(user)s' is not an officer of %(agency)s.") % {"user": username, "agency": agency}
                )
            raise CommandError(_("'%(user)s' is not an officer.") % {"user": username})
        record = issue_person_certificate(user, membership.agency)
        self.stdout.write(
            _("Issued certificate %(serial)s: %(subject)s (valid until %(until)s).")
            % {"serial": record.serial, "subject": record.subject, "until": f"{record.not_after:%Y-%m-%d}"}
        )

    def _revoke(self, username, reason, **options):
        records = revoke_held(self._user(username), reason=reason)
        if not records:
            raise CommandError(_("'%(user)s' has no valid certificate to revoke.") % {"user": username})
        forget_crl()
        for record in records:
            self.stdout.write(
                _("Revoked certificate %(serial)s (%(reason)s).") % {"serial": record.serial, "reason": reason}
            )

    def _export_root(self, file, force, **options):
        pem = root_pem()
        try:
            # "x" refuses an existing file in the same call that creates it.
            with Path(file).open("w" if force else "x", encoding="ascii") as out:
                out.write(pem)
        except FileExistsError:
            raise CommandError(_("%(file)s already exists; give --force to overwrite it.") % {"file": file}) from None
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": file, "error": exc}) from None
        self.stdout.write(_("Root CA certificate written to %(file)s.") % {"file": file})
