"""Drive N full dossier lifecycles through the engine in one process.

    make bench-engine        (PostgreSQL database motcua_bench, created if missing)

Each lifecycle: create (counter channel, desk enters it), submit, receive,
accept, propose, approve, sign, return — the documented three-step flow.
Prints lifecycles/s, actions/s and SQL queries per lifecycle (which must not
grow with the number of dossiers already stored). Uses its own database,
migrated and emptied of dossiers at the start.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Measure as production runs: no query log kept in memory.
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.services import upsert_user  # noqa: E402
from procedures.models import AdministrativeLevel, Agency, Procedure, Sector  # noqa: E402
from procedures.services import create_flow_draft, publish_flow_version  # noqa: E402
from workflow.engine import perform_action  # noqa: E402
from workflow.models import Dossier  # noqa: E402
from workflow.services import create_dossier  # noqa: E402

FLOW = {
    "start": "intake",
    "steps": [
        {"id": "intake", "name": "Tiếp nhận", "role": "desk", "days": 0.5,
         "actions": [{"id": "accept", "label": "Chuyển thụ lý", "to": "review"}]},
        {"id": "review", "name": "Thụ lý", "role": "specialist", "days": 10,
         "actions": [{"id": "propose", "label": "Trình", "to": "decide"},
                     {"id": "ask_more", "label": "Bổ sung", "outcome": "supplement"}]},
        {"id": "decide", "name": "Phê duyệt", "role": "head", "days": 4.5,
         "actions": [{"id": "approve", "label": "Duyệt", "outcome": "approve"},
                     {"id": "reject", "label": "Từ chối", "outcome": "reject"}]},
    ],
}  # fmt: skip
ROUTE = [("submit", "desk"), ("receive", "desk"), ("accept", "desk"), ("propose", "specialist"),
         ("approve", "head"), ("sign", "signer"), ("return", "desk")]  # fmt: skip
APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "012345678901", "phone": "0905123456"}


def setup():
    call_command("migrate", verbosity=0)
    Dossier.objects.all().delete()
    level = AdministrativeLevel.objects.get(code="city")
    agency, _ = Agency.objects.get_or_create(code="BENCH", defaults={"name": "Cơ quan đo", "level": level})
    sector, _ = Sector.objects.get_or_create(name="Đo hiệu năng")
    procedure, created = Procedure.objects.get_or_create(
        code="9.999999",
        defaults={"name": "Thủ tục đo", "agency": agency, "sector": sector, "time_limit_days": 15,
                  "form": [{"name": "owner_name", "label": "Họ tên", "type": "text", "required": True}]},
    )  # fmt: skip
    if created:
        publish_flow_version(version=create_flow_draft(procedure=procedure, definition=FLOW))
    users = {}
    for role in ("desk", "specialist", "head", "signer"):
        users[role], _ = upsert_user(
            username=f"bench.{role}",
            password="bench-pass-1",
            memberships=[("BENCH", role)],
        )
    return procedure, users


def lifecycle(procedure, users):
    dossier, _ = create_dossier(
        procedure=procedure, user=users["desk"], channel="counter", applicant=APPLICANT, data={"owner_name": "An"}
    )
    for action, role in ROUTE:
        dossier = perform_action(dossier, action, users[role], expected_version=dossier.version)
    return dossier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--lifecycles", type=int, default=1000)
    args = parser.parse_args()
    procedure, users = setup()
    for _ in range(20):  # warm caches (calendar, flow, memberships)
        lifecycle(procedure, users)

    with CaptureQueriesContext(connection) as first:
        lifecycle(procedure, users)
    started = time.perf_counter()
    for _ in range(args.lifecycles):
        lifecycle(procedure, users)
    elapsed = time.perf_counter() - started
    reset_queries()
    with CaptureQueriesContext(connection) as last:
        lifecycle(procedure, users)

    actions = args.lifecycles * (len(ROUTE) + 1)
    print(f"database           {connection.vendor}")
    print(f"lifecycles         {args.lifecycles} in {elapsed:.2f} s")
    print(f"lifecycles/s       {args.lifecycles / elapsed:.1f}")
    print(f"actions/s          {actions / elapsed:.1f}  (create + {len(ROUTE)} actions each)")
    print(f"queries/lifecycle  {len(first)} at the start, {len(last)} after {Dossier.objects.count()} dossiers")


if __name__ == "__main__":
    main()
