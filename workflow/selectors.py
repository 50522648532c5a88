"""Read queries on dossiers: what a user may see, work queues, overdue lists."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from procedures.models import Agency, Procedure
from workflow.compiled import CompiledQuery
from workflow.models import IN_FLOW_STATES, AuditEvent, Channel, Dossier
from workflow.roles import memberships

# An online application is the citizen's own until they submit it: the agency
# sees it from then on, and never sees one withdrawn unsent. A counter or postal
# draft is the desk's work, and shown.
UNFILED = Q(channel=Channel.ONLINE, submitted_at__isnull=True)


def visible_to(user_id: int) -> Q:
    """The dossiers the (non-superuser) user with this id sees, as one condition
    on the user id alone: their own applications, and their agencies' (a
    subquery of their memberships) except online applications never submitted."""
    agencies = Agency.objects.filter(memberships__user_id=user_id).values("pk")
    return Q(applicant_id=user_id) | (Q(agency_id__in=agencies) & ~UNFILED)


# Read by several actions and by the documents they issue: compiled once per process.
PROCEDURE = CompiledQuery(lambda pk: Procedure.objects.filter(pk=pk).order_by(), -1)


def procedure_of(dossier: Dossier) -> Procedure:
    """The dossier's procedure (its form, papers and time limit), read once per dossier object."""
    if not Dossier.procedure.is_cached(dossier):
        dossier.procedure = PROCEDURE.first(dossier.procedure_id)
    return dossier.procedure


def visible_dossiers(user: AbstractBaseUser) -> QuerySet[Dossier]:
    """A citizen sees their own dossiers; an officer also those of their agencies,
    except online applications never submitted; a superuser all."""
    queryset = Dossier.objects.select_related("procedure", "agency", "flow_version", "assignee")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(visible_to(user.pk))


def work_queue(
    user: AbstractBaseUser,
    *,
    step: str | None = None,
    overdue: bool | None = None,
    assigned_to_me: bool = False,
) -> QuerySet[Dossier]:
    """Dossiers waiting for one of the user's roles at the agency where they hold it."""
    held = memberships(user)
    if not held:
        return Dossier.objects.none()
    match = Q()
    for agency_id, role in held:
        match |= Q(agency_id=agency_id, pending_role=role)
    queryset = visible_dossiers(user).filter(match)
    if step:
        queryset = queryset.filter(step=step)
    if overdue is not None:
        queryset = queryset.filter(overdue_q()) if overdue else queryset.exclude(overdue_q())
    if assigned_to_me:
        queryset = queryset.filter(assignee=user)
    return queryset.order_by("due_at", "created_at")


def overdue_q() -> Q:
    """Open dossiers with the clock running and the appointment passed."""
    return Q(status__in=IN_FLOW_STATES, due_at__lt=timezone.now())


def overdue_dossiers(user: AbstractBaseUser) -> QuerySet[Dossier]:
    return visible_dossiers(user).filter(overdue_q()).order_by("due_at")


def dossier_history(dossier: Dossier) -> QuerySet[AuditEvent]:
    return dossier.events.select_related("actor").order_by("seq")
