"""The test PKI, made with ``cryptography``: a root CA, an issuing CA that
signs the CRL, a time-stamp authority, a system certificate per agency (for
receipts and notices) and one certificate per signing officer. ECDSA P-256
with SHA-256 (RSA-2048 for the time-stamp authority). Every leaf names the CRL URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Agency
from signing.models import Certificate

CA_YEARS, LEAF_YEARS = 20, 3
_REASON_FLAGS = {
    Certificate.RevocationReason.KEY_COMPROMISE: x509.ReasonFlags.key_compromise,
    Certificate.RevocationReason.AFFILIATION_CHANGED: x509.ReasonFlags.affiliation_changed,
    Certificate.RevocationReason.SUPERSEDED: x509.ReasonFlags.superseded,
    Certificate.RevocationReason.CESSATION_OF_OPERATION: x509.ReasonFlags.cessation_of_operation,
}


class PkiError(Exception):
    """The PKI cannot do what was asked; the message says why."""


def _passphrase() -> bytes:
    secret = settings.PKI_KEY_PASSPHRASE or ("pki:" + settings.SECRET_KEY)
    return hashlib.sha256(secret.encode()).hexdigest().encode()


def encrypt_key(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase()),
    ).decode()


def decrypt_key(pem: str) -> ec.EllipticCurvePrivateKey:
    return serialization.load_pem_private_key(pem.encode(), password=_passphrase())


def load_certificate(record: Certificate) -> x509.Certificate:
    return _parse_pem(record.certificate_pem)


@cache
def _parse_pem(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def crl_url() -> str:
    return settings.SITE_URL + reverse("signing:crl")


def _name(common_name: str, organization: str, unit: str | None = None) -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]),
    ]
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(parts)


def _build(
    *,
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    ca: bool,
    usage: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.Certificate:
    issuer_name = issuer[0].subject if issuer else subject
    signing_key = issuer[1] if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None if not issuer else (0 if ca else None)), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[0].public_key()), False
        )
    flags = dict.fromkeys(
        ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
         "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"),
        False,
    )  # fmt: skip
    if ca:
        flags.update(key_cert_sign=True, crl_sign=True, digital_signature=True)
    else:
        flags.update(digital_signature=True, content_commitment=usage != "timestamp")
    builder = builder.add_extension(x509.KeyUsage(**flags), True)
    if usage == "timestamp":
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True)
    if not ca:  # leaves only: the root publishes no CRL for the issuing CA
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url())], None, None, None)]
            ),
            False,
        )
    return builder.sign(signing_key, hashes.SHA256())


def _store(kind: str, cert: x509.Certificate, key, *, user=None, agency=None) -> Certificate:
    return Certificate.objects.create(
        kind=kind,
        serial=format(cert.serial_number, "x"),
        subject=cert.subject.rfc4514_string(),
        user=user,
        agency=agency,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        encrypted_key_pem=encrypt_key(key),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def authority(kind: str) -> Certificate:
    record = Certificate.objects.filter(kind=kind).first()
    if record is None:
        raise PkiError(_("The PKI is not initialised; run: python manage.py pki init"))
    return record


def _issuer() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    record = authority(Certificate.Kind.ISSUING)
    return load_certificate(record), decrypt_key(record.encrypted_key_pem)


def _create(
    kind: str,
    subject: x509.Name,
    *,
    key=None,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    usage: str,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    years: int = LEAF_YEARS,
    user=None,
    agency=None,
) -> tuple[Certificate, x509.Certificate, ec.EllipticCurvePrivateKey]:
    """Make a key (ECDSA P-256 unless given), certify it and store it encrypted."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    start = not_before or timezone.now() - dt.timedelta(minutes=5)
    cert = _build(
        subject=subject,
        key=key,
        issuer=issuer,
        ca=usage == "ca",
        usage=usage,
        not_before=start,
        not_after=not_after or start + dt.timedelta(days=365 * years),
    )
    return _store(kind, cert, key, user=user, agency=agency), cert, key


@transaction.atomic
def init_pki() -> bool:
    """Create the root CA, the issuing CA and the time-stamp authority if
    missing. Returns whether anything was created."""
    if Certificate.objects.filter(kind=Certificate.Kind.ROOT).exists():
        return False
    org = settings.PKI_ORGANIZATION
    _, root, root_key = _create(
        Certificate.Kind.ROOT, _name(f"{org} Root CA (test)", org), issuer=None, usage="ca", years=CA_YEARS
    )
    _, issuing, issuing_key = _create(
        Certificate.Kind.ISSUING,
        _name(f"{org} Issuing CA (test)", org),
        issuer=(root, root_key),
        usage="ca",
        years=CA_YEARS - 1,
    )
    _create(
        Certificate.Kind.TIMESTAMP,
        _name(f"{org} Time-stamp Authority (test)", org),
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048),  # pyHanko's local TSA signs with RSA
        issuer=(issuing, issuing_key),
        usage="timestamp",
        years=CA_YEARS - 2,
    )
    return True


def _leaf(kind: str, subject: x509.Name, *, user=None, agency=None, not_before=None, not_after=None) -> Certificate:
    record, _cert, _key = _create(
        kind,
        subject,
        issuer=_issuer(),
        usage="signing",
        user=user,
        agency=agency,
        not_before=not_before,
        not_after=not_after,
    )
    return record


@transaction.atomic
def issue_person_certificate(user: AbstractBaseUser, agency: Agency, *, not_before=None, not_after=None) -> Certificate:
    """A signing certificate for an officer: the subject names the person and the agency."""
    name = getattr(user, "full_name", "") or user.get_username()
    subject = _name(name, settings.PKI_ORGANIZATION, agency.name)
    return _leaf(Certificate.Kind.PERSON, subject, user=user, agency=agency, not_before=not_before, not_after=not_after)


def agency_certificate(agency: Agency) -> Certificate:
    """The agency's system certificate for receipts and notices, issued on first use."""
    record = (
        Certificate.objects.filter(kind=Certificate.Kind.AGENCY, agency=agency, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if record is not None and record.not_after > timezone.now():
        return record
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).get()
        record = Certificate.objects.filter(
            kind=Certificate.Kind.AGENCY, agency=agency, revoked_at__isnull=True
        ).first()
        if record is not None and record.not_after > timezone.now():
            return record
        return _leaf(Certificate.Kind.AGENCY, _name(agency.name, settings.PKI_ORGANIZATION, agency.code), agency=agency)


def person_certificate(user: AbstractBaseUser) -> Certificate | None:
    """The officer's newest certificate that is neither revoked nor expired."""
    return (
        Certificate.objects.filter(
            kind=Certificate.Kind.PERSON, user=user, revoked_at__isnull=True, not_after__gt=timezone.now()
        )
        .select_related("agency")
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def revoke(record: Certificate, *, reason: str, at: dt.datetime | None = None) -> Certificate:
    if reason not in _REASON_FLAGS:
        raise PkiError(
            _("Unknown reason '%(reason)s' (known: %(known)s)") % {"reason": reason, "known": ", ".join(_REASON_FLAGS)}
        )
    if record.revoked_at is None:
        record.revoked_at = at or timezone.now()
        record.revocation_reason = reason
        record.save(update_fields=["revoked_at", "revocation_reason"])
    return record


@transaction.atomic
def revoke_held(user: AbstractBaseUser, *, reason: str) -> list[Certificate]:
    """Revoke every certificate ``user`` still holds (an officer issued again keeps none of the old ones valid)."""
    records = list(Certificate.objects.filter(kind=Certificate.Kind.PERSON, user=user, revoked_at__isnull=True))
    for record in records:
        revoke(record, reason=reason)
    return records


def current_crl(*, validity: dt.timedelta = dt.timedelta(days=7)) -> x509.CertificateRevocationList:
    """A CRL of every revoked certificate, signed now by the issuing CA."""
    issuer_cert, issuer_key = _issuer()
    now = timezone.now()
    revoked = Certificate.objects.filter(revoked_at__isnull=False).order_by("revoked_at")
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(now - dt.timedelta(minutes=1))
        .next_update(now + validity)
        .add_extension(x509.CRLNumber(int(now.timestamp())), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), False)
    )
    for record in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(int(record.serial, 16))
            .revocation_date(record.revoked_at)
            .add_extension(x509.CRLReason(_REASON_FLAGS[record.revocation_reason]), False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(issuer_key, hashes.SHA256())


def root_pem() -> str:
    return authority(Certificate.Kind.ROOT).certificate_pem
