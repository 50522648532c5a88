"""The test PKI's certificates. Private keys are stored encrypted (PKCS#8 with
a passphrase from settings), never in clear."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency


class Certificate(models.Model):
    class Kind(models.TextChoices):
        ROOT = "root", _("Root CA")
        ISSUING = "issuing", _("Issuing CA")
        TIMESTAMP = "timestamp", _("Time-stamp authority")
        AGENCY = "agency", _("Agency system certificate")
        PERSON = "person", _("Signing officer")

    class RevocationReason(models.TextChoices):
        KEY_COMPROMISE = "key_compromise", _("Key compromise")
        AFFILIATION_CHANGED = "affiliation_changed", _("Affiliation changed")
        SUPERSEDED = "superseded", _("Superseded")
        CESSATION_OF_OPERATION = "cessation_of_operation", _("Cessation of operation")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=500)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates")
    certificate_pem = models.TextField()
    encrypted_key_pem = models.TextField(help_text=_("PKCS#8, encrypted with the PKI passphrase."))
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(max_length=32, choices=RevocationReason.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "user", "agency"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind__in=["root", "issuing", "timestamp"]), name="certificate_one_ca_each"
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
