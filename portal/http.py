"""Small helpers shared by the pages and the API."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from workflow.errors import StaleVersion


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, for the audit trail. Behind a reverse
    proxy, set the proxy to pass the client's address as REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or None


def stale_error(*, form: bool = False) -> StaleVersion:
    """What a page says when it was made for an older version of the dossier.

    An action's page comes back showing the dossier as it is now, with forms for
    that version, so pressing the button again acts on what the user sees
    (reloading would only send the old form again). A form of answers (a draft,
    a supplement) comes back with the user's own answers kept, which saving again
    would put over the change made meanwhile: ``form`` says so."""
    if form:
        return StaleVersion(
            _(
                "The dossier was changed elsewhere since you opened this form. Your answers below are kept: "
                "saving them again replaces that change, so open the dossier first to see it."
            )
        )
    return StaleVersion(
        _(
            "The dossier has changed since you opened this page. "
            "It is shown below as it is now: check it, then try again."
        )
    )
