"""Request checks that apply to every page and API call."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


def reject_nul(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """A NUL character in a page's path or query string is refused with 400:
    no URL of ours contains one, and PostgreSQL text cannot hold it, so it
    would otherwise fail deep inside a lookup. The API checks its own input
    and answers in its JSON error shape, so it is left to do so."""

    def middleware(request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if request.path.startswith("/api/"):
            return get_response(request)
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return HttpResponseBadRequest(_("The address contains a NUL character."), content_type="text/plain")
        return get_response(request)

    return middleware
