from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What an officer does at an agency; every flow step names one of these."""

    DESK = "desk", _("One-stop desk")
    SPECIALIST = "specialist", _("Specialist")
    HEAD = "head", _("Head of division")
    SIGNER = "signer", _("Signer")
    CLERK = "clerk", _("Clerk")
