"""Is a signed PDF genuine? pyHanko checks the signature and the time stamp;
the certificate is then checked against this PKI: issued under our root,
valid at the signing time, and not revoked (a certificate revoked after the
signature keeps it valid, unless its key was compromised)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from io import BytesIO

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from signing.models import Certificate
from signing.pki import PkiError, authority, load_certificate
from signing.signer import validation_context

logger = logging.getLogger(__name__)

CHECKS = ("integrity", "chain", "validity", "revocation")
REASONS_VI = {
    "key_compromise": "lộ khóa bí mật",
    "affiliation_changed": "thay đổi nơi công tác",
    "superseded": "được thay thế",
    "cessation_of_operation": "ngừng hoạt động",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message_vi: str
    message_en: str


@dataclass
class Verification:
    valid: bool
    signer: str = ""
    agency: str = ""
    signed_at: dt.datetime | None = None
    serial: str = ""
    checks: list[Check] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**asdict(self), "signed_at": self.signed_at.isoformat() if self.signed_at else None}


def _failed(name: str, vi: str, en: str) -> Verification:
    return Verification(valid=False, checks=[Check(name, False, vi, en)])


def _attribute(cert: x509.Certificate, oid) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def verify_pdf(data: bytes) -> Verification:
    """Check the first signature of ``data``. Never raises for bad input."""
    # The file is anyone's upload, read by pyHanko's parsers: a damaged one can fail in them in any
    # way (a zlib error in an object stream, an unknown algorithm in the signature), so every failure
    # of reading it is a verdict on the file, never an error of the page or the command.
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
    except Exception:
        return _failed("format", "Tệp không phải là PDF hợp lệ.", "The file is not a valid PDF.")
    try:
        signatures = reader.embedded_signatures
    except Exception as exc:
        # A PDF whose signature's own bytes are damaged: the signature, not the file, is the problem.
        logger.info("Signature could not be read: %r", exc)
        return _failed("integrity", "Không đọc được chữ ký số.", "The signature cannot be read.")
    if not signatures:
        return _failed("format", "Tệp PDF không có chữ ký số.", "The PDF has no digital signature.")
    try:
        status = validate_pdf_signature(signatures[0], validation_context())
    except Exception as exc:
        logger.info("Signature could not be validated: %r", exc)
        return _failed("integrity", "Không đọc được chữ ký số.", "The signature cannot be read.")

    timestamp = status.timestamp_validity
    signed_at = (
        timestamp.timestamp
        if timestamp is not None and timestamp.intact and timestamp.valid
        else status.signer_reported_dt
    )
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    result = Verification(
        valid=False,
        signer=_attribute(cert, NameOID.COMMON_NAME),
        agency=_attribute(cert, NameOID.ORGANIZATIONAL_UNIT_NAME),
        signed_at=signed_at,
        serial=format(cert.serial_number, "x"),
    )
    unchanged = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.modification_level is not None and status.modification_level <= ModificationLevel.LTA_UPDATES
    )
    result.checks.append(
        Check("integrity", True, "Tài liệu còn nguyên vẹn từ khi ký.", "The document is unchanged since signing.")
        if status.intact and status.valid and unchanged
        else Check(
            "integrity", False, "Tài liệu đã bị sửa sau khi ký.", "The document was changed after it was signed."
        )
    )
    chain = _chain_check(cert)
    record = Certificate.objects.filter(serial=result.serial).first()
    if chain.ok and record is not None and record.kind == Certificate.Kind.AGENCY:
        # The agency is named as the certificate says, as it was when issued: an officer's
        # certificate in OU; an agency's system certificate is the agency itself (CN),
        # its OU holding the code.
        result.agency = result.signer
    result.checks.append(chain)
    result.checks.append(_validity_check(cert, signed_at))
    result.checks.append(_revocation_check(record, signed_at))
    result.valid = all(check.ok for check in result.checks)
    return result


def _chain_check(cert: x509.Certificate) -> Check:
    try:
        issuing = load_certificate(authority(Certificate.Kind.ISSUING))
        root = load_certificate(authority(Certificate.Kind.ROOT))
        cert.verify_directly_issued_by(issuing)
        issuing.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature, PkiError):
        return Check(
            "chain",
            False,
            "Chứng thư số không do CA gốc của hệ thống cấp.",
            "The certificate was not issued under this system's root CA.",
        )
    return Check(
        "chain", True, "Chứng thư số được cấp bởi CA gốc của hệ thống.", "The certificate chains to our root CA."
    )


def _validity_check(cert: x509.Certificate, signed_at: dt.datetime | None) -> Check:
    if signed_at is not None and cert.not_valid_before_utc <= signed_at <= cert.not_valid_after_utc:
        return Check(
            "validity", True, "Chứng thư số còn hiệu lực khi ký.", "The certificate was valid at signing time."
        )
    return Check(
        "validity",
        False,
        "Chứng thư số không còn hiệu lực (hết hạn hoặc chưa có hiệu lực) khi ký.",
        "The certificate was not valid (expired or not yet valid) at signing time.",
    )


def _revocation_check(record: Certificate | None, signed_at: dt.datetime | None) -> Check:
    if record is None:
        return Check(
            "revocation", False, "Không rõ tình trạng thu hồi của chứng thư số.", "The revocation status is unknown."
        )
    compromised = record.revocation_reason == Certificate.RevocationReason.KEY_COMPROMISE
    if record.revoked_at is not None and (compromised or signed_at is None or record.revoked_at <= signed_at):
        revoked_at = timezone.localtime(record.revoked_at)  # as the page shows the signing time
        return Check(
            "revocation",
            False,
            f"Chứng thư số đã bị thu hồi lúc {revoked_at:%d/%m/%Y %H:%M} "
            f"({REASONS_VI.get(record.revocation_reason, record.revocation_reason)}).",
            f"The certificate was revoked at {revoked_at:%Y-%m-%d %H:%M} ({record.revocation_reason}).",
        )
    return Check(
        "revocation", True, "Chứng thư số không bị thu hồi khi ký.", "The certificate was not revoked when it signed."
    )
