import sys
from pathlib import Path

from django.core.management.base import CommandError

from config.commands import DatabaseCommand
from signing.verification import verify_pdf


class Command(DatabaseCommand):
    help = (
        "Verify a signed PDF: signer, agency, signing time and each check (integrity, chain to our root, "
        "validity at signing time, revocation). Exits 0 only when every check passes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The signed PDF to check.")

    def handle(self, *args, file, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        result = verify_pdf(data)
        if result.signer:
            self.stdout.write(f"Người ký / Signer:      {result.signer}")
            self.stdout.write(f"Cơ quan / Agency:       {result.agency}")
            signed = f"{result.signed_at:%Y-%m-%d %H:%M:%S %Z}" if result.signed_at else "—"
            self.stdout.write(f"Thời điểm ký / Signed:  {signed}")
        for check in result.checks:
            mark = "OK  " if check.ok else "FAIL"
            self.stdout.write(f"[{mark}] {check.name}: {check.message_vi} / {check.message_en}")
        if result.valid:
            self.stdout.write("HỢP LỆ / VALID")
            return
        self.stdout.write("KHÔNG HỢP LỆ / INVALID")
        sys.exit(1)
