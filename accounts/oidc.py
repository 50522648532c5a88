"""Sign-in through an OpenID Connect provider (a national identity provider
such as VNeID, or any standard OP), with mozilla-django-oidc.

A person is matched by the provider's stable subject (``sub``), never by
e-mail; their name, e-mail, phone and citizen ID number come from the claims
and fill the profile that prefills application forms.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import User
from procedures.form_spec import national_id_validator, phone_validator


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
        # A phone or ID number the profile's own checks would refuse is left out, not stored.
        for attribute, claim, check in (
            ("phone", "phone_number", phone_validator),
            ("id_number", getattr(settings, "OIDC_ID_NUMBER_CLAIM", "id_number"), national_id_validator),
        ):
            value = str(claims.get(claim) or "")
            try:
                check(value)
            except ValidationError:
                continue
            setattr(user, attribute, value)
        user.save()
        return user
