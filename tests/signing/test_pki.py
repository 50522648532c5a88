"""The test PKI through ``manage.py pki``: init, issue, revoke, export-root,
and the CRL it publishes."""

from __future__ import annotations

import io

import pytest
from asn1crypto import pem as asn1_pem
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.management.base import CommandError

from signing.models import Certificate
from signing.pki import decrypt_key, load_certificate, person_certificate


def pki(*args) -> str:
    out = io.StringIO()
    call_command("pki", *args, stdout=out)
    return out.getvalue()


def authorities() -> dict[str, str]:
    return dict(Certificate.objects.filter(kind__in=["root", "issuing", "timestamp"]).values_list("kind", "serial"))


def test_init_creates_one_root_issuing_and_timestamp_authority(empty_pki):
    assert "PKI created" in pki("init")
    assert sorted(Certificate.objects.values_list("kind", flat=True)) == ["issuing", "root", "timestamp"]


def test_init_twice_changes_nothing(empty_pki):
    pki("init")
    before = authorities()
    assert "nothing changed" in pki("init")
    assert authorities() == before
    assert Certificate.objects.count() == 3


def test_issue_gives_an_officer_a_certificate_naming_person_and_agency(cast, settings):
    settings.SITE_URL = "https://motcua.example.vn"
    output = pki("issue", "sxd.specialist")
    record = person_certificate(cast.specialist)
    assert record is not None and record.serial in output
    assert (record.kind, record.agency) == (Certificate.Kind.PERSON, cast.agency)
    cert = load_certificate(record)
    subject = {a.oid: a.value for a in cert.subject}
    assert subject[NameOID.COMMON_NAME] == cast.specialist.full_name
    assert subject[NameOID.ORGANIZATIONAL_UNIT_NAME] == "Sở Xây dựng"
    assert subject[NameOID.ORGANIZATION_NAME] == settings.PKI_ORGANIZATION


def test_person_certificate_is_for_signing_with_ecdsa_p256_sha256(cast):
    pki("issue", "sxd.specialist")
    cert = load_certificate(person_certificate(cast.specialist))
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature and usage.value.content_commitment
    assert not (usage.value.key_cert_sign or usage.value.crl_sign or usage.value.key_encipherment)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    issuing = load_certificate(Certificate.objects.get(kind="issuing"))
    cert.verify_directly_issued_by(issuing)


def test_person_certificate_names_the_crl_under_site_url(cast, settings):
    settings.SITE_URL = "https://motcua.example.vn"
    pki("issue", "sxd.specialist")
    cert = load_certificate(person_certificate(cast.specialist))
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [name.value for point in points for name in point.full_name] == ["https://motcua.example.vn/pki/crl.der"]


@pytest.mark.parametrize(("username", "message"), [("an", "'an' is not an officer."), ("nobody", "No user 'nobody'.")])
def test_issue_refuses_a_citizen_or_an_unknown_user(cast, username, message):
    with pytest.raises(CommandError) as err:
        pki("issue", username)
    assert str(err.value) == message
    assert not Certificate.objects.filter(kind=Certificate.Kind.PERSON).exclude(user=cast.signer).exists()


def test_revoked_serial_is_in_the_crl_signed_by_the_issuing_ca(cast, client):
    record = person_certificate(cast.signer)
    assert "Revoked certificate" in pki("revoke", "sxd.signer", "--reason", "key_compromise")
    assert person_certificate(cast.signer) is None

    response = client.get("/pki/crl.der")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    issuing = load_certificate(Certificate.objects.get(kind="issuing"))
    assert crl.issuer == issuing.subject
    assert crl.is_signature_valid(issuing.public_key())
    entry = crl.get_revoked_certificate_by_serial_number(int(record.serial, 16))
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.key_compromise


def test_crl_lists_nothing_before_a_revocation(cast, client):
    crl = x509.load_der_x509_crl(client.get("/pki/crl.der").content)
    assert len(crl) == 0


def test_revoke_without_a_valid_certificate_is_an_error(cast):
    with pytest.raises(CommandError, match=r"^'sxd\.head' has no valid certificate to revoke\.$"):
        pki("revoke", "sxd.head", "--reason", "superseded")


def test_export_root_writes_a_self_signed_pem(cast, tmp_path):
    target = tmp_path / "root.pem"
    pki("export-root", str(target))
    root = x509.load_pem_x509_certificate(target.read_bytes())
    assert root.subject == root.issuer
    root.verify_directly_issued_by(root)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert root == load_certificate(Certificate.objects.get(kind="root"))


def test_export_root_keeps_an_existing_file_unless_forced(cast, tmp_path):
    target = tmp_path / "root.pem"
    target.write_text("someone else's file\n", encoding="utf-8")

    with pytest.raises(CommandError, match=rf"^{target} already exists; give --force to overwrite it\.$"):
        pki("export-root", str(target))
    assert target.read_text(encoding="utf-8") == "someone else's file\n"

    pki("export-root", str(target), "--force")
    assert x509.load_pem_x509_certificate(target.read_bytes()) == load_certificate(Certificate.objects.get(kind="root"))


def pem_labels(text: str) -> list[str]:
    """The type of each PEM block in ``text``."""
    return [label for label, _headers, _der in asn1_pem.unarmor(text.encode(), multiple=True)]


def test_private_keys_are_stored_encrypted_only(cast):
    pki("issue", "sxd.specialist")
    records = list(Certificate.objects.all())
    assert {r.kind for r in records} == {"root", "issuing", "timestamp", "person"}
    for record in records:
        # One PKCS#8 block, and encrypted; the certificate column holds certificates only.
        assert pem_labels(record.encrypted_key_pem) == ["ENCRYPTED PRIVATE KEY"]
        assert set(pem_labels(record.certificate_pem)) == {"CERTIFICATE"}
        with pytest.raises(TypeError):  # no password, no key
            serialization.load_pem_private_key(record.encrypted_key_pem.encode(), password=None)
        public = decrypt_key(record.encrypted_key_pem).public_key()
        assert public.public_numbers() == load_certificate(record).public_key().public_numbers()


def test_revoke_covers_every_certificate_the_officer_still_holds(cast):
    first = person_certificate(cast.signer)
    pki("issue", "sxd.signer")
    pki("issue", "sxd.signer")
    out = pki("revoke", "sxd.signer", "--reason", "key_compromise")
    held = Certificate.objects.filter(kind=Certificate.Kind.PERSON, user=cast.signer)
    assert held.count() == 3 and not held.filter(revoked_at__isnull=True).exists()
    assert out.count("Revoked certificate") == 3 and first.serial in out
    assert person_certificate(cast.signer) is None
