from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from accounts.services import AccountError, upsert_user
from config.commands import DatabaseCommand


class Command(DatabaseCommand):
    help = (
        "Create or update a user. Each --agency CODE --role ROLE pair gives the user a "
        "role at an agency; the pairs given replace the ones held, and with no pair the "
        "roles held are kept (a new user is then a citizen). --citizen removes them all."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The login name; the user is created if there is none by that name.")
        parser.add_argument(
            "--password", help="Required for a new user; it must pass the password validators. Kept when not given."
        )
        parser.add_argument(
            "--agency", action="append", default=[], metavar="CODE", help="Agency code of a role (repeatable)."
        )
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            metavar="ROLE",
            help="Role at the --agency in the same place: desk, specialist, head, signer or clerk (repeatable).",
        )
        parser.add_argument(
            "--citizen", action="store_true", help="Remove every role the user holds: the user becomes a citizen."
        )
        parser.add_argument("--email", help="E-mail address (kept when not given).")
        parser.add_argument("--full-name", dest="full_name", help="Full name as shown to others (kept when not given).")
        parser.add_argument(
            "--admin",
            action="store_true",
            default=None,
            help="Give access to the administration site (staff and superuser).",
        )

    def handle(self, *args, username, password, agency, role, citizen, email, full_name, admin, **options):
        if len(agency) != len(role):
            raise CommandError(
                _("Give --agency and --role in pairs: %(a)d agency and %(r)d role value(s) given.")
                % {"a": len(agency), "r": len(role)}
            )
        if citizen and agency:
            raise CommandError(_("Give either --citizen or --agency/--role pairs, not both."))
        if citizen:
            memberships = []
        elif agency:
            memberships = list(zip(agency, role, strict=True))
        else:
            memberships = None  # the roles held stay
        try:
            user, created = upsert_user(
                username=username,
                password=password,
                memberships=memberships,
                email=email,
                full_name=full_name,
                is_admin=admin,
            )
        except AccountError as exc:
            raise CommandError(str(exc)) from None
        roles = ", ".join(f"{m.role}@{m.agency.code}" for m in user.memberships.select_related("agency"))
        self.stdout.write(
            (_("Created %(user)s") if created else _("Updated %(user)s")) % {"user": username}
            + f" ({roles or _('citizen')})"
        )
