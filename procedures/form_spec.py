"""The application form and required attachments of a procedure, as data.

The YAML and the ``Procedure.form`` / ``Procedure.attachments`` fields hold a
list of specs; this module checks them and keeps them in a canonical order.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import formats
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from procedures.issues import MAX_DIGITS, Issue
from procedures.schemas import schema_issues

FORM_KEYS = ("name", "label", "type", "required", "help", "min", "max", "max_length", "choices", "types", "max_mb")
ATTACHMENT_KEYS = ("name", "label", "required", "types", "max_mb")
FIELD_TYPES = ("text", "textarea", "number", "date", "choice", "checkbox", "email", "phone", "national_id")


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


def _form_field(spec: Mapping[str, Any], *, partial: bool) -> forms.Field:
    kind = spec["type"]
    common: dict[str, Any] = {
        "label": spec["label"],
        "required": bool(spec.get("required")) and not partial,
        "help_text": spec.get("help", ""),
    }
    if kind in ("text", "textarea"):
        widget = forms.Textarea if kind == "textarea" else None
        return forms.CharField(max_length=spec.get("max_length"), widget=widget, **common)
    if kind == "number":
        # Bounded in digits as well: "1e10000000" is a valid decimal whose integer takes minutes to build.
        return forms.DecimalField(min_value=spec.get("min"), max_value=spec.get("max"), max_digits=MAX_DIGITS, **common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in spec["choices"]], **common)
    if kind == "checkbox":
        return forms.BooleanField(**common)
    if kind == "email":
        return forms.EmailField(**common)
    if kind == "phone":
        return forms.CharField(validators=[phone_validator], **common)
    if kind == "national_id":
        return forms.CharField(validators=[national_id_validator], **common)
    raise ValueError(kind)


PHONE_PATTERN = r"^(0|\+84)\d{9,10}$"
NATIONAL_ID_PATTERN = r"^\d{12}$"
# The one check of each, wherever a phone or citizen ID number is entered: application
# answers, the profile (which prefills them), a counter filing's applicant, sign-in claims.
phone_validator = RegexValidator(PHONE_PATTERN, gettext_lazy("Enter a Vietnamese phone number."))
national_id_validator = RegexValidator(NATIONAL_ID_PATTERN, gettext_lazy("A citizen ID number has exactly 12 digits."))


def application_form_class(form_spec: Sequence[Mapping[str, Any]], *, partial: bool = False) -> type[forms.Form]:
    """A Django form for a procedure's application form (files are the
    procedure's ``attachments``, not form fields). With ``partial`` nothing is
    required (a draft may be incomplete).

    Made once per process for each spec, kind and language (its messages are
    translated when it is made): every filing, submission and page checks
    answers with it, and making a form class costs more than using it. A form
    copies its class's fields, so what one form changes stays in that form."""
    spec_text = json.dumps(form_spec, sort_keys=True, ensure_ascii=False, default=str)
    return _application_form_class(spec_text, partial, get_language())


@lru_cache(maxsize=512)
def _application_form_class(spec_text: str, partial: bool, language: str | None) -> type[forms.Form]:
    fields = {spec["name"]: _form_field(spec, partial=partial) for spec in json.loads(spec_text)}
    return type("ApplicationForm", (forms.Form,), fields)


def clean_application_data(
    form_spec: Sequence[Mapping[str, Any]], data: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate application data against a form spec.

    Returns the cleaned data as JSON values (dates as ISO text, numbers as
    int or float) and the errors by field name. Keys the form does not have
    are errors too. With ``partial``, only the keys given are checked.
    """
    form_class = application_form_class(form_spec, partial=partial)
    known = set(form_class.base_fields)
    errors: dict[str, list[str]] = {
        key: [_("This form has no field '%(name)s'.") % {"name": key}] for key in data if key not in known
    }
    bound = form_class(data={k: _as_input(v) for k, v in data.items() if k in known})
    if not bound.is_valid():
        for name, messages in bound.errors.items():
            errors.setdefault(name, []).extend(messages)
    cleaned = {
        name: _as_json(value)
        for name, value in (bound.cleaned_data if hasattr(bound, "cleaned_data") else {}).items()
        if name in data or not partial
    }
    cleaned = {k: v for k, v in cleaned.items() if v not in (None, "") or k in data}
    return cleaned, errors


def _as_input(value: Any) -> Any:
    if value is True:
        return "on"
    if value is False or value is None:
        return ""
    return str(value) if not isinstance(value, str) else value


def _as_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def shown_answers(form_spec: Sequence[Mapping[str, Any]], data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers of ``data`` as pages and documents show them, in the form's order:
    each ``{"label", "value", "type", "text"}``. ``text`` is the answer as read in the
    active language: a tick as Yes/No, a date in the locale's format (day first in
    Vietnamese), a number with its decimal comma, ``""`` for no answer; a date answer's
    ``value`` is a ``date``, not its stored ISO text. Answers to fields the form no
    longer has come last, under their stored names."""
    rows = [_shown(spec["label"], data.get(spec["name"]), spec["type"]) for spec in form_spec]
    known = {spec["name"] for spec in form_spec}
    rows += [_shown(name, value, "") for name, value in data.items() if name not in known]
    return rows


def is_blank(value: Any) -> bool:
    """Whether an answer is no answer: missing, an empty text or an empty list."""
    return value is None or value in ("", [])


def _shown(label: str, value: Any, kind: str) -> dict[str, Any]:
    if kind == "date" and isinstance(value, str):
        with contextlib.suppress(ValueError):  # else shown as stored
            value = datetime.date.fromisoformat(value)
    if kind == "checkbox" or isinstance(value, bool):  # an unticked box is a No, answered or not
        text = _("Yes") if value else _("No")
    elif is_blank(value):
        text = ""
    elif isinstance(value, list):
        text = ", ".join(str(formats.localize(item)) for item in value)
    else:
        text = str(formats.localize(value))
    return {"label": label, "value": value, "type": kind, "text": text}
