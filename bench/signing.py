"""Render and sign results: the median and p95 time for one, and the time to
batch-sign 100 approved dossiers in parallel worker processes.

    make bench-signing      (PostgreSQL database motcua_bench, created if missing)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

from common import TO_APPROVED, new_dossier, setup, walk
from django.db import connection

from signing.pki import init_pki, issue_person_certificate, person_certificate
from signing.services import issue_signed_pdf
from workflow import side_effects
from workflow.documents import Document, _context
from workflow.services import batch_sign


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--samples", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    procedure, users = setup()
    init_pki()
    certificate = person_certificate(users["signer"]) or issue_person_certificate(users["signer"], procedure.agency)
    side_effects.dossier_changed = lambda *a, **k: None

    dossier = walk(new_dossier(procedure, users), TO_APPROVED, users)
    context = _context(dossier, Document.Kind.RESULT, event_seq=dossier.version, signer_name="Cán bộ", signer_title="")
    template = context.pop("_template")
    context["verify_url"] = "http://127.0.0.1:8000/verify/00000000-0000-0000-0000-000000000000/"
    for _ in range(3):
        issue_signed_pdf(template=template, context=context, certificate=certificate, reason="Kết quả", location="")
    samples = []
    for _ in range(args.samples):
        started = time.perf_counter()
        issue_signed_pdf(template=template, context=context, certificate=certificate, reason="Kết quả", location="")
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()

    approved = [walk(new_dossier(procedure, users), TO_APPROVED, users).pk for _ in range(args.batch)]
    started = time.perf_counter()
    outcome = batch_sign(dossier_ids=approved, user=users["signer"])
    batch_seconds = time.perf_counter() - started

    print(f"database             {connection.vendor}, {os.cpu_count()} cores")
    print(f"render+sign (ms)     median {statistics.median(samples):.0f}, "
          f"p95 {samples[int(len(samples) * 0.95) - 1]:.0f}  over {args.samples}")  # fmt: skip
    print(f"batch-sign           {len(outcome.signed)} signed, {len(outcome.failed)} failed in {batch_seconds:.1f} s")


if __name__ == "__main__":
    main()
