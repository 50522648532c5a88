"""Token authentication for the API: DRF's, with its one query compiled once per process."""

from __future__ import annotations

from rest_framework import authentication
from rest_framework.authtoken.models import Token

from workflow.compiled import CompiledQuery

TOKEN_WITH_USER = CompiledQuery(lambda key: Token.objects.select_related("user").filter(key=key), "\x00")


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF checks it. Every API call with a
    token runs this query, so it is compiled once; a refused token goes
    through DRF's own check, for its answer and message."""

    def authenticate_credentials(self, key: str):
        token = TOKEN_WITH_USER.first(key)
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)
        return token.user, token
