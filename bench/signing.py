"""Render and sign results: the median and p95 time for one (and for each
step), the Python function calls of one, the sizes of the PDF before and
after signing, and the time (and the workers' CPU time) to batch-sign 100
approved dossiers in parallel worker processes. Other work on the machine
shows in the times, not in the CPU time.

    make bench-signing      (PostgreSQL database motcua_bench, created if missing)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
import uuid

os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

from common import TO_APPROVED, counting, new_dossier, setup, walk
from django.db import connection
from stats import percentile

from signing.pki import init_pki, issue_person_certificate, person_certificate
from signing.rendering import render_pdf
from signing.signer import sign_pdf
from workflow import side_effects
from workflow.documents import Document, _context, verify_url
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

    def issue() -> tuple[float, float, bytes, bytes]:
        """What ``issue_signed_pdf`` does, timed by step; each document has its own QR code."""
        started = time.perf_counter()
        pdf = render_pdf(template, {**context, "verify_url": verify_url(uuid.uuid4())})
        rendered = time.perf_counter()
        signed = sign_pdf(pdf, certificate, reason="Kết quả")
        return (rendered - started) * 1000, (time.perf_counter() - rendered) * 1000, pdf, signed

    for _ in range(3):
        issue()
    runs = [issue() for _ in range(args.samples)]
    with counting() as one:
        issue()
    samples = sorted(render + sign for render, sign, _, _ in runs)
    _, _, pdf, signed = runs[-1]

    approved = [walk(new_dossier(procedure, users), TO_APPROVED, users).pk for _ in range(args.batch)]
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    outcome = batch_sign(dossier_ids=approved, user=users["signer"])
    batch_seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime

    print(f"database             {connection.vendor}, {os.cpu_count()} cores")
    print(f"render+sign (ms)     median {statistics.median(samples):.0f}, "
          f"p95 {percentile(samples, 0.95):.0f}  over {args.samples}")  # fmt: skip
    print(f"  render / sign (ms) median {statistics.median(r for r, _, _, _ in runs):.0f} / "
          f"{statistics.median(s for _, s, _, _ in runs):.0f}")  # fmt: skip
    print(f"  python calls       {one['calls']} per render+sign (cProfile's count: the same on every run)")
    print(f"PDF size (KB)        {len(pdf) / 1024:.1f} rendered, {len(signed) / 1024:.1f} signed")
    print(f"batch-sign           {len(outcome.signed)} signed, {len(outcome.failed)} failed in {batch_seconds:.1f} s")
    print(f"  worker CPU         {worker_cpu:.1f} s, {worker_cpu * 1000 / args.batch:.0f} ms a dossier")


if __name__ == "__main__":
    main()
