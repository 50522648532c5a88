"""PAdES signing with pyHanko: baseline B-LT, with the chain, a time stamp
from the local test TSA and the CRL embedded, so a document validates
offline. Loaded keys, signers and the CRL are kept per process."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

from asn1crypto import cms, core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, general, signers
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signing.models import Certificate
from signing.pki import PkiError, authority, current_crl, decrypt_key, load_certificate

CRL_SECONDS = 30
SIGNATURE_BYTES = 12288
_crl_lock = threading.Lock()
_crl_cache: tuple[float, bytes] | None = None


def crl_der() -> bytes:
    """The current CRL, re-signed at most every CRL_SECONDS (at once after a revocation here)."""
    global _crl_cache
    with _crl_lock:
        if _crl_cache is None or time.monotonic() - _crl_cache[0] > CRL_SECONDS:
            _crl_cache = (time.monotonic(), current_crl().public_bytes(serialization.Encoding.DER))
        return _crl_cache[1]


def forget_crl() -> None:
    global _crl_cache
    with _crl_lock:
        _crl_cache = None


def _asn1_cert(record: Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(load_certificate(record).public_bytes(serialization.Encoding.DER))


def _asn1_key(record: Certificate) -> asn1_keys.PrivateKeyInfo:
    der = decrypt_key(record.encrypted_key_pem).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return asn1_keys.PrivateKeyInfo.load(der)


class LocalTimeStamper(DummyTimeStamper):
    """pyHanko's test time-stamp authority with its RSA key parsed once.

    The parent re-parses the key for every stamp, and parsing an RSA key
    re-checks it, which costs more than the rest of the signature; this
    signs the same attributes with a key loaded once per process.
    """

    def __init__(self, *, tsa_cert: asn1_x509.Certificate, key: RSAPrivateKey, certs_to_embed) -> None:
        super().__init__(tsa_cert=tsa_cert, tsa_key=None, certs_to_embed=certs_to_embed)
        self._key = key

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._key.sign(signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper()))
        return signature, signed_attrs


@dataclass(frozen=True)
class _Authorities:
    root: asn1_x509.Certificate
    issuing: asn1_x509.Certificate
    timestamper: LocalTimeStamper


@lru_cache(maxsize=1)
def _authorities(root_serial: str) -> _Authorities:
    root, issuing, tsa = (authority(k) for k in ("root", "issuing", "timestamp"))
    root_cert, issuing_cert = _asn1_cert(root), _asn1_cert(issuing)
    return _Authorities(
        root=root_cert,
        issuing=issuing_cert,
        timestamper=LocalTimeStamper(
            tsa_cert=_asn1_cert(tsa), key=decrypt_key(tsa.encrypted_key_pem), certs_to_embed=[issuing_cert, root_cert]
        ),
    )


def authorities() -> _Authorities:
    return _authorities(authority("root").serial)


@lru_cache(maxsize=512)
def _signer(certificate_id: int, serial: str) -> signers.SimpleSigner:
    record = Certificate.objects.get(pk=certificate_id)
    ca = authorities()
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(record),
        signing_key=_asn1_key(record),
        cert_registry=SimpleCertificateStore.from_certs([ca.issuing, ca.root]),
    )


def validation_context(**kwargs) -> ValidationContext:
    ca = authorities()
    return ValidationContext(
        trust_roots=[ca.root], other_certs=[ca.issuing], crls=[crl_der()], allow_fetching=False, **kwargs
    )


def sign_pdf(pdf: bytes, certificate: Certificate, *, reason: str = "", location: str = "") -> bytes:
    """Sign ``pdf`` with ``certificate`` as PAdES B-LT; refuses a revoked or expired certificate."""
    if certificate.is_revoked:
        raise PkiError(f"The certificate {certificate.serial} is revoked.")
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=True,
        validation_context=validation_context(),
        reason=reason or None,
        location=location or None,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    out = signers.sign_pdf(
        writer,
        meta,
        signer=_signer(certificate.pk, certificate.serial),
        timestamper=authorities().timestamper,
        # A fixed reservation (CMS + time stamp + chain fit in 12 KB) spares pyHanko a trial signature.
        bytes_reserved=SIGNATURE_BYTES,
    )
    return out.getvalue()
