"""An independent verifier: poppler's ``pdfsig`` accepts a signed result once
our root CA is trusted in its NSS database. CI installs poppler-utils and
libnss3-tools (scripts/system-deps.sh), so a missing tool fails the test."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.signing.conftest import run_tool


@pytest.fixture
def nss_db(cast, tmp_path) -> str:
    """An NSS database in ``tmp_path`` that trusts our root CA."""
    root = tmp_path / "root.pem"
    call_command("pki", "export-root", str(root), stdout=io.StringIO())
    return new_nss_db(tmp_path / "nss", trust=root)


def new_nss_db(directory, *, trust=None) -> str:
    directory.mkdir()
    db = f"sql:{directory}"
    run_tool("certutil", "-N", "-d", db, "--empty-password")
    if trust is not None:
        run_tool("certutil", "-A", "-d", db, "-n", "root", "-t", "CT,C,C", "-i", str(trust))
    return db


def pdfsig(nss: str, document) -> str:
    path = document.file.path
    return run_tool("pdfsig", "-nssdir", nss, path, check=False)


def test_pdfsig_validates_a_signed_result_under_our_root(signed_result, nss_db):
    report = pdfsig(nss_db, signed_result)
    assert "Signature is Valid" in report, report
    assert "Certificate is Trusted" in report, report
    assert "Signature Type: ETSI.CAdES.detached" in report, report


def test_pdfsig_does_not_trust_it_without_our_root(signed_result, tmp_path):
    report = pdfsig(new_nss_db(tmp_path / "empty-nss"), signed_result)
    assert "Signature is Valid" in report, report
    assert "Certificate issuer isn't Trusted" in report, report
