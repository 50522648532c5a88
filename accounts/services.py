"""Write operations on accounts."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from procedures.models import Agency, Role


class AccountError(Exception):
    """Bad input for an account operation; the message says what."""


@transaction.atomic
def upsert_user(
    *,
    username: str,
    password: str | None = None,
    memberships: Sequence[tuple[str, str]] | None = None,
    email: str | None = None,
    full_name: str | None = None,
    is_admin: bool | None = None,
    encoded_password: str | None = None,
) -> tuple[User, bool]:
    """Create or update ``username``; returns the user and whether it is new.

    ``memberships`` is the full set of (agency code, role) pairs the user holds
    afterwards: an empty one makes the user a citizen, ``None`` keeps the
    pairs held. A new user needs a password, which must pass
    ``AUTH_PASSWORD_VALIDATORS`` (or ``encoded_password``, already hashed by
    ``make_password``, which saves hashing the same password again for many
    accounts). Unknown agencies or roles, a value the user model refuses
    (too long, not an e-mail address) and a refused password raise
    ``AccountError`` before anything is saved.
    """
    if not username.strip():
        raise AccountError(_("The username must not be empty."))
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[code for code, _r in memberships or ()])}
    for code, role in memberships or ():
        if code not in agencies:
            raise AccountError(_("Agency '%(code)s' does not exist.") % {"code": code})
        if role not in Role.values:
            raise AccountError(
                _("Role '%(role)s' does not exist (known roles: %(roles)s).")
                % {"role": role, "roles": ", ".join(Role.values)}
            )
    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    if created:
        if not password and not encoded_password:
            raise AccountError(_("A new user needs a password (--password)."))
        user = User(username=username)
    written = ["username"] if created else []
    if email is not None:
        user.email = email
        written.append("email")
    if full_name is not None:
        user.full_name = full_name
        written.append("full_name")
    if is_admin is not None:
        user.is_staff = user.is_superuser = is_admin
    _check_fields(user, written=written)
    if password:
        try:
            validate_password(password, user)  # after the other fields: no password like the user's name
        except ValidationError as exc:
            raise AccountError(
                _("The password is refused: %(reasons)s") % {"reasons": " ".join(exc.messages)}
            ) from None
        user.set_password(password)
    elif encoded_password:
        user.password = encoded_password
    user.save()
    if memberships is None:
        return user, created
    wanted = {(code, role) for code, role in memberships}
    held = {(m.agency.code, m.role): m for m in user.memberships.select_related("agency")}
    for key, membership in held.items():
        if key not in wanted:
            membership.delete()
    Membership.objects.bulk_create(
        [Membership(user=user, agency=agencies[code], role=role) for code, role in sorted(wanted - held.keys())]
    )
    return user, created


def _check_fields(user: User, *, written: Sequence[str]) -> None:
    """The model's own checks (length, form) of the fields this call writes;
    values already stored are left as they are."""
    try:
        user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name not in written])
    except ValidationError as exc:
        raise AccountError(
            "; ".join(
                f"{User._meta.get_field(name).verbose_name}: {' '.join(messages)}"
                for name, messages in exc.message_dict.items()
            )
        ) from None
