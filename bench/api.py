"""Load the REST API through gunicorn on PostgreSQL and print req/s and latency.

    make bench-api                     (database motcua_bench_api, created if missing)
    python bench/api.py --seconds 20 --clients 8 --workers 2 --threads 1

Sets up its own database (migrate, the bench agency, procedure and officers
of bench/common.py, one API token per officer), starts gunicorn on a free
port of 127.0.0.1 (by default one single-threaded gthread worker per core, each
holding an equal share of the clients' connections) and drives it from a
pool of client threads, each with its own keep-alive connection:

1. create + submit: a desk officer files a counter dossier
   (POST /api/v1/dossiers/) and submits it with its ETag
   (POST /api/v1/dossiers/{code}/actions/submit/);
2. detail: GET /api/v1/dossiers/{code}/ of the dossiers just made.

Prints, per phase, requests per second and the p50 / p99 latency as the
client saw it, and the SQL queries and Python function calls one request of
each kind makes (counted in this process: the same on every run). The client
shares the machine's cores with the server, so the figures are a floor; the
CPU time per request of the server, the database backends, the client and
whatever else ran on the machine meanwhile (Linux /proc) shows where the
cores went, and is steadier than req/s when other work shares the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_API_DB", "motcua_bench_api")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_API_URL", f"{SERVER}/{BENCH_DB}")
# The server runs as in production: DEBUG off, persistent database connections.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


ensure_database()

from common import APPLICANT, counting, setup  # noqa: E402  (Django is set up on import)
from django.db import connection  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from stats import percentile  # noqa: E402


class Client:
    """One keep-alive HTTP connection; reconnects when the server closes it."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Authorization": f"Token {self.token}", "Accept": "application/json", **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, payload, all_headers)
                response = self.conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, response.getheader("ETag"), data
        raise RuntimeError("unreachable")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, threads: int, clients: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
    command += ["--log-level", "warning", "--keep-alive", "5"]
    if threads == 0:
        command += ["-k", "sync"]  # one connection per request
    else:
        # A gthread worker accepts every connection it can: the first one to wake would take
        # all the clients' kept-alive connections and serve them on one core while the other
        # workers idle. Each takes its share instead (at least one more than its threads,
        # or gunicorn keeps none alive).
        share = max(threads + 1, -(-clients // workers))
        command += ["-k", "gthread", "--threads", str(threads), "--worker-connections", str(share)]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())  # noqa: S603 - our own gunicorn
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc; 0 elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine have used so far (Linux /proc/stat; 0 elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(value) for value in fields[:8])
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    return (user + nice + system + irq + softirq + steal) / ticks


def server_pids(server: subprocess.Popen) -> list[int]:
    """The gunicorn master and its workers."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        children = []
    return [server.pid, *map(int, children)]


def database_pids() -> list[int]:
    """The PostgreSQL backends serving the bench database (same machine)."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [BENCH_DB]).fetchall()
    return [pid for (pid,) in rows]


@dataclass
class Phase:
    elapsed: float
    timings: dict[str, list[float]]
    errors: int
    cpu: dict[str, float]  # CPU seconds used during the phase: server, database, client, other


def run_phase(clients: list[Client], seconds: float, work, server: subprocess.Popen) -> Phase:
    """Each client thread repeats ``work(client, timings)`` for ``seconds``."""
    timings: dict[str, list[float]] = {}
    lock = threading.Lock()
    errors = [0]
    stop = time.monotonic() + seconds

    def loop(client: Client) -> None:
        mine: dict[str, list[float]] = {}
        while time.monotonic() < stop:
            if not work(client, mine):
                errors[0] += 1
        with lock:
            for key, values in mine.items():
                timings.setdefault(key, []).extend(values)

    def cpu() -> dict[str, float]:
        mine = os.times()
        used = {
            "server": cpu_seconds(server_pids(server)),
            "database": cpu_seconds(database_pids()),
            "client": mine.user + mine.system,
        }
        # Whatever else ran on the machine meanwhile takes cores from the bench.
        used["other"] = machine_busy_seconds() - sum(used.values())
        return used

    cpu_before = cpu()
    started = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(loop, clients))
    elapsed = time.perf_counter() - started
    cpu_after = cpu()
    return Phase(elapsed, timings, errors[0], {key: cpu_after[key] - cpu_before[key] for key in cpu_after})


def timed(timings: dict[str, list[float]], key: str, call):
    started = time.perf_counter()
    result = call()
    timings.setdefault(key, []).append((time.perf_counter() - started) * 1000)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15, help="length of each measured phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn worker processes (default: one per core)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (0: sync workers)")
    args = parser.parse_args()

    procedure, users = setup()
    desk = users["desk"]
    token = Token.objects.get_or_create(user=desk)[0].key
    work = count_work(procedure, desk)
    connection.close()

    port = free_port()
    server = start_server(port, args.workers, args.threads, args.clients)
    codes: list[str] = []
    codes_lock = threading.Lock()

    def create_submit(client: Client, timings) -> bool:
        body = {"procedure": procedure.code, "channel": "counter", "applicant": APPLICANT, "data": {"owner_name": "An"}}
        key = {"Idempotency-Key": uuid.uuid4().hex}
        status, etag, data = timed(timings, "create", lambda: client.request("POST", "/api/v1/dossiers/", body, key))
        if status != 201:
            return False
        code = json.loads(data)["code"]
        path = f"/api/v1/dossiers/{code}/actions/submit/"
        status, _etag, _data = timed(timings, "submit", lambda: client.request("POST", path, {}, {"If-Match": etag}))
        with codes_lock:
            codes.append(code)
        return status == 200

    def detail(client: Client, timings) -> bool:
        code = random.choice(codes)  # noqa: S311 - load pattern, not security
        status, _etag, _data = timed(timings, "detail", lambda: client.request("GET", f"/api/v1/dossiers/{code}/"))
        return status == 200

    try:
        clients = [Client(port, token) for _ in range(args.clients)]
        run_phase(clients, 3, create_submit, server)  # warm-up: imports, caches, connections
        codes_before = len(codes)
        writes = run_phase(clients, args.seconds, create_submit, server)
        pairs = len(codes) - codes_before
        run_phase(clients, 2, detail, server)
        reads = run_phase(clients, args.seconds, detail, server)
    finally:
        server.terminate()
        server.wait(timeout=30)

    cpus = os.cpu_count()
    kind = f"gthread workers x {args.threads} threads" if args.threads else "sync workers"
    print(f"server         gunicorn, {args.workers} {kind}, {cpus} CPUs, PostgreSQL {BENCH_DB}")
    connections = "keep-alive" if args.threads else "a connection per request"
    print(f"clients        {args.clients} threads, {connections}, {args.seconds:.0f} s per phase")
    write_all = writes.timings.get("create", []) + writes.timings.get("submit", [])
    print(
        f"create+submit  {len(write_all) / writes.elapsed:7.1f} req/s ({pairs / writes.elapsed:.1f} dossiers/s)  "
        f"p50 {statistics.median(write_all):6.1f} ms  p99 {percentile(write_all, 0.99):6.1f} ms  errors {writes.errors}"
    )
    for key in ("create", "submit"):
        values = writes.timings.get(key, [])
        print(f"  {key:12} p50 {statistics.median(values):6.1f} ms  p99 {percentile(values, 0.99):6.1f} ms")
    detail_all = reads.timings.get("detail", [])
    print(
        f"detail         {len(detail_all) / reads.elapsed:7.1f} req/s  "
        f"p50 {statistics.median(detail_all):6.1f} ms  p99 {percentile(detail_all, 0.99):6.1f} ms  "
        f"errors {reads.errors}"
    )
    print("queries        " + ", ".join(f"{name} {n['queries']}" for name, n in work.items()) + " per request")
    print("python calls   " + ", ".join(f"{name} {n['calls']}" for name, n in work.items()) + " per request")
    for name, phase, requests in (("create+submit", writes, write_all), ("detail", reads, detail_all)):
        per_request = {key: seconds * 1000 / max(len(requests), 1) for key, seconds in phase.cpu.items()}
        print(f"cpu ms/request {name:14} " + "  ".join(f"{key} {ms:5.1f}" for key, ms in per_request.items()))


def count_work(procedure, desk) -> dict[str, dict[str, int]]:
    """SQL queries and Python calls per request of each kind, through the same views in this process."""
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=desk).key}")
    body = {"procedure": procedure.code, "channel": "counter", "applicant": APPLICANT, "data": {"owner_name": "An"}}
    warm = client.post("/api/v1/dossiers/", body, format="json")  # the caches, and each view once
    client.post(
        f"/api/v1/dossiers/{warm.json()['code']}/actions/submit/", {}, format="json", HTTP_IF_MATCH=warm["ETag"]
    )
    client.get(f"/api/v1/dossiers/{warm.json()['code']}/")
    work = {}
    with counting() as work["create"]:
        created = client.post("/api/v1/dossiers/", body, format="json")
    code, etag = created.json()["code"], created["ETag"]
    with counting() as work["submit"]:
        client.post(f"/api/v1/dossiers/{code}/actions/submit/", {}, format="json", HTTP_IF_MATCH=etag)
    with counting() as work["detail"]:
        client.get(f"/api/v1/dossiers/{code}/")
    return work


if __name__ == "__main__":
    main()
