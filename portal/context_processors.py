"""Template context the site frame needs on every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from portal.views.dashboard import may_see_dashboard


def portal(request: HttpRequest) -> dict:
    """``OIDC_ENABLED`` (show the national identity provider's button) and
    ``can_see_dashboard`` (staff, or a head or signer somewhere)."""
    user = getattr(request, "user", None)
    can_see_dashboard = user is not None and may_see_dashboard(user)
    return {"OIDC_ENABLED": settings.OIDC_ENABLED, "can_see_dashboard": can_see_dashboard}
