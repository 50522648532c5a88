"""Fixtures for the signed documents: the workflow cast (its signer holds a
certificate), a CRL cache that does not outlive a test's revocations, and
helpers that sign and read PDFs. (tests/conftest.py gives each test its own
media folder and makes the PKI once per test database.)"""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.models import Certificate
from signing.rendering import render_pdf
from signing.signer import forget_crl
from tests.workflow.conftest import Cast
from workflow.models import Document


@pytest.fixture(autouse=True)
def _fresh_crl():
    """The CRL is cached per process for 30 s; a test's revocations roll back with it."""
    forget_crl()
    yield
    forget_crl()


@pytest.fixture
def cast(db) -> Cast:
    """The workflow tests' agency SXD, an officer per role (the signer holds a certificate) and citizens."""
    return Cast()


def tool(name: str) -> str:
    """The path of a system tool; CI installs them (scripts/system-deps.sh), so a missing one fails."""
    path = shutil.which(name)
    assert path, f"{name} is missing: run scripts/system-deps.sh"
    return path


def run_tool(name: str, *args: str, check: bool = True) -> str:
    """Run poppler's or NSS's ``name`` with ``args``; returns what it printed (stdout, then stderr)."""
    done = subprocess.run([tool(name), *args], check=check, capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def pdf_text(path) -> str:
    """The text of a PDF as poppler reads it."""
    return run_tool("pdftotext", "-enc", "UTF-8", str(path), "-")


def read_document(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def empty_pki(db) -> None:
    """No PKI yet (tests/conftest.py may make one per test database)."""
    Certificate.objects.all().delete()


@pytest.fixture
def plain_pdf() -> bytes:
    """An unsigned one-page PDF made the way documents are made."""
    return render_pdf("signing/refusal.html", {"title": "Tài liệu thử", "dossier_code": "SXD-TEST", "reason": "Thử"})


@pytest.fixture
def signed_result(cast, django_capture_on_commit_callbacks) -> Document:
    """A dossier signed by ``cast.signer``: its result document."""
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.act(cast.approved(), "sign", cast.signer)
    return dossier.documents.get(kind=Document.Kind.RESULT)


def sign_with_pyhanko(pdf: bytes, cert: x509.Certificate, key, *, chain=(), timestamper=None) -> bytes:
    """Sign ``pdf`` with pyHanko directly: no check of the certificate first, no validation data."""
    der = serialization.Encoding.DER
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    return signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper).getvalue()
