"""The procedure catalog: agencies, sectors (lĩnh vực), procedures and their
versioned processing flows."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procedures.flows import Flow
from procedures.issues import LARGEST_NUMBER
from procedures.roles import Role

__all__ = [
    "AdministrativeLevel",
    "Agency",
    "FlowVersion",
    "Procedure",
    "Role",
    "Sector",
]


class AdministrativeLevel(models.Model):
    """City / district / commune, or province / commune after the 2025 reform.

    Levels are data so that a reorganisation is an admin edit, not a deploy.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=1, help_text=_("1 is the highest level; used for ordering.")
    )

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("administrative level")
        verbose_name_plural = _("administrative levels")

    def __str__(self) -> str:
        return self.name


agency_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_]*$",
    _("Use capital letters, digits and underscores, e.g. SXD or UBND_P1."),
)


class Agency(models.Model):
    """A body that receives and processes dossiers (sở, UBND quận/phường…)."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[agency_code_validator],
        help_text=_("Short code; it starts every dossier code of the agency."),
    )
    name = models.CharField(_("name"), max_length=255)
    level = models.ForeignKey(
        AdministrativeLevel,
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name=_("administrative level"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent agency"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def clean(self) -> None:
        """The parents above an agency never come back to it (as the catalog import checks)."""
        seen: set[int] = set()
        current = self.parent
        while current is not None and current.pk not in seen:
            if self.pk is not None and current.pk == self.pk:
                message = (
                    _("an agency cannot be its own parent")
                    if current.pk == self.parent_id
                    else _("the parent agencies go round in a circle back to this one")
                )
                raise ValidationError({"parent": message})
            seen.add(current.pk)
            current = current.parent


class Sector(models.Model):
    """A field of administration (lĩnh vực): construction, civil status…"""

    name = models.CharField(_("name"), max_length=255, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")

    def __str__(self) -> str:
        return self.name


def validate_half_days(value: Decimal) -> None:
    """A time limit counts whole half days: the calendar cannot count 3.3 days."""
    if (Decimal(value) * 2) % 1:
        raise ValidationError(_("must be a multiple of %(step)s") % {"step": "0.5"})


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) offered by an agency."""

    code = models.CharField(
        _("national code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z.\-]+$")],
        help_text=_("The code in the national procedure database, e.g. 1.009972."),
    )
    name = models.CharField(_("name"), max_length=500)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("agency"))
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("field"))
    time_limit_days = models.DecimalField(
        _("legal time limit (working days)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), validate_half_days],
    )
    # At most as many digits as the catalog files allow, so an export always imports again.
    fee_vnd = models.PositiveBigIntegerField(
        _("fee (VND)"), default=0, validators=[MaxValueValidator(LARGEST_NUMBER - 1)]
    )
    full_online = models.BooleanField(
        _("fully online"), default=False, help_text=_("Can be done online end to end (toàn trình).")
    )
    form = models.JSONField(_("application form"), default=list, blank=True)
    attachments = models.JSONField(_("required attachments"), default=list, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def level(self) -> AdministrativeLevel:
        """The procedure is carried out at its agency's level."""
        return self.agency.level


class FlowVersion(models.Model):
    """One version of a procedure's processing flow.

    A draft may be edited; publishing validates and freezes it. A dossier keeps
    the version it started on, so a published version is never changed.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="flow_versions", verbose_name=_("procedure")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    definition = models.JSONField(_("flow"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("flow version")
        verbose_name_plural = _("flow versions")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="flowversion_unique_number"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status="draft"),
                name="flowversion_one_draft_per_procedure",
            ),
        ]
        indexes = [models.Index(fields=["procedure", "status", "-number"])]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.get_status_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @cached_property
    def flow(self) -> Flow:
        """The definition as typed objects, for the engine."""
        return Flow.from_definition(self.definition)
