"""The OpenAPI schema is valid and describes the API; Swagger UI is served from our own static files."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

SPEC = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/procedures/": {"get"},
    "/api/v1/procedures/{code}/": {"get"},
    "/api/v1/dossiers/": {"get", "post"},
    "/api/v1/dossiers/{code}/": {"get", "patch"},
    "/api/v1/dossiers/{code}/actions/{action}/": {"post"},
    "/api/v1/dossiers/{code}/attachments/": {"post"},
    "/api/v1/dossiers/{code}/payment/": {"post"},
    "/api/v1/dossiers/{code}/rating/": {"post"},
    "/api/v1/documents/{id}/download/": {"get"},
    "/api/v1/verify/": {"post"},
}


def schema(tmp_path) -> dict:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def test_schema_is_valid_and_complete(db, tmp_path):
    paths = schema(tmp_path)["paths"]
    for path, methods in SPEC.items():
        assert methods <= set(paths[path]), path


def test_errors_and_headers_are_described(db, tmp_path):
    doc = schema(tmp_path)
    action = doc["paths"]["/api/v1/dossiers/{code}/actions/{action}/"]["post"]
    assert {"400", "401", "403", "404", "409", "412", "428"} <= set(action["responses"])
    assert action["responses"]["412"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert any(p["name"] == "If-Match" and p["in"] == "header" and p["required"] for p in action["parameters"])
    assert "ETag" in action["responses"]["200"]["headers"]
    create = doc["paths"]["/api/v1/dossiers/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert {"200", "201"} <= set(create["responses"])
    assert set(doc["components"]["schemas"]["Error"]["required"]) == {"error", "detail", "fields"}


def test_request_bodies_say_they_take_no_other_keys(db, tmp_path):
    components = schema(tmp_path)["components"]["schemas"]
    for name in ("DossierCreate", "PatchedDossierUpdate", "Action", "Rating", "Applicant", "PaymentRequest"):
        assert components[name]["additionalProperties"] is False, name


def test_schema_and_swagger_ui_are_served_without_a_cdn(client):
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in s for s in sources)
    assert all(s.startswith("/") for s in sources), sources
    for source in sources:
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/").split("?")[0]), source


def test_the_wsgi_worker_starts_with_its_code_loaded_and_out_of_the_collectors_way():
    """config/wsgi.py loads every view before the first request and freezes what it loaded."""
    script = "import gc, sys; import config.wsgi; print(gc.get_freeze_count(), 'portal.api.views' in sys.modules)"
    env = {**os.environ, "DJANGO_SECRET_KEY": "test-only", "DJANGO_DEBUG": "false"}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) > 50_000 and out[1] == "True"
