"""Domain errors of the catalog. The portal maps them to HTTP in one place."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from procedures.issues import Issue


class CatalogError(Exception):
    """Catalog data is invalid; ``issues`` says where and why."""

    def __init__(self, issues: Sequence[Issue | object], message: str | None = None):
        self.issues = list(issues)
        super().__init__(message or "; ".join(str(i) for i in self.issues))


class FlowValidationError(CatalogError):
    """A flow cannot be published because it breaks a rule."""


class FlowVersionFrozen(Exception):
    """A published flow version was about to be changed."""

    def __init__(self) -> None:
        super().__init__(_("A published flow version cannot be changed; create a new draft."))
