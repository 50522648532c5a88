"""The one permission check: does a user hold a role at an agency."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

_CACHE_ATTR = "_workflow_memberships"


def memberships(user: AbstractBaseUser) -> frozenset[tuple[int, str]]:
    """The (agency id, role) pairs the user holds, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("agency_id", "role"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def holds(user: AbstractBaseUser, agency_id: int, *roles: str) -> bool:
    held = memberships(user)
    return any((agency_id, role) in held for role in roles)


def agencies_of(user: AbstractBaseUser) -> set[int]:
    return {agency_id for agency_id, _role in memberships(user)}
