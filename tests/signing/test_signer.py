"""What ``sign_pdf`` produces and what it refuses. The signer keeps keys, the
parsed CRL, the authorities and the encoded signed attributes per process:
each signature must still be a complete PAdES B-LT of its own document, and
a revocation must still stop the next signature."""

from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore

from signing import signer
from signing.models import Certificate
from signing.pki import PkiError, load_certificate, person_certificate, revoke
from signing.signer import authorities, crl_der, forget_crl, sign_pdf
from signing.verification import verify_pdf


def attributes(values) -> dict:
    return {attribute["type"].native: attribute["values"][0] for attribute in values}


def test_a_signature_is_pades_b_lt_that_validates_from_the_embedded_data_alone(cast, plain_pdf):
    certificate = person_certificate(cast.signer)
    reader = PdfFileReader(BytesIO(sign_pdf(plain_pdf, certificate)))
    signature = reader.embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"

    signed = attributes(signature.signer_info["signed_attrs"])
    assert sorted(signed) == ["content_type", "message_digest", "signing_certificate_v2"]
    der = load_certificate(certificate).public_bytes(serialization.Encoding.DER)
    assert signed["signing_certificate_v2"]["certs"][0]["cert_hash"].native == hashlib.sha256(der).digest()
    assert sorted(attributes(signature.signer_info["unsigned_attrs"])) == ["signature_time_stamp_token"]

    # The chain (signer, issuing CA, root, time-stamp authority) and the CRL are in the DSS,
    # enough to validate offline with revocation checking that fails without them.
    dss = DocumentSecurityStore.read_dss(reader)
    subjects = {cert.subject.native["common_name"] for cert in dss.load_certs()}
    assert cast.signer.full_name in subjects and len(subjects) == 4
    assert len(dss.crls) == 1
    context = dss.as_validation_context(
        {"trust_roots": [authorities().root], "allow_fetching": False, "revocation_mode": "hard-fail"}
    )
    status = validate_pdf_signature(signature, context)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.valid


def test_each_signature_covers_its_own_document(cast, plain_pdf):
    """The signer's attributes are encoded once per process; the digest and time stamp are not."""
    certificate = person_certificate(cast.signer)
    first, second = sign_pdf(plain_pdf, certificate), sign_pdf(plain_pdf + b"\n% another\n", certificate)
    assert verify_pdf(first).valid and verify_pdf(second).valid
    digests, stamps = set(), set()
    for data in (first, second):
        info = PdfFileReader(BytesIO(data)).embedded_signatures[0].signer_info
        digests.add(attributes(info["signed_attrs"])["message_digest"].native)
        stamps.add(attributes(info["unsigned_attrs"])["signature_time_stamp_token"].dump())
    assert len(digests) == 2 and len(stamps) == 2


def test_a_revoked_certificate_is_refused_after_this_process_signed_with_it(cast, plain_pdf):
    certificate = person_certificate(cast.signer)
    assert verify_pdf(sign_pdf(plain_pdf, certificate)).valid  # its signer, the CRL and the authorities are cached
    revoke(certificate, reason="superseded")
    with pytest.raises(PkiError, match="revoked"):
        sign_pdf(plain_pdf, certificate)


def test_the_crl_refuses_a_certificate_whose_record_in_hand_is_stale(cast, plain_pdf):
    stale = person_certificate(cast.signer)
    sign_pdf(plain_pdf, stale)
    revoke(Certificate.objects.get(pk=stale.pk), reason="key_compromise")
    forget_crl()  # as ``pki revoke`` does
    assert stale.revoked_at is None
    with pytest.raises(SigningError, match="could not be validated"):
        sign_pdf(plain_pdf, stale)


def listed(certificate: Certificate) -> bool:
    crl = x509.load_der_x509_crl(crl_der())
    return crl.get_revoked_certificate_by_serial_number(int(certificate.serial, 16)) is not None


def test_a_revocation_made_elsewhere_reaches_this_process_within_crl_seconds(cast, plain_pdf, monkeypatch):
    stale = person_certificate(cast.signer)
    sign_pdf(plain_pdf, stale)
    revoke(Certificate.objects.get(pk=stale.pk), reason="superseded")  # by another process: nothing forgotten here
    assert not listed(stale)  # this process still holds the CRL it read
    monkeypatch.setattr(signer, "CRL_SECONDS", 0)  # CRL_SECONDS have passed
    assert listed(stale)
    with pytest.raises(SigningError, match="could not be validated"):
        sign_pdf(plain_pdf, stale)
