"""Sign-in through an OpenID Connect provider: a person is matched by the
provider's subject, and the claims fill the profile that prefills forms."""

import pytest

from accounts.models import User
from accounts.oidc import CitizenOIDCBackend

pytestmark = pytest.mark.django_db

CLAIMS = {
    "sub": "vneid-7f3a",
    "name": "Phạm Thị Hồng",
    "email": "hong@example.vn",
    "phone_number": "0905111222",
    "id_number": "048190000123",
}


@pytest.fixture
def backend(settings):
    settings.OIDC_RP_CLIENT_ID = "motcua"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://id.example.vn/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://id.example.vn/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://id.example.vn/jwks"
    return CitizenOIDCBackend()


def test_a_new_person_gets_an_account_with_their_profile(backend):
    assert backend.verify_claims(CLAIMS)
    assert not backend.filter_users_by_claims(CLAIMS).exists()
    user = backend.create_user(CLAIMS)
    user = User.objects.get(pk=user.pk)
    assert (user.username, user.full_name, user.email, user.phone, user.id_number) == (
        "oidc-vneid-7f3a", "Phạm Thị Hồng", "hong@example.vn", "0905111222", "048190000123",
    )  # fmt: skip
    assert not user.has_usable_password()
    assert not user.is_officer


def test_a_returning_person_is_found_by_subject_not_by_email(backend):
    user = backend.create_user(CLAIMS)
    User.objects.create_user("someone", email="hong@example.vn")
    assert list(backend.filter_users_by_claims(CLAIMS)) == [user]
    assert not backend.filter_users_by_claims({**CLAIMS, "sub": "other"}).exists()


def test_claims_update_the_profile_and_a_malformed_id_number_or_phone_is_ignored(backend):
    user = backend.create_user(CLAIMS)
    claims = {**CLAIMS, "name": "Phạm Thị Hồng Nhung", "id_number": "12345", "phone_number": "090 5111 333"}
    backend.update_user(user, claims)
    user.refresh_from_db()
    assert (user.full_name, user.id_number, user.phone) == ("Phạm Thị Hồng Nhung", "048190000123", "0905111222")
    backend.update_user(user, {**CLAIMS, "phone_number": "+84905111333"})
    user.refresh_from_db()
    assert user.phone == "+84905111333"


def test_claims_without_a_subject_are_refused(backend):
    assert not backend.verify_claims({"email": "x@example.vn"})
