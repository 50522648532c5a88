"""What verification rejects, and why: through ``verify_pdf()`` and the
``verify_pdf`` command, which exits 1 and says why in Vietnamese and English."""

from __future__ import annotations

import datetime as dt
import io
import re
from io import BytesIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.general import SigningError

from signing.models import Certificate
from signing.pki import decrypt_key, issue_person_certificate, load_certificate, person_certificate, revoke
from signing.signer import authorities, sign_pdf
from signing.verification import Check, verify_pdf
from tests.signing.conftest import read_document, sign_with_pyhanko

# Helpers -------------------------------------------------------------------------


def failed_checks(data: bytes) -> dict[str, Check]:
    result = verify_pdf(data)
    failed = {check.name: check for check in result.checks if not check.ok}
    assert result.valid is not bool(failed)
    return failed


def command(tmp_path, data: bytes) -> str:
    """Run ``verify_pdf`` on ``data``; it must exit 1. Returns what it printed."""
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_pdf", str(path), stdout=out)
    assert exit_.value.code == 1
    printed = out.getvalue()
    assert printed.rstrip().endswith("KHÔNG HỢP LỆ / INVALID")
    return printed


def assert_rejected(tmp_path, data: bytes, *names: str) -> dict[str, Check]:
    """``data`` fails exactly the checks ``names``, and the command prints each reason in both languages."""
    failed = failed_checks(data)
    assert sorted(failed) == sorted(names)
    printed = command(tmp_path, data)
    for check in failed.values():
        assert f"[FAIL] {check.name}: {check.message_vi} / {check.message_en}" in printed
    return failed


# A valid document ----------------------------------------------------------------


def test_a_signed_result_is_valid_and_the_command_exits_0(signed_result, cast, tmp_path):
    path = tmp_path / "result.pdf"
    path.write_bytes(read_document(signed_result))
    out = io.StringIO()
    call_command("verify_pdf", str(path), stdout=out)  # returns: exit status 0
    printed = out.getvalue()
    assert f"Người ký / Signer:      {cast.signer.full_name}" in printed
    assert "Cơ quan / Agency:       Sở Xây dựng" in printed
    assert printed.count("[OK  ]") == 4
    assert printed.rstrip().endswith("HỢP LỆ / VALID")
    assert "KHÔNG" not in printed


def test_the_command_reports_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_pdf", str(tmp_path / "missing.pdf"))


# (a) Edited after signing ----------------------------------------------------------


def test_content_added_in_an_incremental_update_breaks_integrity(signed_result, tmp_path):
    writer = IncrementalPdfFileWriter(BytesIO(read_document(signed_result)))
    stamp = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 rg 40 40 200 60 re f Q"))
    writer.add_stream_to_page(0, stamp)
    edited = BytesIO()
    writer.write(edited)

    failed = assert_rejected(tmp_path, edited.getvalue(), "integrity")
    assert failed["integrity"].message_en == "The document was changed after it was signed."
    assert failed["integrity"].message_vi == "Tài liệu đã bị sửa sau khi ký."


def test_a_byte_changed_in_the_signed_range_breaks_integrity(signed_result, tmp_path):
    data = bytearray(read_document(signed_result))
    position = data.index(b"stream\n") + len(b"stream\n") + 20  # inside the first content stream
    data[position] ^= 0xFF
    assert verify_pdf(bytes(data)).signer  # still a PDF with a readable signature

    assert_rejected(tmp_path, bytes(data), "integrity")


def test_a_damaged_signature_in_a_sound_pdf_is_a_broken_signature_not_a_broken_file(signed_result, tmp_path):
    pdf = read_document(signed_result)
    # A hex digit early in the signature's /Contents: its CMS structure no longer reads.
    contents = re.search(rb"/Contents <", pdf).end() + 8
    damaged = bytearray(pdf)
    damaged[contents] = ord("0") if damaged[contents] != ord("0") else ord("f")

    failed = assert_rejected(tmp_path, bytes(damaged), "integrity")
    assert failed["integrity"].message_en == "The signature cannot be read."


# (b) Revocation ------------------------------------------------------------------------


def test_key_compromise_after_signing_invalidates_the_signature(signed_result, cast, tmp_path):
    call_command("pki", "revoke", "sxd.signer", "--reason", "key_compromise", stdout=io.StringIO())

    failed = assert_rejected(tmp_path, read_document(signed_result), "revocation")
    assert "(lộ khóa bí mật)" in failed["revocation"].message_vi
    assert "(key_compromise)" in failed["revocation"].message_en


@pytest.mark.parametrize("reason", ["superseded", "affiliation_changed", "cessation_of_operation"])
def test_other_revocation_after_signing_keeps_the_signature_valid(signed_result, cast, reason):
    call_command("pki", "revoke", "sxd.signer", "--reason", reason, stdout=io.StringIO())
    assert Certificate.objects.get(serial=signed_result.certificate_serial).revocation_reason == reason

    result = verify_pdf(read_document(signed_result))
    assert result.valid
    assert all(check.ok for check in result.checks)


def test_revocation_dated_before_the_signature_invalidates_it(signed_result, cast, tmp_path):
    signed_at = verify_pdf(read_document(signed_result)).signed_at
    revoke(person_certificate(cast.signer), reason="superseded", at=signed_at - dt.timedelta(minutes=1))

    failed = assert_rejected(tmp_path, read_document(signed_result), "revocation")
    assert "(được thay thế)" in failed["revocation"].message_vi


def test_the_revocation_time_is_told_in_local_time(signed_result, cast):
    signed_at = verify_pdf(read_document(signed_result)).signed_at
    at = signed_at + dt.timedelta(minutes=10)
    revoke(person_certificate(cast.signer), reason="key_compromise", at=at)

    check = failed_checks(read_document(signed_result))["revocation"]
    local = timezone.localtime(at)  # Asia/Ho_Chi_Minh, as the page shows the signing time
    assert f"lúc {local:%d/%m/%Y %H:%M} (lộ khóa bí mật)" in check.message_vi
    assert f"at {local:%Y-%m-%d %H:%M} (key_compromise)" in check.message_en


# (c) Expired certificate ----------------------------------------------------------------


@pytest.fixture
def expired(cast) -> Certificate:
    now = timezone.now()
    return issue_person_certificate(
        cast.specialist, cast.agency, not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=30)
    )


def test_our_signer_refuses_an_expired_certificate(expired, plain_pdf):
    with pytest.raises(SigningError, match="could not be validated"):
        sign_pdf(plain_pdf, expired)


def test_a_signature_made_with_an_expired_certificate_is_not_valid(expired, plain_pdf, tmp_path):
    # Signed by other software that does not check, with a time stamp from our TSA.
    ca = load_certificate(Certificate.objects.get(kind="issuing"))
    data = sign_with_pyhanko(
        plain_pdf,
        load_certificate(expired),
        decrypt_key(expired.encrypted_key_pem),
        chain=[ca],
        timestamper=authorities().timestamper,
    )

    failed = assert_rejected(tmp_path, data, "validity")
    assert failed["validity"].message_en == (
        "The certificate was not valid (expired or not yet valid) at signing time."
    )
    assert "hết hạn" in failed["validity"].message_vi


# (d) A certificate from another root --------------------------------------------------


def foreign_chain(issuer_name: x509.Name, subject: x509.Name) -> tuple[x509.Certificate, x509.Certificate, object]:
    """A root CA named ``issuer_name`` and a leaf it issued to ``subject``: (root, leaf, leaf key)."""
    now = timezone.now()
    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def build(name, key, signer_key, ca):
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, not ca, False, False, False, ca, ca, False, False), critical=True)
            .sign(signer_key, hashes.SHA256())
        )

    root = build(issuer_name, root_key, root_key, True)
    return root, build(subject, leaf_key, root_key, False), leaf_key


def _name(**parts) -> x509.Name:
    oids = {"C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME}
    oids["CN"] = NameOID.COMMON_NAME
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in parts.items()])


@pytest.mark.parametrize("impersonating", [False, True], ids=["own-names", "our-issuing-ca-name"])
def test_a_certificate_from_another_root_fails_the_chain(cast, plain_pdf, tmp_path, impersonating):
    ours = load_certificate(Certificate.objects.get(kind="issuing"))
    issuer = ours.subject if impersonating else _name(C="VN", O="Khác", CN="Another Root CA")
    root, leaf, key = foreign_chain(issuer, _name(C="VN", O="Khác", OU="Sở Xây dựng", CN=cast.signer.full_name))
    data = sign_with_pyhanko(plain_pdf, leaf, key, chain=[root])

    result = verify_pdf(data)
    assert (result.signer, result.agency) == (cast.signer.full_name, "Sở Xây dựng")
    failed = assert_rejected(tmp_path, data, "chain", "revocation")
    assert failed["chain"].message_en == "The certificate was not issued under this system's root CA."
    assert failed["chain"].message_vi == "Chứng thư số không do CA gốc của hệ thống cấp."
    assert failed["revocation"].message_en == "The revocation status is unknown."


# (e) Not a signed PDF ------------------------------------------------------------------


def test_a_file_that_is_not_a_pdf_is_not_valid(db, tmp_path):
    data = "Giấy tiếp nhận hồ sơ".encode() * 10
    failed = assert_rejected(tmp_path, data, "format")
    assert (failed["format"].message_vi, failed["format"].message_en) == (
        "Tệp không phải là PDF hợp lệ.",
        "The file is not a valid PDF.",
    )


def test_an_empty_file_is_not_valid(db, tmp_path):
    assert_rejected(tmp_path, b"", "format")


def test_a_pdf_without_a_signature_is_not_valid(db, plain_pdf, tmp_path):
    failed = assert_rejected(tmp_path, plain_pdf, "format")
    assert (failed["format"].message_vi, failed["format"].message_en) == (
        "Tệp PDF không có chữ ký số.",
        "The PDF has no digital signature.",
    )
    assert verify_pdf(plain_pdf).signer == ""


def test_a_damaged_file_is_a_verdict_never_an_error(signed_result):
    """A byte changed anywhere (inside compressed object streams, inside the signature's own
    algorithm identifiers) gives an answer: invalid wherever the signature covers the byte."""
    pdf = read_document(signed_result)
    start, length, end, rest = (int(n) for n in re.search(rb"/ByteRange \[\s*(\d+) (\d+) (\d+) (\d+)", pdf).groups())
    # What the signature covers: its revision of the file, less its own hex (the time stamp's
    # validation data comes after, in a later revision it does not cover).
    covered = [range(start, start + length), range(end, end + rest)]
    offsets = [*range(0, len(pdf), 257), *range(start + length + 1, start + length + 2000, 29)]
    for offset in offsets:
        damaged = bytearray(pdf)
        damaged[offset] = ord("2") if damaged[offset] != ord("2") else ord("3")
        verdict = verify_pdf(bytes(damaged))
        if any(offset in part for part in covered):
            assert not verdict.valid, offset
