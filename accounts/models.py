"""People: citizens and officers. An officer holds one or more roles at one
or more agencies; a user with no membership is a citizen."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.form_spec import national_id_validator, phone_validator
from procedures.models import Agency, Role


class User(AbstractUser):
    """A login. The profile fields are entered once and prefill later forms."""

    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    id_number = models.CharField(_("citizen ID number"), max_length=12, blank=True, validators=[national_id_validator])
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_officer(self) -> bool:
        return self.memberships.exists()


class Membership(models.Model):
    """An officer's role at an agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["agency", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} @ {self.agency.code}"
