"""Sign-in through an OpenID Connect provider (a national identity provider
such as VNeID, or any standard OP), with mozilla-django-oidc.

A person is matched by the provider's stable subject (``sub``), never by
e-mail; their name, e-mail, phone and citizen ID number come from the claims
and fill the profile that prefills application forms.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import User


def username_for(claims: dict[str, Any]) -> str:
    return f"oidc-{claims['sub']}"[:150]


class CitizenOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims: dict[str, Any]):
        return self.UserModel.objects.filter(username=username_for(claims))

    def create_user(self, claims: dict[str, Any]) -> User:
        user = self.UserModel(username=username_for(claims))
        user.set_unusable_password()
        return self.update_user(user, claims)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        user.full_name = claims.get("name") or user.full_name
        user.email = claims.get("email") or user.email
        user.phone = (claims.get("phone_number") or user.phone)[:20]
        id_number = str(claims.get(getattr(settings, "OIDC_ID_NUMBER_CLAIM", "id_number"), "") or "")
        if re.fullmatch(r"\d{12}", id_number):
            user.id_number = id_number
        user.save()
        return user
