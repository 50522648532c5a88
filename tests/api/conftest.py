"""API clients for the workflow test cast (tests/workflow/conftest.py): one
agency with an officer per role, a second agency, two citizens."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.workflow.conftest import FORM_DATA, Cast

__all__ = ["FORM_DATA", "api_for", "error_of"]


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def api_for(user=None) -> APIClient:
    """A client that sends ``user``'s token, as an API client would (anonymous without one)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def error_of(response) -> dict:
    """The body of an error response, checked to have the one error shape."""
    body = response.json()
    assert set(body) == {"error", "detail", "fields"}, body
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["fields"], dict)
    return body
