from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from accounts.services import upsert_user
from config.commands import DatabaseCommand
from procedures.errors import CatalogError
from procedures.models import Agency, Role
from procedures.services import import_catalog
from workflow.demo import dossiers_lacking_documents, generate_dossiers, issue_documents
from workflow.models import Dossier

CATALOG_DIR = Path(settings.BASE_DIR) / "procedures" / "catalog"
DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed for the demo logins
CITIZENS = [("citizen1", "Nguyễn Văn An"), ("citizen2", "Trần Thị Bình")]
# Ten million dossiers take hours and tens of GB; more is a typing error.
MAX_DOSSIERS = 10_000_000


class Command(DatabaseCommand):
    help = (
        "Load the shipped procedure catalog and create demo accounts: an administrator, "
        "one officer per agency and role, and citizens. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dossiers",
            type=int,
            default=120,
            metavar="N",
            help=f"Make sure there are at least N dossiers (at most {MAX_DOSSIERS:_}), spread over procedures, "
            "channels, states and the last 18 months (default 120), with their signed receipts and results. "
            "A run that was stopped is finished by running again.",
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--no-documents",
            action="store_false",
            dest="documents",
            help="Skip the signed receipts and results (for large load-test data sets).",
        )

    def handle(self, *args, dossiers, seed, documents, **options):
        if not 0 <= dossiers <= MAX_DOSSIERS:
            raise CommandError(_("--dossiers must be between 0 and %(max)d.") % {"max": MAX_DOSSIERS})
        try:
            self._seed(dossiers, seed, documents)
        except KeyboardInterrupt:
            # Each batch of dossiers is written whole or not at all, each document likewise, and
            # what a dossier is still owed stays noted until its last document is issued.
            raise CommandError(
                _("Stopped with %(n)d dossiers in all; run seed_demo again to finish.") % {"n": Dossier.objects.count()}
            ) from None

    def _seed(self, dossiers: int, seed: int | None, documents: bool) -> None:
        files = sorted(CATALOG_DIR.glob("*.yaml"))
        if not files:
            raise CommandError(_("No catalog files in %(dir)s") % {"dir": CATALOG_DIR})
        try:
            report = import_catalog(paths=files)
        except CatalogError as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(_("The shipped catalog is invalid.")) from None
        self.stdout.write(
            _("Catalog: %(n)d procedures, %(f)d flow versions published.")
            % {"n": len(report.procedures_created) + len(report.procedures_updated), "f": len(report.flows_published)}
        )
        logins = self._accounts()
        missing = max(0, dossiers - Dossier.objects.count())
        if missing:
            with tqdm(total=missing, desc=_("Dossiers"), unit="", file=self.stderr._out, disable=None) as bar:
                generate_dossiers(missing, seed=seed, progress=bar.update, documents=documents)
        if documents:
            # The new dossiers' documents, and those a stopped run did not issue (never those
            # of dossiers made with --no-documents, nor of real ones).
            lacking = dossiers_lacking_documents()
            if lacking:
                with tqdm(total=len(lacking), desc=_("Signed documents"), unit="", file=self.stderr._out) as bar:
                    issue_documents(lacking, progress=bar.update)
        self.stdout.write(_("Dossiers: %(n)d in all.") % {"n": Dossier.objects.count()})
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password %(pw)s):") % {"pw": DEMO_PASSWORD})
        for username, what in logins:
            self.stdout.write(f"  {username:<24} {what}")

    @transaction.atomic
    def _accounts(self) -> list[tuple[str, str]]:
        logins = [("admin", _("administrator"))]
        # Hashing is slow on purpose; the demo accounts share one password, so hash it once.
        password = make_password(DEMO_PASSWORD)
        upsert_user(username="admin", encoded_password=password, full_name="Quản trị hệ thống", is_admin=True)
        for agency in Agency.objects.order_by("code"):
            if not agency.procedures.exists():
                continue
            for role in Role:
                username = f"{agency.code.lower()}.{role.value}"
                upsert_user(
                    username=username,
                    encoded_password=password,
                    full_name=f"{role.label} {agency.code}",
                    memberships=[(agency.code, role.value)],
                )
                logins.append((username, f"{role.label} – {agency.name}"))
        for username, full_name in CITIZENS:
            upsert_user(
                username=username, encoded_password=password, full_name=full_name, email=f"{username}@example.vn"
            )
            logins.append((username, _("citizen")))
        return logins
