"""Template helpers for the officer pages."""

from __future__ import annotations

from django import template

from procedures.models import Role
from workflow.roles import memberships

register = template.Library()


@register.simple_tag
def officer_pages(user) -> dict[str, bool]:
    """Which officer pages ``user``'s roles open: the queue for any role, intake
    for the desk, overdue for heads and the desk, batch sign for signers."""
    roles = {role for _agency, role in memberships(user)}
    return {
        "queue": bool(roles),
        "intake": Role.DESK in roles,
        "overdue": bool(roles & {Role.HEAD, Role.DESK}),
        "sign": Role.SIGNER in roles,
    }
