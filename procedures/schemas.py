"""The JSON Schema of the YAML interchange format, and readable errors from it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path as FilePath
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from procedures.issues import Issue, Path, unusable_values

SCHEMA_FILE = FilePath(__file__).parent / "schema" / "procedures.schema.json"

_TYPE_NAMES = {
    "string": gettext_noop("a text"),
    "number": gettext_noop("a number"),
    "integer": gettext_noop("a whole number"),
    "boolean": gettext_noop("true or false"),
    "array": gettext_noop("a list"),
    "object": gettext_noop("a mapping"),
}


@cache
def catalog_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def _validator(definition: str | None) -> Draft202012Validator:
    schema = catalog_schema()
    if definition is not None:
        schema = {**schema, "$ref": f"#/$defs/{definition}"}
        schema.pop("properties")
        schema.pop("additionalProperties")
    return Draft202012Validator(schema)


def schema_issues(instance: Any, *, definition: str | None = None) -> list[Issue]:
    """Check ``instance`` against the whole catalog schema, or one ``$defs`` entry.
    Values no catalog data may hold (``unusable_values``) are told first, alone."""
    unusable = unusable_values(instance)
    if unusable:
        return unusable
    errors = sorted(_validator(definition).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    issues: dict[Issue, None] = {}  # one 'required' error per missing key repeats the list
    for error in errors:
        issues.update(dict.fromkeys(_issues_from(error)))
    return list(issues)


def _issues_from(error: ValidationError) -> list[Issue]:
    path: Path = tuple(error.absolute_path)
    keyword = error.validator
    value = error.validator_value
    if keyword == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        return [
            Issue((*path, key), _("unknown key '%(key)s'") % {"key": key})
            for key in sorted(set(error.instance) - known)
        ]
    if keyword == "required":
        missing = [key for key in value if key not in error.instance]
        return [Issue((*path, key), _("required key is missing")) for key in missing]
    if keyword == "type":
        wanted = _(_TYPE_NAMES.get(value, value))
        return [Issue(path, _("must be %(type)s, not %(value)r") % {"type": wanted, "value": error.instance})]
    if keyword == "enum":
        choices = ", ".join(str(v) for v in value)
        return [
            Issue(path, _("'%(value)s' is not one of: %(choices)s") % {"value": error.instance, "choices": choices})
        ]
    if keyword == "multipleOf":
        return [Issue(path, _("must be a multiple of %(step)s") % {"step": value})]
    if keyword in ("minimum", "exclusiveMinimum"):
        op = ">=" if keyword == "minimum" else ">"
        return [Issue(path, _("must be %(op)s %(limit)s") % {"op": op, "limit": value})]
    if keyword == "minItems":
        return [Issue(path, _("needs at least %(count)s item(s)") % {"count": value})]
    if keyword == "pattern":
        return [
            Issue(
                path,
                _("'%(value)s' has the wrong form (expected %(pattern)s)")
                % {"value": error.instance, "pattern": value},
            )
        ]
    if keyword == "minLength":
        return [Issue(path, _("must not be empty"))]
    return [Issue(path, error.message)]
