"""Template context the site frame needs on every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from procedures.models import Role
from workflow.roles import memberships

DASHBOARD_ROLES = frozenset({Role.HEAD, Role.SIGNER})


def portal(request: HttpRequest) -> dict:
    """``OIDC_ENABLED`` (show the national identity provider's button) and
    ``can_see_dashboard`` (staff, or a head or signer somewhere)."""
    user = getattr(request, "user", None)
    can_see_dashboard = bool(
        user is not None
        and user.is_authenticated
        and (user.is_staff or user.is_superuser or any(role in DASHBOARD_ROLES for _a, role in memberships(user)))
    )
    return {"OIDC_ENABLED": settings.OIDC_ENABLED, "can_see_dashboard": can_see_dashboard}
