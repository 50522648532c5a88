"""Small helpers shared by the pages and the API."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, for the audit trail. Behind a reverse
    proxy, set the proxy to pass the client's address as REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or None
