"""The application form and required attachments of a procedure, as data.

The YAML and the ``Procedure.form`` / ``Procedure.attachments`` fields hold a
list of specs; this module checks them and keeps them in a canonical order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from procedures.issues import Issue
from procedures.schemas import schema_issues

FORM_KEYS = ("name", "label", "type", "required", "help", "min", "max", "max_length", "choices", "types", "max_mb")
ATTACHMENT_KEYS = ("name", "label", "required", "types", "max_mb")
FIELD_TYPES = ("text", "textarea", "number", "date", "choice", "checkbox", "email", "phone", "national_id", "file")


def canonical_items(items: Iterable[Mapping[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """Each spec with its keys in the documented order (JSON storage may not keep it)."""
    return [{key: item[key] for key in keys if key in item} for item in items]


def validate_form(form: Any) -> list[Issue]:
    """Problems in a form spec: its shape, then duplicate names and
    contradictory settings."""
    if not isinstance(form, list):
        return [Issue((), _("must be a list"))]
    issues: list[Issue] = []
    for i, field in enumerate(form):
        issues += [issue.located((i,)) for issue in schema_issues(field, definition="form_field")]
    if issues:
        return issues
    issues += _duplicate_names(form)
    for i, field in enumerate(form):
        name = field["name"]
        if field["type"] == "choice" and not field.get("choices"):
            issues.append(
                Issue((i, "choices"), _("field '%(name)s' is a choice but lists no choices") % {"name": name})
            )
        if field["type"] != "choice" and "choices" in field:
            issues.append(Issue((i, "choices"), _("field '%(name)s' has choices but is not a choice") % {"name": name}))
        if "min" in field and "max" in field and field["min"] > field["max"]:
            issues.append(Issue((i, "min"), _("field '%(name)s': min is greater than max") % {"name": name}))
    return issues


def validate_attachments(attachments: Any) -> list[Issue]:
    """Problems in a list of required attachments."""
    if not isinstance(attachments, list):
        return [Issue((), _("must be a list"))]
    issues: list[Issue] = []
    for i, item in enumerate(attachments):
        issues += [issue.located((i,)) for issue in schema_issues(item, definition="attachment")]
    return issues or _duplicate_names(attachments)


def _duplicate_names(items: Sequence[Mapping[str, Any]]) -> list[Issue]:
    seen: set[str] = set()
    issues = []
    for i, item in enumerate(items):
        if item["name"] in seen:
            issues.append(Issue((i, "name"), _("the name '%(name)s' is used twice") % {"name": item["name"]}))
        seen.add(item["name"])
    return issues
