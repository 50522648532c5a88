"""PAdES signing with pyHanko: baseline B-LT, with the chain, a time stamp
from the local test TSA and the CRL embedded, so a document validates
offline. Loaded keys and signers are kept per process; the CRL (parsed once)
and the authorities are re-read from the database every CRL_SECONDS."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

from asn1crypto import cms, core, tsp
from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, general, signers
from pyhanko.sign.attributes import CMSAttributeProvider, SignedAttributeProviderSpec
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signing.models import Certificate
from signing.pki import PkiError, authority, current_crl, decrypt_key, load_certificate

CRL_SECONDS = 30
SIGNATURE_BYTES = 12288


def _parsed(value: core.Asn1Value) -> core.Asn1Value:
    """``value`` read back from its DER: asn1crypto re-encodes a value built in
    Python at every ``dump()`` (a CMS structure is dumped several times while it
    is assembled), while a parsed one returns its stored bytes. The values kept
    for every signature are only ever dumped, which parses nothing in them, so
    threads share them safely."""
    return value.__class__.load(value.dump())


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
        self._content_type = _parsed(simple_cms_attribute("content_type", "tst_info"))
        self._signing_certificate = _parsed(
            simple_cms_attribute("signing_certificate", general.as_signing_certificate(tsa_cert))
        )

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = _parsed(
            cms.CMSAttributes(
                [
                    self._content_type,
                    simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                    self._signing_certificate,
                    simple_cms_attribute("message_digest", digest.finalize()),
                ]
            )
        )
        signature = self._key.sign(signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper()))
        return signature, signed_attrs

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return _parsed(super().request_tsa_response(req))


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


@dataclass(frozen=True)
class _Snapshot:
    """What every signature and verification reads: the CRL (as served and
    as parsed for pyHanko) and the authorities, checked against the database
    together at most every CRL_SECONDS."""

    taken_at: float
    crl_der: bytes
    crl: asn1_crl.CertificateList
    authorities: _Authorities


_snapshot_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def _current() -> _Snapshot:
    global _snapshot
    with _snapshot_lock:
        if _snapshot is None or time.monotonic() - _snapshot.taken_at > CRL_SECONDS:
            der = current_crl().public_bytes(serialization.Encoding.DER)
            crl = asn1_crl.CertificateList.load(der)
            # asn1crypto parses lazily, filling lists in place, which another thread could
            # see half done: parse the shared CRL through before any thread reads it.
            crl.native  # noqa: B018
            _snapshot = _Snapshot(
                taken_at=time.monotonic(),
                crl_der=der,
                crl=crl,
                authorities=_authorities(authority("root").serial),
            )
        return _snapshot


def crl_der() -> bytes:
    """The current CRL, re-signed at most every CRL_SECONDS (at once after a revocation here)."""
    return _current().crl_der


def forget_crl() -> None:
    """Re-read the CRL and the authorities on next use (after a revocation, or in tests)."""
    global _snapshot
    with _snapshot_lock:
        _snapshot = None


def authorities() -> _Authorities:
    return _current().authorities


class _FixedAttribute(CMSAttributeProvider):
    """A signed attribute whose value is the same in every signature."""

    def __init__(self, attribute_type: str, value: core.Asn1Value) -> None:
        self.attribute_type = attribute_type
        self._value = value

    async def build_attr_value(self, dry_run: bool = False) -> core.Asn1Value:
        return self._value


class _PadesSignedAttributes(SignedAttributeProviderSpec):
    """The signed attributes pyHanko gives a PAdES signature besides content
    type and message digest: the signing-certificate-v2 naming the signer's
    certificate, here encoded once per signer instead of once per signature.
    (It replaces pyHanko's own spec, so CAdES signer attributes or a commitment
    type in the signature metadata would have to be added here.)"""

    def __init__(self, signing_cert: asn1_x509.Certificate) -> None:
        self._signing_certificate = _parsed(general.as_signing_certificate_v2(signing_cert))

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str):
        yield _FixedAttribute("signing_certificate_v2", self._signing_certificate)


class _PadesSigner(signers.SimpleSigner):
    """pyHanko's in-memory signer, with the attributes it assembles read back
    from DER once so that packaging the signature does not re-encode them."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.signed_attr_prov_spec = _PadesSignedAttributes(self.signing_cert)

    async def signed_attrs(self, *args, **kwargs) -> cms.CMSAttributes:
        return _parsed(await super().signed_attrs(*args, **kwargs))

    async def unsigned_attrs(self, *args, **kwargs) -> cms.CMSAttributes | None:
        attrs = await super().unsigned_attrs(*args, **kwargs)
        return attrs and _parsed(attrs)


@lru_cache(maxsize=512)
def _signer(certificate_id: int, serial: str) -> _PadesSigner:
    record = Certificate.objects.get(pk=certificate_id)
    ca = authorities()
    return _PadesSigner(
        signing_cert=_asn1_cert(record),
        signing_key=_asn1_key(record),
        cert_registry=SimpleCertificateStore.from_certs([ca.issuing, ca.root]),
    )


def validation_context(**kwargs) -> ValidationContext:
    """A fresh context (validation time: now) over this process's parsed CRL and authorities."""
    snapshot = _current()
    ca = snapshot.authorities
    return ValidationContext(
        trust_roots=[ca.root], other_certs=[ca.issuing], crls=[snapshot.crl], allow_fetching=False, **kwargs
    )


def load_signer(certificate: Certificate) -> None:
    """Load the CRL, the authorities and ``certificate``'s key into this process ahead of its first signature."""
    _current()
    _signer(certificate.pk, certificate.serial)


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
