"""The YAML interchange format of the catalog (docs/procedure-format.md).

Reading turns files into checked, canonical documents or a list of errors,
each naming the file, the path inside it and the reason; it writes nothing.
Writing turns catalog rows into text that reads back to the same rows, so
export → import → export gives the same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Any

import yaml
from django.utils.translation import gettext as _

from procedures.errors import CatalogError
from procedures.flows import canonical_flow, number, validate_flow
from procedures.form_spec import ATTACHMENT_KEYS, FORM_KEYS, canonical_items, validate_attachments, validate_form
from procedures.issues import Issue
from procedures.models import AdministrativeLevel, Agency, Procedure
from procedures.schemas import schema_issues


@dataclass(frozen=True)
class FileIssue:
    """An error in one catalog file."""

    source: str
    issue: Issue

    def __str__(self) -> str:
        return f"{self.source}: {self.issue}"


@dataclass
class CatalogDocument:
    """The checked content of the files to import, in canonical form."""

    agencies: list[dict[str, Any]] = field(default_factory=list)
    procedures: list[dict[str, Any]] = field(default_factory=list)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with the same key twice, which
    plain YAML loading would silently resolve to the last one."""

    def construct_mapping(self, node, deep=False):
        keys = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(
                    None, None, _("the key '%(key)s' appears twice") % {"key": key}, key_node.start_mark
                )
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str) -> Any:
    """Safe-load YAML, refusing duplicate keys. Raises ``CatalogError`` with
    one issue that gives the line and column of the problem."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _("line %(line)s, column %(column)s") % {"line": mark.line + 1, "column": mark.column + 1}
        raise CatalogError(
            [Issue((where,), _("YAML syntax error: %(problem)s") % {"problem": exc.problem or exc})]
        ) from None
    except yaml.YAMLError as exc:
        raise CatalogError([Issue((), _("YAML syntax error: %(problem)s") % {"problem": exc})]) from None


def read_catalog(paths: Sequence[str | FilePath]) -> tuple[CatalogDocument, list[FileIssue]]:
    """Parse and check catalog files. On any issue, the document is not to be used."""
    document = CatalogDocument()
    issues: list[FileIssue] = []
    agency_sources: dict[str, str] = {}
    procedure_sources: dict[str, str] = {}
    for raw_path in paths:
        source = str(raw_path)
        data, file_issues = _load_file(FilePath(raw_path))
        issues += [FileIssue(source, issue) for issue in file_issues]
        if file_issues:
            continue
        for i, agency in enumerate(data.get("agencies", [])):
            if agency["code"] in agency_sources:
                issues.append(_duplicate(source, ("agencies", i, "code"), agency["code"], agency_sources))
                continue
            agency_sources[agency["code"]] = source
            document.agencies.append({**agency, "_at": (source, ("agencies", i))})
        for i, procedure in enumerate(data.get("procedures", [])):
            if procedure["code"] in procedure_sources:
                issues.append(_duplicate(source, ("procedures", i, "code"), procedure["code"], procedure_sources))
                continue
            procedure_sources[procedure["code"]] = source
            document.procedures.append({**procedure, "_at": (source, ("procedures", i))})
    issues += _reference_issues(document)
    order = {str(path): i for i, path in enumerate(paths)}
    issues.sort(key=lambda issue: order[issue.source])
    for item in document.agencies + document.procedures:
        item.pop("_at")
    document.procedures = [_canonical_procedure(p) for p in document.procedures] if not issues else []
    return document, issues


def _load_file(path: FilePath) -> tuple[dict[str, Any], list[Issue]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, [Issue((), _("file not found"))]
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Issue((), _("cannot be read: %(error)s") % {"error": exc})]
    try:
        data = parse_yaml(text)
    except CatalogError as exc:
        return {}, exc.issues
    if data is None:
        return {}, []
    issues = schema_issues(data)
    if issues:
        return {}, issues
    return data, []


def _duplicate(source: str, path: tuple, code: str, seen: dict[str, str]) -> FileIssue:
    return FileIssue(
        source, Issue(path, _("'%(code)s' is already defined in %(other)s") % {"code": code, "other": seen[code]})
    )


def _reference_issues(document: CatalogDocument) -> list[FileIssue]:
    """Checks that need more than one item: references to levels and agencies,
    the form, attachments and flow of each procedure."""
    issues: list[FileIssue] = []
    levels = set(AdministrativeLevel.objects.values_list("code", flat=True))
    agencies = {a["code"] for a in document.agencies} | set(Agency.objects.values_list("code", flat=True))
    for agency in document.agencies:
        source, at = agency["_at"]
        if agency["level"] not in levels:
            issues.append(
                FileIssue(
                    source,
                    Issue(
                        (*at, "level"),
                        _("administrative level '%(level)s' does not exist (known: %(known)s)")
                        % {"level": agency["level"], "known": ", ".join(sorted(levels))},
                    ),
                )
            )
        if "parent" in agency and agency["parent"] not in agencies:
            issues.append(_unknown_agency(source, (*at, "parent"), agency["parent"]))
        if agency.get("parent") == agency["code"]:
            issues.append(FileIssue(source, Issue((*at, "parent"), _("an agency cannot be its own parent"))))
        elif _parent_loop(agency["code"], document.agencies):
            issues.append(
                FileIssue(
                    source, Issue((*at, "parent"), _("the parent agencies go round in a circle back to this one"))
                )
            )
    for procedure in document.procedures:
        source, at = procedure["_at"]
        if procedure["agency"] not in agencies:
            issues.append(_unknown_agency(source, (*at, "agency"), procedure["agency"]))
        checks = (
            ("form", validate_form(procedure.get("form", []))),
            ("attachments", validate_attachments(procedure.get("attachments", []))),
            ("flow", validate_flow(procedure["flow"], time_limit_days=procedure["time_limit_days"])),
        )
        for key, found in checks:
            issues += [FileIssue(source, issue.located((*at, key))) for issue in found]
    return issues


def _parent_loop(code: str, agencies: list[dict[str, Any]]) -> bool:
    """Whether following parents from ``code`` (the files' first, then the database's) comes back to it."""
    parents = dict(Agency.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    parents.update({a["code"]: a.get("parent") for a in agencies})
    seen, current = set(), parents.get(code)
    while current is not None and current not in seen:
        if current == code:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _unknown_agency(source: str, path: tuple, code: str) -> FileIssue:
    return FileIssue(
        source,
        Issue(path, _("agency '%(code)s' is neither in these files nor in the database") % {"code": code}),
    )


def _canonical_procedure(procedure: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": procedure["code"],
        "name": procedure["name"],
        "agency": procedure["agency"],
        "field": procedure["field"],
        "time_limit_days": Decimal(str(procedure["time_limit_days"])),
        "fee_vnd": procedure.get("fee_vnd", 0),
        "full_online": procedure.get("full_online", False),
        "form": canonical_items(procedure.get("form", []), FORM_KEYS),
        "attachments": canonical_items(procedure.get("attachments", []), ATTACHMENT_KEYS),
        "flow": canonical_flow(procedure["flow"]),
    }


def dump_catalog(agencies: Iterable[Agency], procedures: Iterable[Procedure]) -> str:
    """Catalog rows as interchange YAML. ``procedures`` must carry the
    ``current_flow`` annotation (see ``selectors.procedures_with_current_flow``);
    a procedure with no published flow cannot be written and is left out."""
    data: dict[str, Any] = {"agencies": [], "procedures": []}
    for agency in agencies:
        item = {"code": agency.code, "name": agency.name, "level": agency.level.code}
        if agency.parent is not None:
            item["parent"] = agency.parent.code
        data["agencies"].append(item)
    for procedure in procedures:
        if procedure.current_flow is None:
            continue
        data["procedures"].append(
            {
                "code": procedure.code,
                "name": procedure.name,
                "agency": procedure.agency.code,
                "field": procedure.sector.name,
                "time_limit_days": number(procedure.time_limit_days),
                "fee_vnd": procedure.fee_vnd,
                "full_online": procedure.full_online,
                "form": canonical_items(procedure.form, FORM_KEYS),
                "attachments": canonical_items(procedure.attachments, ATTACHMENT_KEYS),
                "flow": canonical_flow(procedure.current_flow),
            }
        )
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
