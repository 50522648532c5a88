"""Write operations of the catalog: flow drafts, publishing, YAML import."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from procedures.errors import CatalogError, FlowValidationError, FlowVersionFrozen
from procedures.flows import canonical_flow, validate_flow
from procedures.interchange import read_catalog
from procedures.models import AdministrativeLevel, Agency, FlowVersion, Procedure, Sector
from procedures.selectors import draft_version, latest_published_version


@transaction.atomic
def create_flow_draft(
    *, procedure: Procedure, user: AbstractBaseUser | None = None, definition: Mapping[str, Any] | None = None
) -> FlowVersion:
    """The procedure's draft flow, created from ``definition`` or from the
    latest published version if there is no draft yet.

    An existing draft is returned as it is (one draft per procedure).
    """
    Procedure.objects.select_for_update().filter(pk=procedure.pk).get()
    draft = draft_version(procedure)
    if draft is not None:
        return draft
    if definition is None:
        current = latest_published_version(procedure)
        definition = current.definition if current else {"start": "", "steps": []}
    number = (procedure.flow_versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return FlowVersion.objects.create(
        procedure=procedure,
        number=number,
        status=FlowVersion.Status.DRAFT,
        definition=_stored(definition),
        created_by=user,
    )


@transaction.atomic
def update_flow_draft(*, version: FlowVersion, definition: Mapping[str, Any]) -> FlowVersion:
    """Replace a draft's definition. A draft may be invalid; publishing checks it."""
    version = FlowVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise FlowVersionFrozen()
    version.definition = _stored(definition)
    version.save(update_fields=["definition"])
    return version


@transaction.atomic
def publish_flow_version(*, version: FlowVersion, user: AbstractBaseUser | None = None) -> FlowVersion:
    """Validate a draft and freeze it as the version new dossiers start on.

    Raises ``FlowValidationError`` listing every broken rule; nothing changes then.
    """
    version = FlowVersion.objects.select_for_update().select_related("procedure").get(pk=version.pk)
    if version.is_published:
        raise FlowVersionFrozen()
    issues = validate_flow(version.definition, time_limit_days=version.procedure.time_limit_days)
    if issues:
        raise FlowValidationError(issues)
    version.definition = canonical_flow(version.definition)
    version.status = FlowVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user
    version.save(update_fields=["definition", "status", "published_at", "published_by"])
    return version


def _stored(definition: Mapping[str, Any]) -> dict[str, Any]:
    """Drafts are kept canonical when they are well-formed, as typed otherwise."""
    try:
        return canonical_flow(definition)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return dict(definition)


@dataclass
class ImportReport:
    agencies_created: list[str] = field(default_factory=list)
    agencies_updated: list[str] = field(default_factory=list)
    procedures_created: list[str] = field(default_factory=list)
    procedures_updated: list[str] = field(default_factory=list)
    flows_published: list[str] = field(default_factory=list)


def import_catalog(*, paths: Sequence[str | Path], user: AbstractBaseUser | None = None) -> ImportReport:
    """Create or update agencies and procedures from YAML files, and publish a
    new flow version for each procedure whose flow changed.

    All or nothing: if any file has an error, ``CatalogError`` lists every
    error (``FileIssue``: file, path, reason) and the database is untouched.
    """
    document, issues = read_catalog(paths)
    if issues:
        raise CatalogError(issues)
    report = ImportReport()
    with transaction.atomic():
        levels = {level.code: level for level in AdministrativeLevel.objects.all()}
        agencies: dict[str, Agency] = {}
        for item in document.agencies:
            agency, created = Agency.objects.update_or_create(
                code=item["code"], defaults={"name": item["name"], "level": levels[item["level"]]}
            )
            agencies[agency.code] = agency
            (report.agencies_created if created else report.agencies_updated).append(agency.code)
        # Parents in a second pass, so a file may list a child before its parent.
        for item in document.agencies:
            parent = Agency.objects.get(code=item["parent"]) if "parent" in item else None
            Agency.objects.filter(code=item["code"]).update(parent=parent)
        for item in document.procedures:
            _import_procedure(item, report=report, user=user)
    return report


def _import_procedure(item: dict[str, Any], *, report: ImportReport, user: AbstractBaseUser | None) -> None:
    sector, _ = Sector.objects.get_or_create(name=item["field"])
    procedure, created = Procedure.objects.update_or_create(
        code=item["code"],
        defaults={
            "name": item["name"],
            "agency": Agency.objects.get(code=item["agency"]),
            "sector": sector,
            "time_limit_days": item["time_limit_days"],
            "fee_vnd": item["fee_vnd"],
            "full_online": item["full_online"],
            "form": item["form"],
            "attachments": item["attachments"],
        },
    )
    (report.procedures_created if created else report.procedures_updated).append(procedure.code)
    current = latest_published_version(procedure)
    if current is not None and canonical_flow(current.definition) == item["flow"]:
        return
    # The file is the authority: an open draft is replaced by the imported flow.
    draft = create_flow_draft(procedure=procedure, user=user, definition=item["flow"])
    draft = update_flow_draft(version=draft, definition=item["flow"])
    publish_flow_version(version=draft, user=user)
    report.flows_published.append(procedure.code)
