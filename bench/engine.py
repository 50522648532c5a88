"""Drive N full dossier lifecycles through the engine in one process.

    make bench-engine N=1000      (PostgreSQL database motcua_bench, created if missing)

Each lifecycle: create (counter channel, the desk enters it), submit,
receive, accept, propose, approve, sign, return. The actions run in T
threads of this one process (default: two per core, as the threads of a
web server would; while one waits for the database another runs), each on
its own database connection, in three phases:

1. create each dossier and take it to approved;
2. the signer signs each (the sign action renders the result's PDF and
   signs it; bench/signing.py measures that, and batch signing in worker
   processes, on its own);
3. return each signed result.

Prints lifecycles/s, actions/s and this process's CPU time per lifecycle
for the engine alone (phases 1 and 3; the CPU time moves less than the
rates when the machine's speed does) and lifecycles/s with the result's PDF
(all three), the same with one thread, the CPU time of each step with one
thread, the SQL queries of one lifecycle at the start and after the run
(they must not grow with the number of dossiers stored), and the Python
function calls of a lifecycle without its sign action (the same on every
run, unlike the times on a busy machine). Exits non-zero when the queries of
a lifecycle grew over the run, or the database is not PostgreSQL. The
after-commit tasks (signed receipts, e-mails) are switched off here: this
measures the engine; bench/signing.py measures documents.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections.abc import Callable

os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"  # keep the after-commit tasks out of the engine's figures

from common import TO_APPROVED, counting, new_dossier, setup, walk
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.heap import settle
from signing.pki import init_pki, issue_person_certificate, person_certificate
from workflow import side_effects
from workflow.models import Dossier

ROUTE = [*TO_APPROVED, ("sign", "signer"), ("return", "desk")]
# Create and each action but sign, which phase 2 times on its own.
ENGINE_ACTIONS = len(ROUTE)


def in_threads(count: int, threads: int, work: Callable[[int], object]) -> tuple[list, float]:
    """``work(i)`` for i in range(count), spread over ``threads`` threads; the results in
    order and the seconds taken. Each thread closes its own database connection."""
    results: list = [None] * count
    next_index = iter(range(count))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None or errors:
                    return
                results[index] = work(index)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=run) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
    return results, time.perf_counter() - started


def run(count: int, threads: int, procedure, users) -> tuple[float, float, float, float]:
    """The three phases over ``count`` new dossiers: the seconds of each, and the CPU
    seconds this process spent in phases 1 and 3."""
    cpu = time.process_time()
    approved, first = in_threads(count, threads, lambda _: walk(new_dossier(procedure, users), TO_APPROVED, users))
    cpu = time.process_time() - cpu
    signed, signing = in_threads(count, threads, lambda i: walk(approved[i], [("sign", "signer")], users))
    cpu -= time.process_time()
    _, last = in_threads(count, threads, lambda i: walk(signed[i], [("return", "desk")], users))
    cpu += time.process_time()
    return first, signing, last, cpu


def cpu_per_action(count: int, procedure, users) -> dict[str, float]:
    """The CPU microseconds of each step of a lifecycle but sign, by one thread over ``count`` lifecycles."""
    spent = dict.fromkeys(["create"] + [action for action, _role in ROUTE if action != "sign"], 0.0)
    for _ in range(count):
        started = time.process_time()
        dossier = new_dossier(procedure, users)
        spent["create"] += time.process_time() - started
        for action, role in ROUTE:
            started = time.process_time()
            dossier = walk(dossier, [(action, role)], users)
            if action != "sign":
                spent[action] += time.process_time() - started
    return {step: seconds * 1e6 / count for step, seconds in spent.items()}


def report(label: str, count: int, seconds: tuple[float, float, float, float]) -> None:
    first, signing, last, cpu = seconds
    engine = first + last
    print(
        f"{label:<18} {count / engine:6.1f} lifecycles/s, {count * ENGINE_ACTIONS / engine:6.1f} actions/s "
        f"for the engine alone ({cpu * 1000 / count:.2f} ms of this process's CPU each); "
        f"{count / (engine + signing):5.1f} lifecycles/s with the result's PDF "
        f"({signing:.1f} s of {engine + signing:.1f} s signing)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--lifecycles", type=int, default=1000)
    parser.add_argument("-t", "--threads", type=int, default=2 * (os.cpu_count() or 1))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/engine.py measures on PostgreSQL: set DATABASE_URL=postgres://…")
    procedure, users = setup()
    init_pki()
    if person_certificate(users["signer"]) is None:
        issue_person_certificate(users["signer"], procedure.agency)
    side_effects.dossier_changed = lambda *a, **k: None  # no broker here: the engine alone is measured

    for _ in range(10):
        walk(new_dossier(procedure, users), ROUTE, users)
    settle()  # as a server's worker does once it has loaded (config/wsgi.py)
    with CaptureQueriesContext(connection) as first:
        walk(new_dossier(procedure, users), ROUTE, users)
    concurrent = run(args.lifecycles, args.threads, procedure, users)
    sequential = run(args.lifecycles, 1, procedure, users)
    by_step = cpu_per_action(min(args.lifecycles, 200), procedure, users)
    with CaptureQueriesContext(connection) as last:
        walk(new_dossier(procedure, users), ROUTE, users)
    # The engine's own work, as counts that do not drift with the machine's speed.
    with counting() as before_sign:
        approved = walk(new_dossier(procedure, users), TO_APPROVED, users)
    signed = walk(approved, [("sign", "signer")], users)
    with counting() as after_sign:
        walk(signed, [("return", "desk")], users)

    print(f"database           {connection.vendor}, {os.cpu_count()} cores")
    print(f"lifecycles         {args.lifecycles} per run: create + {len(ROUTE)} actions each")
    report(f"{args.threads} threads", args.lifecycles, concurrent)
    report("1 thread", args.lifecycles, sequential)
    steps = ", ".join(f"{step} {micros:.0f} µs" for step, micros in by_step.items())
    print(f"cpu per step       {steps} (1 thread)")
    print(f"queries/lifecycle  {len(first)} at the start, {len(last)} after {Dossier.objects.count()} dossiers")
    print(
        f"python calls       {before_sign['calls'] + after_sign['calls']} per lifecycle, the sign action left out "
        "(cProfile's count: the same on every run)"
    )
    if len(last) > len(first):
        raise SystemExit(f"the queries of a lifecycle grew from {len(first)} to {len(last)}")


if __name__ == "__main__":
    main()
