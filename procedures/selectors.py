"""Read queries of the catalog."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery

from procedures.models import Agency, FlowVersion, Procedure


def latest_published_version(procedure: Procedure) -> FlowVersion | None:
    """The version new dossiers of ``procedure`` start on, if any is published."""
    return (
        FlowVersion.objects.filter(procedure=procedure, status=FlowVersion.Status.PUBLISHED).order_by("-number").first()
    )


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
