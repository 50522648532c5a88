"""Shared set-up for the benchmarks: Django on the database of DATABASE_URL,
migrated, with a bench agency, a three-step procedure and its officers."""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Measure as production runs: no query log kept in memory.
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret")
# Documents the benchmarks sign go to a scratch folder, not the demo's media.
os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="motcua-bench-"))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.services import upsert_user  # noqa: E402
from procedures.models import AdministrativeLevel, Agency, Procedure, Sector  # noqa: E402
from procedures.services import create_flow_draft, publish_flow_version  # noqa: E402
from workflow.engine import perform_action  # noqa: E402
from workflow.models import Document, Dossier  # noqa: E402
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
TO_APPROVED = [("submit", "desk"), ("receive", "desk"), ("accept", "desk"), ("propose", "specialist"),
               ("approve", "head")]  # fmt: skip
APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "012345678901", "phone": "0905123456"}


def setup():
    """Migrate, clear dossiers, and return the bench procedure and its officers by role."""
    call_command("migrate", verbosity=0)
    Document.objects.all().delete()
    Dossier.objects.all().delete()
    level = AdministrativeLevel.objects.get(code="city")
    agency, _ = Agency.objects.get_or_create(code="BENCH", defaults={"name": "Sở Đo lường", "level": level})
    sector, _ = Sector.objects.get_or_create(name="Đo hiệu năng")
    procedure, created = Procedure.objects.get_or_create(
        code="9.999999",
        defaults={"name": "Thủ tục đo hiệu năng", "agency": agency, "sector": sector, "time_limit_days": 15,
                  "form": [{"name": "owner_name", "label": "Họ tên", "type": "text", "required": True}]},
    )  # fmt: skip
    if created:
        publish_flow_version(version=create_flow_draft(procedure=procedure, definition=FLOW))
    users = {}
    for role in ("desk", "specialist", "head", "signer"):
        users[role], _ = upsert_user(
            username=f"bench.{role}", password="bench-pass-1", memberships=[("BENCH", role)], full_name=f"Cán bộ {role}"
        )
    return procedure, users


def new_dossier(procedure, users):
    dossier, _ = create_dossier(
        procedure=procedure, user=users["desk"], channel="counter", applicant=APPLICANT, data={"owner_name": "An"}
    )
    return dossier


def walk(dossier, route, users):
    for action, role in route:
        dossier = perform_action(dossier, action, users[role], expected_version=dossier.version)
    return dossier


@contextmanager
def counting() -> Iterator[dict[str, int]]:
    """The SQL queries and Python function calls (cProfile's count) of the block, in
    the dict yielded, filled when the block ends. Unlike times they come out the same
    on every run, so they show what a change did on a busy or slower machine."""
    counts: dict[str, int] = {}
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as captured:
        profiler.enable()
        try:
            yield counts
        finally:
            profiler.disable()
    counts["queries"] = len(captured)
    counts["calls"] = pstats.Stats(profiler).total_calls
