"""The one permission check: does a user hold a role at an agency."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from workflow.compiled import CompiledQuery

_CACHE_ATTR = "_workflow_memberships"


def _memberships_of(user_id: int) -> QuerySet:
    membership = get_user_model()._meta.get_field("memberships").related_model
    return membership.objects.filter(user_id=user_id).only("agency", "role").order_by()


# Read on nearly every request and action, so compiled once per process.
MEMBERSHIPS = CompiledQuery(_memberships_of, -1)


def memberships(user: AbstractBaseUser) -> frozenset[tuple[int, str]]:
    """The (agency id, role) pairs the user holds, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset((membership.agency_id, membership.role) for membership in MEMBERSHIPS.all(user.pk))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def holds(user: AbstractBaseUser, agency_id: int, *roles: str) -> bool:
    held = memberships(user)
    return any((agency_id, role) in held for role in roles)


def agencies_of(user: AbstractBaseUser) -> set[int]:
    return {agency_id for agency_id, _role in memberships(user)}
