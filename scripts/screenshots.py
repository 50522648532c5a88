"""Screenshots of the main pages at 1280 px and 360 px wide, for docs/screenshots/.

    make screenshots

Builds a throwaway SQLite demo database (catalog, demo accounts, a few dozen
dossiers with their signed documents), serves it on a free local port, and
drives Debian's Chromium with Playwright through each page as the account
that uses it. Playwright never downloads a browser here.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = {"desktop": (1280, 900), "phone": (360, 780)}
PASSWORD = "demo12345"  # noqa: S105 - the demo accounts' password, printed by seed_demo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"error: the demo server did not answer at {url}")


def pages(env: dict[str, str]) -> list[tuple[str, str | None, str]]:
    """(name, username or None, path) for each page, read from the demo database."""
    out = subprocess.run(
        [sys.executable, __file__, "--list-pages"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return [tuple(item) for item in json.loads(out)]


def list_pages() -> None:
    """Run inside the demo's environment: the pages to shoot, as JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count
    from django.urls import reverse

    from accounts.models import Membership
    from procedures.models import Procedure
    from workflow.models import Document, Dossier

    citizen_dossier = Dossier.objects.filter(applicant__username="citizen1").order_by("-created_at").first()
    busiest = Membership.objects.filter(role="desk").annotate(n=Count("agency__dossiers")).order_by("-n").first().agency
    desk, head, signer = (f"{busiest.code.lower()}.{role}" for role in ("desk", "head", "signer"))
    open_dossier = (
        Dossier.objects.filter(agency=busiest, status="processing").first()
        or Dossier.objects.filter(agency=busiest).first()
    )
    result = Document.objects.filter(kind="result").first()
    procedure = Procedure.objects.filter(is_active=True).order_by("code").first()
    shots = [
        ("home", None, reverse("portal:home")),
        ("procedure-search", None, reverse("portal:procedure_search") + "?q=giấy+phép"),
        ("procedure", None, reverse("portal:procedure_detail", args=[procedure.code])),
        ("login", None, reverse("login")),
        ("apply", "citizen1", reverse("portal:citizen_apply", args=[procedure.code])),
        ("my-dossiers", "citizen1", reverse("portal:citizen_dossiers")),
    ]
    if citizen_dossier:
        shots.append(("my-dossier", "citizen1", reverse("portal:citizen_dossier", args=[citizen_dossier.code])))
    shots += [
        ("officer-queue", head, reverse("portal:officer_queue")),
        ("officer-intake", desk, reverse("portal:officer_intake")),
        ("officer-walk-in", desk, reverse("portal:officer_walk_in")),
        ("officer-dossier", head, reverse("portal:officer_dossier", args=[open_dossier.code])),
        ("officer-sign", signer, reverse("portal:officer_sign")),
        ("officer-overdue", head, reverse("portal:officer_overdue")),
        ("dashboard", "admin", reverse("portal:dashboard")),
    ]
    if result:
        shots.append(("verify", None, reverse("portal:verify_document", args=[result.token])))
    shots.append(("api-docs", None, reverse("swagger-ui")))
    print(json.dumps(shots))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--list-pages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.list_pages:
        list_pages()
        return
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="motcua-shots-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "DJANGO_MEDIA_ROOT": f"{tmp}/media",
            "DJANGO_DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        manage = [sys.executable, "manage.py"]
        print("Preparing the demo database…", flush=True)
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "seed_demo", "--dossiers", "40"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for(base + "/")
            shots = pages(env)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                for label, (width, height) in WIDTHS.items():
                    sessions: dict[str | None, object] = {}
                    for index, (name, username, path) in enumerate(shots, 1):
                        if username not in sessions:
                            context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
                            page = context.new_page()
                            if username:
                                page.goto(base + "/accounts/login/")
                                page.fill("input[name=username]", username)
                                page.fill("input[name=password]", PASSWORD)
                                with page.expect_navigation():
                                    page.press("input[name=password]", "Enter")
                            sessions[username] = page
                        page = sessions[username]
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        target = output / f"{name}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(f"[{label} {index}/{len(shots)}] {target.relative_to(ROOT)}", flush=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
