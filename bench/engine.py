"""Drive N full dossier lifecycles through the engine in one process.

    make bench-engine N=1000      (PostgreSQL database motcua_bench, created if missing)

Each lifecycle: create (counter channel, the desk enters it), submit,
receive, accept, propose, approve, sign, return. Prints lifecycles/s,
actions/s and SQL queries per lifecycle, at the start and after the run
(they must not grow with the number of dossiers stored), and the Python
function calls of a lifecycle without its sign action (the same on every
run, unlike the times on a busy machine). The after-commit
tasks (signed receipts, e-mails) are switched off here: this measures the
engine; bench/signing.py measures documents. The sign action still renders
and signs the result, so it is timed separately.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"  # keep the after-commit tasks out of the engine's figures

from common import TO_APPROVED, counting, new_dossier, setup, walk
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signing.pki import init_pki, issue_person_certificate, person_certificate
from workflow import side_effects
from workflow.models import Dossier

ROUTE = [*TO_APPROVED, ("sign", "signer"), ("return", "desk")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--lifecycles", type=int, default=1000)
    args = parser.parse_args()
    procedure, users = setup()
    init_pki()
    if person_certificate(users["signer"]) is None:
        issue_person_certificate(users["signer"], procedure.agency)
    side_effects.dossier_changed = lambda *a, **k: None  # no broker here: the engine alone is measured

    signing_seconds = 0.0

    def lifecycle():
        nonlocal signing_seconds
        dossier = walk(new_dossier(procedure, users), TO_APPROVED, users)
        started = time.perf_counter()
        dossier = walk(dossier, [("sign", "signer")], users)
        signing_seconds += time.perf_counter() - started
        return walk(dossier, [("return", "desk")], users)

    for _ in range(10):
        lifecycle()
    with CaptureQueriesContext(connection) as first:
        lifecycle()
    signing_seconds = 0.0
    started = time.perf_counter()
    for _ in range(args.lifecycles):
        lifecycle()
    elapsed = time.perf_counter() - started
    engine_seconds = elapsed - signing_seconds
    with CaptureQueriesContext(connection) as last:
        lifecycle()
    # The engine's own work, as counts that do not drift with the machine's speed.
    with counting() as before_sign:
        approved = walk(new_dossier(procedure, users), TO_APPROVED, users)
    signed = walk(approved, [("sign", "signer")], users)
    with counting() as after_sign:
        walk(signed, [("return", "desk")], users)

    actions = args.lifecycles * (len(ROUTE) + 1)
    print(f"database           {connection.vendor}")
    print(f"lifecycles         {args.lifecycles} in {elapsed:.2f} s, {signing_seconds:.2f} s of it signing results")
    print(
        f"lifecycles/s       {args.lifecycles / elapsed:.1f} with the result's PDF, "
        f"{args.lifecycles / engine_seconds:.1f} for the engine alone"
    )
    print(
        f"actions/s          {(actions - args.lifecycles) / engine_seconds:.1f}  (create + {len(ROUTE) - 1} actions "
        "each, the sign action left out)"
    )
    print(f"queries/lifecycle  {len(first)} at the start, {len(last)} after {Dossier.objects.count()} dossiers")
    print(
        f"python calls       {before_sign['calls'] + after_sign['calls']} per lifecycle, the sign action left out "
        "(cProfile's count: the same on every run)"
    )


if __name__ == "__main__":
    main()
