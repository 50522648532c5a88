"""Seed (or reuse) N dossiers on PostgreSQL and time the KPI dashboard.

    make bench-kpi N=1000000      (PostgreSQL database motcua_bench_kpi, created if missing)

Tops the database up to N dossiers with ``seed_demo --no-documents`` (timed),
then prints p50/p95 of: the dashboard's KPI computation for the last twelve
months (all agencies, and one agency), the dashboard page and the
/api/v1/metrics/ answer through Django's test client, signed in as admin.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from stats import percentile  # noqa: E402

from workflow.kpi import compute_kpis, parse_filters  # noqa: E402
from workflow.models import Dossier  # noqa: E402


def timings(run, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(3):
        run()  # warm up
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), percentile(samples, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--dossiers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    before = Dossier.objects.count()
    started = time.perf_counter()
    call_command("seed_demo", dossiers=args.dossiers, documents=False, seed=1, stdout=io.StringIO())
    seeded = time.perf_counter() - started
    total = Dossier.objects.count()
    print(f"dossiers: {total} ({total - before} seeded in {seeded:.1f} s, {(total - before) / seeded:.0f}/s)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE workflow_dossier")
        cursor.execute("VACUUM ANALYZE workflow_kpidaily")
    print(f"vacuum analyze: {time.perf_counter() - started:.1f} s")

    year = parse_filters({})
    agency = parse_filters({"agency": "SXD"})
    with CaptureQueriesContext(connection) as queries:
        report = compute_kpis(year)
    print(
        f"period {year.date_from}..{year.date_to}: {report['online_rate']['total']} received, "
        f"online rate {report['online_rate']['rate']}, {len(queries)} queries"
    )
    for label, run in [
        ("compute_kpis, all agencies, 12 months", lambda: compute_kpis(year)),
        ("compute_kpis, one agency, 12 months", lambda: compute_kpis(agency)),
    ]:
        p50, p95 = timings(run, args.repeat)
        print(f"{label:<44} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    for label, url in [
        ("GET /dashboard/ (page)", "/dashboard/"),
        ("GET /dashboard/export.csv", "/dashboard/export.csv"),
        ("GET /api/v1/metrics/", "/api/v1/metrics/"),
    ]:

        def fetch(url=url):
            response = client.get(url, secure=True)  # production settings redirect to HTTPS
            assert response.status_code == 200, (url, response.status_code)

        p50, p95 = timings(fetch, args.repeat)
        print(f"{label:<44} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
