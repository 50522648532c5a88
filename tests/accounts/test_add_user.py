"""The add_user command: creates or updates a user; the --agency/--role pairs
given are the user's whole set of memberships, none keeps those held and
--citizen removes them; bad input changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _agencies():
    AgencyFactory(code="SXD", name="Sở Xây dựng")
    AgencyFactory(code="UBND_TP", name="Ủy ban nhân dân thành phố")


def add_user(*args: str) -> str:
    out = io.StringIO()
    call_command("add_user", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def add_user_error(*args: str) -> str:
    with pytest.raises(CommandError) as exc_info:
        add_user(*args)
    message = str(exc_info.value)
    assert "\n" not in message
    return message


def memberships(username: str) -> set[tuple[str, str]]:
    user = User.objects.get(username=username)
    return {(m.agency.code, m.role) for m in user.memberships.select_related("agency")}


def test_creates_a_citizen_with_a_usable_password():
    output = add_user("lan", "--password", "mat-khau-1", "--email", "lan@example.vn", "--full-name", "Nguyễn Thị Lan")

    assert output == "Created lan (citizen)"
    user = User.objects.get(username="lan")
    assert user.has_usable_password()
    assert user.check_password("mat-khau-1")
    assert user.email == "lan@example.vn"
    assert user.full_name == "Nguyễn Thị Lan"
    assert not user.is_officer
    assert not user.is_staff


def test_creates_an_officer_with_roles_at_two_agencies():
    output = add_user(
        "binh",
        "--password",
        "mat-khau-1",
        "--agency",
        "SXD",
        "--role",
        "specialist",
        "--agency",
        "UBND_TP",
        "--role",
        "head",
    )

    assert output.startswith("Created binh (")
    assert memberships("binh") == {("SXD", "specialist"), ("UBND_TP", "head")}
    assert User.objects.get(username="binh").is_officer


def test_running_again_replaces_the_memberships_with_the_pairs_given():
    add_user("binh", "--password", "mat-khau-1", "--agency", "SXD", "--role", "specialist")

    output = add_user("binh", "--agency", "UBND_TP", "--role", "head", "--agency", "SXD", "--role", "desk")

    assert output.startswith("Updated binh (")
    assert memberships("binh") == {("UBND_TP", "head"), ("SXD", "desk")}
    assert User.objects.filter(username="binh").count() == 1


def test_running_again_without_pairs_keeps_the_roles_held():
    add_user("binh", "--password", "mat-khau-1", "--agency", "SXD", "--role", "specialist")

    output = add_user("binh", "--email", "binh@example.vn")

    assert output == "Updated binh (specialist@SXD)"
    assert memberships("binh") == {("SXD", "specialist")}


def test_citizen_removes_every_role():
    add_user("binh", "--password", "mat-khau-1", "--agency", "SXD", "--role", "specialist")

    output = add_user("binh", "--citizen")

    assert output == "Updated binh (citizen)"
    assert memberships("binh") == set()


def test_citizen_with_pairs_is_refused_and_changes_nothing():
    add_user("binh", "--password", "mat-khau-1", "--agency", "SXD", "--role", "specialist")

    message = add_user_error("binh", "--citizen", "--agency", "UBND_TP", "--role", "head")

    assert message == "Give either --citizen or --agency/--role pairs, not both."
    assert memberships("binh") == {("SXD", "specialist")}


def test_an_update_without_password_keeps_the_password():
    add_user("lan", "--password", "mat-khau-1")

    add_user("lan", "--email", "lan@example.vn")

    assert User.objects.get(username="lan").check_password("mat-khau-1")


def test_an_update_with_password_changes_it():
    add_user("lan", "--password", "mat-khau-1")

    add_user("lan", "--password", "mat-khau-2")

    assert User.objects.get(username="lan").check_password("mat-khau-2")


def test_admin_makes_the_user_staff_and_superuser():
    add_user("admin", "--password", "mat-khau-1", "--admin")

    user = User.objects.get(username="admin")
    assert user.is_staff
    assert user.is_superuser


def test_an_update_without_admin_keeps_admin_rights():
    add_user("admin", "--password", "mat-khau-1", "--admin")

    add_user("admin", "--email", "admin@example.vn")

    assert User.objects.get(username="admin").is_superuser


def test_an_unknown_agency_is_refused_and_creates_nothing():
    message = add_user_error("binh", "--password", "mat-khau-1", "--agency", "NOPE", "--role", "specialist")

    assert message == "Agency 'NOPE' does not exist."
    assert not User.objects.filter(username="binh").exists()


def test_an_unknown_role_is_refused_and_changes_nothing():
    add_user("binh", "--password", "mat-khau-1", "--agency", "SXD", "--role", "specialist")

    message = add_user_error("binh", "--password", "mat-khau-2", "--agency", "SXD", "--role", "boss")

    assert message == "Role 'boss' does not exist (known roles: desk, specialist, head, signer, clerk)."
    assert memberships("binh") == {("SXD", "specialist")}
    assert User.objects.get(username="binh").check_password("mat-khau-1")


def test_an_unknown_agency_on_update_changes_nothing():
    add_user("binh", "--password", "mat-khau-1", "--agency", "SXD", "--role", "specialist")

    add_user_error("binh", "--admin", "--agency", "SXD", "--role", "head", "--agency", "NOPE", "--role", "head")

    assert memberships("binh") == {("SXD", "specialist")}
    assert not User.objects.get(username="binh").is_staff


def test_agency_and_role_must_come_in_pairs():
    message = add_user_error(
        "binh", "--password", "mat-khau-1", "--agency", "SXD", "--agency", "UBND_TP", "--role", "head"
    )

    assert message == "Give --agency and --role in pairs: 2 agency and 1 role value(s) given."
    assert not User.objects.filter(username="binh").exists()


def test_a_new_user_needs_a_password():
    message = add_user_error("binh", "--agency", "SXD", "--role", "specialist")

    assert message == "A new user needs a password (--password)."
    assert not User.objects.filter(username="binh").exists()


def test_a_new_user_with_a_weak_password_is_refused_with_every_reason():
    message = add_user_error("binh", "--password", "12345", "--agency", "SXD", "--role", "specialist")

    assert message == (
        "The password is refused: This password is too short. It must contain at least 8 characters. "
        "This password is too common. This password is entirely numeric."
    )
    assert not User.objects.filter(username="binh").exists()


def test_a_password_like_the_username_is_refused_and_changes_nothing():
    add_user("nguyenvanbinh", "--password", "mat-khau-1", "--agency", "SXD", "--role", "specialist")

    message = add_user_error("nguyenvanbinh", "--password", "nguyenvanbinh1", "--email", "binh@example.vn")

    assert message == "The password is refused: The password is too similar to the username."
    user = User.objects.get(username="nguyenvanbinh")
    assert user.check_password("mat-khau-1")
    assert user.email == ""


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            ["a" * 151],
            "username: Ensure this value has at most 150 characters (it has 151).",
        ),
        (
            ["bad name!"],
            "username: Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
        ),
        (["lan", "--email", "not an e-mail"], "email address: Enter a valid email address."),
        (["lan", "--full-name", "Â" * 256], "full name: Ensure this value has at most 255 characters (it has 256)."),
    ],
    ids=["long username", "username with spaces", "bad e-mail", "long full name"],
)
def test_a_value_the_user_model_refuses_is_an_error_and_creates_nothing(args, reason):
    message = add_user_error(*args, "--password", "mat-khau-1")

    assert message == reason
    assert not User.objects.exists()


def test_a_bad_email_on_update_changes_nothing():
    add_user("lan", "--password", "mat-khau-1", "--email", "lan@example.vn")

    add_user_error("lan", "--email", "lan at example", "--password", "mat-khau-2")

    user = User.objects.get(username="lan")
    assert (user.email, user.check_password("mat-khau-1")) == ("lan@example.vn", True)
