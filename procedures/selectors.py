"""Read queries of the catalog."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery

from procedures.models import Agency, FlowVersion, Procedure


def published_versions(procedure_id: int) -> QuerySet[FlowVersion]:
    """The procedure's published flow versions, the newest first."""
    return FlowVersion.objects.filter(procedure_id=procedure_id, status=FlowVersion.Status.PUBLISHED).order_by(
        "-number"
    )


def latest_published_version(procedure: Procedure) -> FlowVersion | None:
    """The version new dossiers of ``procedure`` start on, if any is published."""
    return published_versions(procedure.pk).first()


def draft_version(procedure: Procedure) -> FlowVersion | None:
    return FlowVersion.objects.filter(procedure=procedure, status=FlowVersion.Status.DRAFT).first()


def procedures_with_current_flow(codes: Iterable[str] | None = None) -> QuerySet[Procedure]:
    """Procedures (optionally only ``codes``) annotated with ``current_flow``,
    the definition of their latest published version, in one query."""
    latest = FlowVersion.objects.filter(procedure=OuterRef("pk"), status=FlowVersion.Status.PUBLISHED).order_by(
        "-number"
    )
    queryset = Procedure.objects.select_related("agency", "sector").annotate(
        current_flow=Subquery(latest.values("definition")[:1])
    )
    if codes is not None:
        queryset = queryset.filter(code__in=list(codes))
    return queryset.order_by("code")


def agencies_for(procedures: Iterable[Procedure] | None = None) -> QuerySet[Agency]:
    """All agencies, or those of ``procedures`` and their parent agencies."""
    queryset = Agency.objects.select_related("level", "parent").order_by("code")
    if procedures is None:
        return queryset
    codes: set[str] = set()
    pending = [p.agency for p in procedures]
    while pending:
        agency = pending.pop()
        if agency.code not in codes:
            codes.add(agency.code)
            if agency.parent is not None:
                pending.append(agency.parent)
    return queryset.filter(code__in=codes)


def fold(text: str) -> str:
    """Text without case and Vietnamese diacritics, so that "xay dung" finds "Xây dựng"."""
    text = text.casefold().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def search_procedures(
    *,
    text: str = "",
    agency: Agency | str | None = None,
    sector=None,
    level=None,
    full_online: bool | None = None,
) -> QuerySet[Procedure]:
    """Offered procedures whose code and name hold every word of ``text``
    (case and accents ignored), filtered by agency (a row or its code, any
    case), field, administrative level (a row or its code) and full-online."""
    queryset = Procedure.objects.filter(is_active=True).select_related("agency", "sector", "agency__level")
    if isinstance(agency, str):
        queryset = queryset.filter(agency__code__iexact=agency)
    elif agency is not None:
        queryset = queryset.filter(agency=agency)
    if sector is not None:
        queryset = queryset.filter(sector=sector)
    if isinstance(level, str):
        queryset = queryset.filter(agency__level__code=level)
    elif level is not None:
        queryset = queryset.filter(agency__level=level)
    if full_online is not None:
        queryset = queryset.filter(full_online=full_online)
    words = fold(text or "").split()
    if words:
        # A city's catalog is a few thousand rows at most: match in Python, where
        # accents and Vietnamese case folding are handled the same on every database.
        matching = [
            pk
            for pk, code, name in queryset.values_list("pk", "code", "name")
            if all(word in fold(f"{code} {name}") for word in words)
        ]
        queryset = queryset.filter(pk__in=matching)
    return queryset
